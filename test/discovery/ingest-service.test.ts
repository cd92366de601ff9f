/**
 * The CMA's discovery ingest service against the real Neo4j: acknowledge-after-commit, all-or-nothing
 * writes, the unchanged-result shortcut, ordering per (host, script), follow-ups, and the hard caps.
 */
import { z } from 'zod';
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoverySchedule } from '../../cma/discovery/discovery-schedule';
import { DiscoveryIngestService } from '../../cma/discovery/ingest-service';
import { definePlugin } from '../../cma/discovery/plugin';
import { stmt } from '../../cma/discovery/plan-kit';
import { BUILTIN_PLUGINS, PluginRegistry } from '../../cma/discovery/registry';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from './migrated-store';
import { netconfigWeb1, packagesWeb1, processesWeb1, tcpWeb1 } from './fixtures/sample-results';
import { removeTestHosts } from './remove-test-hosts';
import { failedResult, okResult } from './wire-results';

type Num = { toNumber(): number };
const num = (v: unknown): number => (v as Num).toNumber();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lldpd = { pid: 600, ppid: 1, starttime: 3000, start_ms: 1795300270000, comm: 'lldpd', exe: '/usr/sbin/lldpd', exe_deleted: false, argv: ['lldpd: monitor.'], argv_truncated: false, uid: 0, user: 'root' };
const processesWithLldpd = { ...processesWeb1, data: { processes: [...processesWeb1.data.processes, lldpd] } };
const sshdListener = { ip: '0.0.0.0', port: 22, family: 'inet', wildcard: true, processes: [{ pid: 650, starttime: 4500, comm: 'sshd' }] };

/**
 * A deep copy made in this realm. (structuredClone's objects have another realm's Object.prototype
 * under jest, which the protocol's JSON-value check rightly refuses as not plain.)
 */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Reorders an object's keys at every level: same content, another text. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
}

