/**
 * `discovery.concurrency` against the real Neo4j: results of other discovertypes (processes,
 * packages) do not wait behind tcp and netconfig results that queue for their one-at-a-time turn,
 * because a result waiting for its turn holds no slot of the limit.
 */
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService, type IngestReport } from '../../cma/discovery/ingest-service';
import { Limiter } from '../../cma/discovery/limiter';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { doc, netconfig, processes, tcp } from './connection-docs';
import { GatedStore } from './gated-store';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { okResult } from './wire-results';

describeWithNeo4j('results worked on at once (discovery.concurrency)', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('ingest-slots');
  const net = `198.18.${Math.floor(Math.random() * 250) + 1}`;

  beforeAll(async () => {
    store = await migratedTestStore();
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('a processes and a packages result go through while tcp and netconfig results wait for their turn', async () => {
    const gated = new GatedStore(store);
    const ingest = new DiscoveryIngestService({ store: gated });
    const limiter = new Limiter(2);
    const [first, second, third, other] = ['first', 'second', 'third', 'other'].map((n) => `${prefix}${n}`) as [string, string, string, string];
    const send = (host: string, document: unknown): Promise<IngestReport> => ingest.ingest(host, okResult(document), limiter);

    // The first tcp write is held in its turn, in the database (it holds a slot: it is working).
    const held = gated.gate((call) => call.kind === 'plan' && call.host === first);
    const firstTcp = send(first, tcp(first, [{ ip: '0.0.0.0', port: 5432, pid: 800, comm: 'postgres' }], []));
    await held.reached;
    // Two more crossHost results queue for the turn behind it.
    const queued = [
      send(second, tcp(second, [], [{ ip: `${net}.1`, port: 5432, pid: 4000, comm: 'psql' }])),
      send(third, netconfig(third, [`${net}.3`])),
    ];

    // With one slot taken by the held write, the second slot is free for everything else.
    const others = [
      await send(other, processes(other, [{ pid: 1, comm: 'init' }])),
      await send(other, doc('packages', other, { packages: [{ manager: 'deb', name: 'bash', version: '5.2' }] })),
    ];
    expect(others.map((r) => r.status)).toEqual(['derived', 'derived']);
    expect(limiter.load).toEqual({ running: 1, waiting: 0 });

    held.open();
    const settled = await Promise.all([firstTcp, ...queued]);
    expect(settled.map((r) => [r.host, r.status])).toEqual([
      [first, 'derived'],
      [second, 'derived'],
      [third, 'derived'],
    ]);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });
});
