/**
 * The ingest plans applied to the real Neo4j: first this machine's own script output, then a
 * two-host scenario (a web server and its client) to check cross-host resolution and cleanup.
 */
import net from 'node:net';
import neo4j from 'neo4j-driver';
import type { GraphStore } from '../../cma/graph/graph-store';
import { failurePlan } from '../../cma/discovery/raw-result';
import { hostDiscoveryDocument } from '../../cma/discovery/discovery-results';
import { planIngest } from '../../cma/discovery/registry';
import type { IngestContext } from '../../cma/discovery/plugin';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { netconfigWeb1, tcpApp1, tcpWeb1, processesWeb1, packagesWeb1, lldpWeb1 } from './fixtures/sample-results';
import { discover } from './run-discovery';

type Num = { toNumber(): number };
const num = (v: unknown): number => (v as Num).toNumber();

describeWithNeo4j('discovery ingest into the real Neo4j', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('discovery');
  let clock = 1_800_000_000_000;
  const ctx = (host: string): IngestContext => ({ host, now: ++clock });

  async function ingest(document: unknown, host: string) {
    const result = planIngest({ document }, ctx(host));
    await store.runPlan(result.plan);
    return result;
  }
  async function count(cypher: string, params: Record<string, unknown>): Promise<number> {
    const rows = await store.read<{ n: unknown }>(cypher, params);
    return num(rows[0]?.n);
  }

  beforeAll(async () => {
    store = await migratedTestStore();
  });

  afterAll(async () => {
    // Empty results remove what the test hosts own (shared nodes included once orphaned), then the hosts.
    await removeTestHosts(store, prefix);
    await store.close();
  });

  describe("this machine's own results", () => {
    const host = `${prefix}self`;
    let server: net.Server;
    let client: net.Socket;
    let port: number;

    beforeAll(async () => {
      server = net.createServer((s) => s.on('error', () => undefined));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as net.AddressInfo).port;
      client = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => client.once('connect', resolve));
    });
    afterAll(async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    test('netconfig, processes, tcp, packages, os and filesystems land as a graph', async () => {
      const netconfig = await discover('netconfig');
      for (const name of ['os', 'cpu', 'memory', 'filesystems', 'processes', 'packages']) {
        const r = await ingest(await discover(name), host);
        expect(r.outcome).toBe('derived');
      }
      expect((await ingest(netconfig, host)).outcome).toBe('derived');
      expect((await ingest(await discover('tcp'), host)).outcome).toBe('derived');

      const nics = (netconfig.data as { nics: unknown[] }).nics.length;
      expect(await count('MATCH (:Host {key: $host})-[:HAS_NIC]->(n:NIC) RETURN count(n) AS n', { host })).toBe(nics);
      // This process listens on the port and, as its own client, connects to it (loopback).
      const me = `${host}/${process.pid}/`;
      expect(
        await count(
          `MATCH (:Host {key: $host})-[:RUNS]->(p:Process)-[:LISTENS_ON]->(s:TCPService {port: $port})
           WHERE p.key STARTS WITH $me RETURN count(*) AS n`,
          { host, port: neo4j.int(port), me },
        ),
      ).toBe(1);
      expect(
        await count(
          `MATCH (p:Process)-[:CONNECTS_TO]->(s:TCPService {key: $service}) WHERE p.key STARTS WITH $me RETURN count(*) AS n`,
          { service: `${host}/127.0.0.1:${port}`, me },
        ),
      ).toBe(1);
      // The process written by the processes plugin carries its full details.
      const proc = await store.read<{ exe: string; pid: unknown; t: string }>(
        `MATCH (p:Process) WHERE p.key STARTS WITH $me RETURN p.exe AS exe, p.pid AS pid, valueType(p.pid) AS t`,
        { me },
      );
      expect(proc[0]?.exe).toMatch(/node$/);
      expect(proc[0]?.t).toMatch(/^INTEGER/);
      const facts = await store.read<{ release: string; mem: string; mtu: string }>(
        `MATCH (h:Host {key: $host})-[:HAS_NIC]->(n:NIC {name: 'lo'})
         RETURN h.os_kernel_release AS release, valueType(h.memory_bytes) AS mem, valueType(n.mtu) AS mtu`,
        { host },
      );
      expect(facts[0]?.release).toBe(require('node:os').release());
      expect(facts[0]?.mem).toMatch(/^INTEGER/);
      expect(facts[0]?.mtu).toMatch(/^INTEGER/);
      expect(await count('MATCH (:Host {key: $host})-[:HAS_DISCOVERY]->(d:DiscoveryResult) RETURN count(d) AS n', { host })).toBe(8);
      expect(await count('MATCH (:Host {key: $host})-[:HAS_PACKAGE]->(p:Package {manager: "dpkg", name: "dpkg"}) RETURN count(p) AS n', { host })).toBe(1);
    });
  });

  describe('two hosts: a web server and its client', () => {
    // Addresses from the benchmarking range, unique per run: IPAddress nodes are shared by key.
    const a = Math.floor(Math.random() * 250) + 1;
    const serverIp = `198.18.${a}.2`;
    const web = `${prefix}web1`;
    const app = `${prefix}app1`;
    const webNet = JSON.parse(JSON.stringify(netconfigWeb1).replaceAll('192.0.2.2', serverIp).replaceAll('fd00:0::2', `fd00:${a}::2`));
    const appTcp = JSON.parse(JSON.stringify(tcpApp1).replaceAll('192.0.2.2', serverIp));

    test('the client process CONNECTS_TO the service of the host that owns the address it dials', async () => {
      await ingest(webNet, web);
      await ingest(processesWeb1, web);
      await ingest(tcpWeb1, web);
      await ingest(appTcp, app);
      const rows = await store.read<{ client: string; service: string; server: string }>(
        `MATCH (ch:Host {key: $app})-[:RUNS]->(p:Process)-[:CONNECTS_TO]->(s:TCPService)<-[:HAS_SERVICE]-(sh:Host)
         RETURN p.name AS client, s.key AS service, sh.key AS server`,
        { app },
      );
      expect(rows).toEqual([{ client: 'curl', service: `${web}/0.0.0.0:80`, server: web }]);
      // The listener is owned by both nginx processes, which the processes plugin described fully.
      const owners = await store.read<{ user: string }>(
        `MATCH (p:Process)-[:LISTENS_ON]->(:TCPService {key: $svc}) RETURN p.user AS user ORDER BY user`,
        { svc: `${web}/0.0.0.0:80` },
      );
      expect(owners.map((o) => o.user)).toEqual(['root', 'www-data']);
      expect(await count(`MATCH (:IPAddress {key: $ip})-[:IN_SUBNET]->(s:Subnet {key: $cidr}) RETURN count(s) AS n`, { ip: serverIp, cidr: `198.18.${a}.0/24` })).toBe(1);
    });

    test('an unchanged result rewritten changes nothing but lastupdated', async () => {
      const before = await store.read<{ first: unknown; last: unknown; n: unknown }>(
        'MATCH (:Host {key: $web})-[:HAS_NIC]->(n:NIC) RETURN min(n.firstseen) AS first, max(n.lastupdated) AS last, count(n) AS n',
        { web },
      );
      await ingest(webNet, web);
      const after = await store.read<{ first: unknown; last: unknown; n: unknown }>(
        'MATCH (:Host {key: $web})-[:HAS_NIC]->(n:NIC) RETURN min(n.firstseen) AS first, max(n.lastupdated) AS last, count(n) AS n',
        { web },
      );
      expect(num(after[0]?.n)).toBe(num(before[0]?.n));
      expect(num(after[0]?.first)).toBe(num(before[0]?.first));
      expect(num(after[0]?.last)).toBeGreaterThan(num(before[0]?.last));
    });

    test('what a later result no longer contains is removed: address, subnet, service, connection', async () => {
      const moved = structuredClone(webNet);
      moved.data.nics[1].addresses = moved.data.nics[1].addresses.filter((x: { address: string }) => x.address !== serverIp);
      await ingest(moved, web);
      expect(await count('MATCH (ip:IPAddress {key: $ip}) RETURN count(ip) AS n', { ip: serverIp })).toBe(0);
      expect(await count('MATCH (s:Subnet {key: $cidr}) RETURN count(s) AS n', { cidr: `198.18.${a}.0/24` })).toBe(0);
      expect(await count('MATCH (:Host {key: $web})-[:HAS_NIC]->(n:NIC) RETURN count(n) AS n', { web })).toBe(2);

      await ingest({ ...tcpWeb1, data: { ...tcpWeb1.data, listening: tcpWeb1.data.listening.filter((l) => l.port !== 80) } }, web);
      expect(await count('MATCH (s:TCPService {key: $svc}) RETURN count(s) AS n', { svc: `${web}/0.0.0.0:80` })).toBe(0);
      expect(await count('MATCH (:Host {key: $app})-[:RUNS]->(:Process)-[r:CONNECTS_TO]->() RETURN count(r) AS n', { app })).toBe(0);
      expect(await count('MATCH (:Host {key: $web})-[:HAS_SERVICE]->(s) RETURN count(s) AS n', { web })).toBe(1);
    });

    test('lldp wiring, and its removal when the neighbour is gone', async () => {
      await ingest(lldpWeb1, web);
      const wired = await store.read<{ sw: string; port: string }>(
        `MATCH (:Host {key: $web})-[:HAS_NIC]->(:NIC {name: 'eth0'})-[:WIRED_TO]->(p:SwitchPort)<-[:HAS_PORT]-(sw:Switch)
         RETURN sw.name AS sw, p.port_id AS port`,
        { web },
      );
      expect(wired).toEqual([{ sw: 'switch1', port: 'sw1p3' }]);
      await ingest({ ...lldpWeb1, data: { ...lldpWeb1.data, neighbors: [] } }, web);
      expect(await count('MATCH (:Host {key: $web})-[:HAS_NIC]->()-[r:WIRED_TO]->() RETURN count(r) AS n', { web })).toBe(0);
    });

    test('raw results are kept for unknown types; a failure is recorded beside the last good JSON', async () => {
      await ingest({ discovertype: 'site-inventory', description: '', host: 'web1', source: 'x', data: { rack: 'B7' } }, web);
      await store.runPlan(failurePlan({ name: 'site-inventory', code: 'timeout', message: 'no result within 60000 ms', exitCode: null, stderr: '' }, ctx(web)));
      const rows = await store.read<{ json: string; status: string; code: string }>(
        `MATCH (:Host {key: $web})-[:HAS_DISCOVERY]->(d:DiscoveryResult {discovertype: 'site-inventory'})
         RETURN d.json AS json, d.status AS status, d.error_code AS code`,
        { web },
      );
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]?.json ?? '{}').data).toEqual({ rack: 'B7' });
      expect(rows[0]).toMatchObject({ status: 'error', code: 'timeout' });
    });

    test('a long raw document is kept deflated and read back whole; a short one stays text', async () => {
      const items = Array.from({ length: 300 }, (_, i) => ({ slot: i, serial: `SN${1000 + i}`, model: 'QSFP28-100G-LR4' }));
      const long = { discovertype: 'optics-inventory', description: '', host: 'web1', source: 'x', data: { items } };
      await ingest(long, web);
      const [row] = await store.read<{ json: string | null; bytes: unknown }>(
        `MATCH (d:DiscoveryResult {key: $key}) RETURN d.json AS json, d.json_deflate AS bytes`,
        { key: `${web}/optics-inventory` },
      );
      expect(row?.json).toBeNull();
      // Stored as a byte[] (the driver's Int8Array), not a list of integers.
      expect(row?.bytes).toBeInstanceOf(Int8Array);
      expect((row?.bytes as Int8Array).byteLength).toBeLessThan(JSON.stringify(long).length / 3);
      const read = await hostDiscoveryDocument(store, web, 'optics-inventory');
      expect(read?.document).toEqual(long);

      await ingest({ ...long, data: { items: items.slice(0, 2) } }, web);
      const [short] = await store.read<{ json: string | null; bytes: unknown }>(
        `MATCH (d:DiscoveryResult {key: $key}) RETURN d.json AS json, d.json_deflate AS bytes`,
        { key: `${web}/optics-inventory` },
      );
      expect(short?.bytes).toBeNull();
      expect(JSON.parse(short?.json ?? '{}').data.items).toHaveLength(2);
    });
  });
});