describeWithNeo4j('discovery ingest service (real Neo4j)', () => {
  let store: GraphStore;
  let service: DiscoveryIngestService;
  const prefix = uniquePrefix('ingest-service');
  let t = 1_900_000_000_000;
  const clock = () => (t += 1000);

  async function count(cypher: string, params: Record<string, unknown>): Promise<number> {
    const rows = await store.read<{ n: unknown }>(cypher, params);
    return num(rows[0]?.n);
  }
  async function resultNode(host: string, type: string): Promise<Record<string, unknown>> {
    const rows = await store.read<{ d: { properties: Record<string, unknown> } }>('MATCH (d:DiscoveryResult {key: $key}) RETURN d', { key: `${host}/${type}` });
    return rows[0]?.d.properties ?? {};
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    service = new DiscoveryIngestService({ store, clock });
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('the promise resolves only once the write has committed, and the data is readable then', async () => {
    const host = `${prefix}ack`;
    await store.write('MERGE (h:Host {key: $host}) SET h.name = $host', { host });
    // Another transaction holds the Host's lock: the ingest cannot commit until it lets go.
    const session = store.driver.session({ database: store.database });
    const blocker = await session.beginTransaction();
    await blocker.run('MATCH (h:Host {key: $host}) SET h.blocked = true', { host });
    let settled = false;
    const pending = service.ingest(host, okResult(netconfigWeb1)).finally(() => {
      settled = true;
    });
    await sleep(1500);
    expect(settled).toBe(false);
    expect(await count('MATCH (:Host {key: $host})-[:HAS_NIC]->(n) RETURN count(n) AS n', { host })).toBe(0);
    await blocker.commit();
    await session.close();
    const report = await pending;
    expect(report).toMatchObject({ host, discovertype: 'netconfig', status: 'derived' });
    // Read at once, in another session: everything is there.
    expect(await count('MATCH (:Host {key: $host})-[:HAS_NIC]->(n:NIC) RETURN count(n) AS n', { host })).toBe(2);
    expect(await count('MATCH (:Host {key: $host})-[:HAS_NIC]->(:NIC)-[:HAS_IP]->(ip) RETURN count(ip) AS n', { host })).toBe(3);
  });

  test('a write that fails rejects, and nothing of the result is left written', async () => {
    const host = `${prefix}boom`;
    // A plugin whose second statement breaks the Host key constraint, after the first wrote a NIC.
    const boom = definePlugin({
      discovertype: 'boom',
      description: 'test: fails half-way',
      dataSchema: z.object({ nic: z.string() }),
      plan: (data: { nic: string }, ctx) => [
        stmt(
          `UNWIND $rows AS row
           MATCH (h:Host {key: row.host})
           MERGE (n:NIC {key: row.key}) ON CREATE SET n.firstseen = $now SET n.lastupdated = $now
           MERGE (h)-[r:HAS_NIC]->(n) ON CREATE SET r.firstseen = $now SET r.lastupdated = $now`,
          [{ key: `${ctx.host}/${data.nic}` }],
          ctx,
        ),
        stmt('UNWIND $rows AS row CREATE (:Host {key: row.host})', [{}], ctx),
      ],
    });
    const failing = new DiscoveryIngestService({ store, clock, registry: new PluginRegistry([...BUILTIN_PLUGINS, boom]) });
    const doc = { discovertype: 'boom', description: 'x', host, source: 'test', data: { nic: 'eth9' } };
    await expect(failing.ingest(host, okResult(doc))).rejects.toThrow(/already exists|constraint/i);
    expect(await count('MATCH (h:Host {key: $host}) RETURN count(h) AS n', { host })).toBe(0);
    expect(await count('MATCH (n:NIC {key: $key}) RETURN count(n) AS n', { key: `${host}/eth9` })).toBe(0);
    expect(await count('MATCH (d:DiscoveryResult {key: $key}) RETURN count(d) AS n', { key: `${host}/boom` })).toBe(0);
    // The service is not stuck on that key: the next result of the host goes through.
    expect((await failing.ingest(host, okResult(netconfigWeb1))).status).toBe('derived');
  });

  test('an unchanged result is not planned: derived nodes keep their lastupdated, only the result times move', async () => {
    const host = `${prefix}same`;
    const first = await service.ingest(host, okResult(netconfigWeb1, { startedAt: 1_800_000_000_000 }));
    expect(first.status).toBe('derived');
    expect(first.rows).toBeGreaterThan(5);
    const nicTime = async () =>
      num((await store.read<{ t: unknown }>('MATCH (n:NIC {key: $key}) RETURN n.lastupdated AS t', { key: `${host}/eth0` }))[0]?.t);
    const nicBefore = await nicTime();
    const before = await resultNode(host, 'netconfig');
    const unchangedBefore = service.counters.unchanged;

    // Same content, keys in another order, a later run.
    const again = await service.ingest(host, okResult(reversedKeys(netconfigWeb1), { startedAt: 1_800_000_600_000 }));
    expect(again).toMatchObject({ status: 'unchanged', rows: 0, followUps: [] });
    expect(service.counters.unchanged).toBe(unchangedBefore + 1);
    expect(await nicTime()).toBe(nicBefore);
    const after = await resultNode(host, 'netconfig');
    expect(num(after.changedat)).toBe(num(before.changedat));
    expect(num(after.okat)).toBeGreaterThan(num(before.okat));
    expect(num(after.lastseen)).toBeGreaterThan(num(before.lastseen));
    expect(num(after.run_started_ms)).toBe(1_800_000_600_000);
    expect(after.hash).toBe(before.hash);

    // The same content under a hash the nanoprobe computed otherwise: recognised by the CMA's own hash.
    const otherHash = await service.ingest(host, okResult(netconfigWeb1, { contentHash: 'a'.repeat(64) }));
    expect(otherHash.status).toBe('unchanged');
    expect((await resultNode(host, 'netconfig')).wire_hash).toBe('a'.repeat(64));
    // With the nanoprobe's hash equal to the stored one, the document is not even read.
    const unread = await service.ingest(host, okResult({ not: 'read' }, { name: 'netconfig', contentHash: 'a'.repeat(64) }));
    expect(unread.status).toBe('unchanged');
    expect(await nicTime()).toBe(nicBefore);

    // A failure, then the same good content: still not re-planned, and the status is ok again.
    expect((await service.ingest(host, failedResult('netconfig', 'timeout', 'no result within 30000 ms'))).status).toBe('error');
    expect((await resultNode(host, 'netconfig')).status).toBe('error');
    expect((await service.ingest(host, okResult(netconfigWeb1))).status).toBe('unchanged');
    const recovered = await resultNode(host, 'netconfig');
    expect(recovered).toMatchObject({ status: 'ok', error_code: 'timeout' });
    expect(await nicTime()).toBe(nicBefore);
  });

  test('results for one host and script are applied one at a time, in the order they arrived', async () => {
    const host = `${prefix}order`;
    const v1 = { ...processesWeb1, data: { processes: Array.from({ length: 2000 }, (_, i) => ({ ...lldpd, pid: 10_000 + i, comm: `worker-${i}` })) } };
    const v2 = { ...processesWeb1, data: { processes: [{ ...lldpd, pid: 900, starttime: 9999, comm: 'later' }] } };
    // The second result arrives while the first one's batch is about to be written; the batches
    // the service starts are recorded.
    const batches: string[][] = [];
    let second: Promise<unknown> | undefined;
    const ordered = new DiscoveryIngestService({
      store,
      clock,
      beforeBatch: async (results) => {
        batches.push(results.map((r) => r.host));
        second ??= ordered.ingest(host, okResult(v2));
      },
    });
    await service.ingest(host, okResult(processesWeb1));
    const first = await ordered.ingest(host, okResult(v1));
    expect(first.status).toBe('derived');
    expect(await second).toMatchObject({ status: 'derived' });
    // One batch each, one after the other.
    expect(batches).toEqual([[host], [host]]);
    const names = await store.read<{ name: string }>('MATCH (:Host {key: $host})-[:RUNS]->(p:Process) RETURN p.name AS name', { host });
    expect(names.map((n) => n.name)).toEqual(['later']);
  });

  test('follow-ups: lldp when lldpd starts or a NIC appears beside it, sshd when it starts listening', async () => {
    const host = `${prefix}follow`;
    const lldpRequest = { name: 'lldp', repeatSeconds: 300, timeoutSeconds: 30, parameters: {} };

    expect((await service.ingest(host, okResult(netconfigWeb1))).followUps).toEqual([]); // no lldpd yet
    expect((await service.ingest(host, okResult(processesWithLldpd))).followUps).toEqual([lldpRequest]);
    // lldpd still running, not new: nothing.
    const moreProcesses = { ...processesWithLldpd, data: { processes: [...processesWithLldpd.data.processes, { ...lldpd, pid: 601, starttime: 3001, comm: 'cron' }] } };
    expect((await service.ingest(host, okResult(moreProcesses))).followUps).toEqual([]);
    // A new NIC while lldpd runs: lldp again; a changed NIC that is not new: nothing.
    const withNic = clone(netconfigWeb1);
    withNic.data.nics.push({ ...clone(netconfigWeb1.data.nics[1]!), name: 'eth1', ifindex: 5, addresses: [] });
    expect((await service.ingest(host, okResult(withNic))).followUps).toEqual([lldpRequest]);
    const mtuChanged = clone(withNic);
    mtuChanged.data.nics[2]!.mtu = 9000;
    expect((await service.ingest(host, okResult(mtuChanged))).followUps).toEqual([]);

    const withSshd = { ...tcpWeb1, data: { ...tcpWeb1.data, listening: [...tcpWeb1.data.listening, sshdListener] } };
    expect((await service.ingest(host, okResult(withSshd))).followUps).toEqual([{ name: 'sshd', repeatSeconds: 3600, timeoutSeconds: 30, parameters: {} }]);
    const moreConnections = { ...withSshd, data: { ...withSshd.data, outbound: [...withSshd.data.outbound, { pid: 650, starttime: 4500, comm: 'sshd', remote_ip: '192.0.2.99', remote_port: 53 }] } };
    const later = await service.ingest(host, okResult(moreConnections));
    expect(later).toMatchObject({ status: 'derived', followUps: [] });

    // An operator who switched lldp off gets no lldp follow-ups.
    const quiet = new DiscoveryIngestService({ store, clock, schedule: new DiscoverySchedule({ lldp: false }) });
    const other = `${prefix}follow-quiet`;
    expect((await quiet.ingest(other, okResult(processesWithLldpd))).followUps).toEqual([]);
  });

  test('a result too big for one transaction is refused with too_large; the last good data stays', async () => {
    const host = `${prefix}rows`;
    const capped = new DiscoveryIngestService({ store, clock, maxRowsPerResult: 6 });
    const small = packagesWeb1; // 2 distinct packages: raw + upsert rows + cleanup = 4 rows
    expect((await capped.ingest(host, okResult(small))).status).toBe('derived');
    const many = { ...packagesWeb1, data: { packages: Array.from({ length: 20 }, (_, i) => ({ manager: 'dpkg', name: `lib${i}`, version: '1', arch: 'amd64' })) } };
    const report = await capped.ingest(host, okResult(many));
    expect(report.status).toBe('error');
    expect(report.error?.code).toBe('too_large');
    expect(report.error?.message).toMatch(/22 rows.*at most 6/);
    expect(await count('MATCH (:Host {key: $host})-[:HAS_PACKAGE]->(p) RETURN count(p) AS n', { host })).toBe(2);
    const node = await resultNode(host, 'packages');
    expect(node).toMatchObject({ status: 'error', error_code: 'too_large' });
    expect(JSON.parse(String(node.json)).data.packages).toHaveLength(3);
  });

  test('input that is not a result: refused when it names nothing, recorded when it names its script', async () => {
    const host = `${prefix}junk`;
    expect(await service.ingest(host, { hello: 'world' })).toMatchObject({ status: 'rejected', error: { code: 'invalid_result' } });
    expect(await service.ingest('', okResult(netconfigWeb1))).toMatchObject({ status: 'rejected', error: { code: 'invalid_host' } });
    expect(await count('MATCH (h:Host {key: $host}) RETURN count(h) AS n', { host })).toBe(0);

    const named = await service.ingest(host, { name: 'os', outcome: 'garbage' });
    expect(named).toMatchObject({ status: 'error', discovertype: 'os', error: { code: 'invalid_result' } });
    expect((await resultNode(host, 'os')).error_message).toMatch(/contentHash|outcome/);
  });
});
