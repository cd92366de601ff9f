/**
 * Group commit of discovery results against the real Neo4j (ingest-service.ts): results that queue
 * while batches are written go together in one transaction; a host's results stay in order; a held
 * crossHost batch does not hold up other results; a result whose write fails fails alone. Batches are
 * held with the service's `beforeBatch` seam, so every order here is forced, none is timed.
 */
import { z } from 'zod';
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService, type IngestReport } from '../../cma/discovery/ingest-service';
import { BUILTIN_PLUGINS, PluginRegistry } from '../../cma/discovery/registry';
import { definePlugin } from '../../cma/discovery/plugin';
import { stmt } from '../../cma/discovery/plan-kit';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { countOf, doc, netconfig, processes, tcp } from './connection-docs';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { okResult } from './wire-results';

/** Holds the batches `matches` picks until released; counts the batches it saw. */
class BatchGates {
  readonly seen: Array<Array<{ host: string; name: string }>> = [];
  private readonly held: Array<{ matches: (hosts: string[]) => boolean; reached: () => void; release: Promise<void> }> = [];

  hold(matches: (hosts: string[]) => boolean): { reached: Promise<void>; open: () => void } {
    let reached!: () => void;
    let open!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const release = new Promise<void>((r) => (open = r));
    this.held.push({ matches, reached, release });
    return { reached: reachedP, open };
  }

  readonly beforeBatch = async (results: ReadonlyArray<{ host: string; name: string }>): Promise<void> => {
    this.seen.push([...results]);
    const hosts = results.map((r) => r.host);
    const at = this.held.findIndex((h) => h.matches(hosts));
    if (at < 0) return;
    const [gate] = this.held.splice(at, 1);
    gate!.reached();
    await gate!.release;
  };
}

describeWithNeo4j('group commit of discovery results', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('group-commit');
  const net = `198.18.${Math.floor(Math.random() * 250) + 1}`;
  const host = (n: string | number) => `${prefix}${n}`;

  beforeAll(async () => {
    store = await migratedTestStore();
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('results that queue while both lanes are busy go in one transaction, each acknowledged after it', async () => {
    const gates = new BatchGates();
    const ingest = new DiscoveryIngestService({ store, beforeBatch: gates.beforeBatch });
    const a = gates.hold((hosts) => hosts.includes(host('lane-a')));
    const b = gates.hold((hosts) => hosts.includes(host('lane-b')));
    const first = [ingest.ingest(host('lane-a'), okResult(processes(host('lane-a'), [{ pid: 1, comm: 'init' }])))];
    await a.reached;
    first.push(ingest.ingest(host('lane-b'), okResult(processes(host('lane-b'), [{ pid: 1, comm: 'init' }]))));
    await b.reached;

    const names = Array.from({ length: 12 }, (_, i) => host(`queued-${i}`));
    let settled = 0;
    const queued = names.map((h, i) => ingest.ingest(h, okResult(processes(h, [{ pid: 100 + i, comm: `worker-${i}` }]))).finally(() => (settled += 1)));
    // Nothing queued can have been written: both lanes are held.
    expect(settled).toBe(0);
    expect(await countOf(store, 'MATCH (h:Host) WHERE h.key STARTS WITH $p RETURN count(h) AS n', { p: host('queued-') })).toBe(0);

    a.open();
    b.open();
    const reports: IngestReport[] = await Promise.all([...first, ...queued]);
    expect(reports.map((r) => r.status)).toEqual(Array(14).fill('derived'));
    // The twelve went together: one batch held all of them.
    expect(gates.seen.some((batch) => batch.length === 12)).toBe(true);
    expect(ingest.batchCounters.largestBatch).toBe(12);
    expect(await countOf(store, 'MATCH (h:Host)-[:RUNS]->(p:Process) WHERE h.key STARTS WITH $p RETURN count(p) AS n', { p: host('queued-') })).toBe(12);
  });

  test("one host's results are applied one at a time, in arrival order, in separate transactions", async () => {
    const gates = new BatchGates();
    const ingest = new DiscoveryIngestService({ store, beforeBatch: gates.beforeBatch });
    const h = host('ordered');
    const held = gates.hold((hosts) => hosts.includes(host('ordered-blocker')));
    const blocker = ingest.ingest(host('ordered-blocker'), okResult(processes(host('ordered-blocker'), [{ pid: 1, comm: 'init' }])));
    await held.reached;
    const versions = [1, 2, 3].map((v) => ingest.ingest(h, okResult(processes(h, [{ pid: 10 * v, comm: `v${v}` }]))));
    held.open();
    await blocker;
    expect((await Promise.all(versions)).map((r) => r.status)).toEqual(['derived', 'derived', 'derived']);
    expect(gates.seen.every((batch) => batch.filter((r) => r.host === h).length <= 1)).toBe(true);
    const names = await store.read<{ name: string }>('MATCH (:Host {key: $h})-[:RUNS]->(p:Process) RETURN p.name AS name', { h });
    expect(names.map((r) => r.name)).toEqual(['v3']);
  });

  test('a held crossHost batch holds up the next crossHost results, not the others', async () => {
    const gates = new BatchGates();
    const ingest = new DiscoveryIngestService({ store, beforeBatch: gates.beforeBatch });
    const [first, second, third, other] = ['x-first', 'x-second', 'x-third', 'x-other'].map(host) as [string, string, string, string];
    const held = gates.hold((hosts) => hosts.includes(first));
    const firstTcp = ingest.ingest(first, okResult(tcp(first, [{ ip: '0.0.0.0', port: 5432, pid: 800, comm: 'postgres' }], [])));
    await held.reached;
    let crossSettled = 0;
    const queued = [
      ingest.ingest(second, okResult(tcp(second, [], [{ ip: `${net}.1`, port: 5432, pid: 4000, comm: 'psql' }]))),
      ingest.ingest(third, okResult(netconfig(third, [`${net}.3`]))),
    ].map((p) => p.finally(() => (crossSettled += 1)));

    const others = [
      await ingest.ingest(other, okResult(processes(other, [{ pid: 1, comm: 'init' }]))),
      await ingest.ingest(other, okResult(doc('packages', other, { packages: [{ manager: 'deb', name: 'bash', version: '5.2' }] }))),
    ];
    expect(others.map((r) => r.status)).toEqual(['derived', 'derived']);
    expect(crossSettled).toBe(0);

    held.open();
    const settled = await Promise.all([firstTcp, ...queued]);
    expect(settled.map((r) => [r.host, r.status])).toEqual([
      [first, 'derived'],
      [second, 'derived'],
      [third, 'derived'],
    ]);
  });

  test('a result whose write fails fails alone; the others of its batch are written', async () => {
    // A plugin whose write Neo4j refuses (a map is no property value).
    const broken = definePlugin({
      discovertype: 'broken',
      description: 'writes a map as a property',
      dataSchema: z.object({ n: z.number() }),
      plan: (data, ctx) => [stmt('UNWIND $rows AS row MATCH (h:Host {key: row.host}) SET h.broken = row.value', [{ value: { n: data.n } }], ctx)],
    });
    const gates = new BatchGates();
    const ingest = new DiscoveryIngestService({ store, beforeBatch: gates.beforeBatch, registry: new PluginRegistry([...BUILTIN_PLUGINS, broken]) });
    const held = gates.hold((hosts) => hosts.includes(host('bad-blocker')));
    const lane = gates.hold((hosts) => hosts.includes(host('bad-blocker-2')));
    const blockers = [ingest.ingest(host('bad-blocker'), okResult(processes(host('bad-blocker'), [])))];
    await held.reached;
    blockers.push(ingest.ingest(host('bad-blocker-2'), okResult(processes(host('bad-blocker-2'), []))));
    await lane.reached;
    const good = ingest.ingest(host('good'), okResult(processes(host('good'), [{ pid: 7, comm: 'sshd' }])));
    const bad = ingest.ingest(host('bad'), okResult(doc('broken', host('bad'), { n: 1 }))).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    held.open();
    lane.open();
    await Promise.all(blockers);
    expect((await good).status).toBe('derived');
    expect(await bad).toMatch(/Property values can only be of primitive types|map/i);
    expect(ingest.batchCounters.splits).toBe(1);
    expect(await countOf(store, 'MATCH (:Host {key: $h})-[:RUNS]->(p:Process) RETURN count(p) AS n', { h: host('good') })).toBe(1);
    // Nothing of the failed result was written: its transaction rolled back.
    expect(await countOf(store, 'MATCH (d:DiscoveryResult {key: $k}) RETURN count(d) AS n', { k: `${host('bad')}/broken` })).toBe(0);
  });
});
