/**
 * The handover table in the real Neo4j: what the poller service persists is what a restarted CMA
 * loads, link by link, and a restarted service resumes it without moving a device.
 */
import type { GraphStore } from '../../cma/graph/graph-store';
import { LeaseStore } from '../../cma/pollers/lease-store';
import { PollerService } from '../../cma/pollers/poller-service';
import type { AssignMessage } from '../../cma/pollers/assign-messages';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from '../discovery/migrated-store';

describeWithNeo4j('poller leases in Neo4j', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('leases');
  const A = 'a1a1a1a1a1a1a1a1';
  const mine = (rows: Array<[string, unknown]>) => new Map(rows.filter(([k]) => k.startsWith(prefix)));

  beforeAll(async () => {
    store = await migratedTestStore();
  });
  afterAll(async () => {
    await store.write(`MATCH (d:NetworkDevice) WHERE d.key STARTS WITH $prefix DETACH DELETE d`, { prefix });
    await store.write(`MATCH (w:PollerWorker) WHERE w.key STARTS WITH $a AND NOT (w)--() DELETE w`, { a: A });
    await store.close();
  });

  test('holder and incoming links round-trip; a changed one replaces the old; a removed device keeps no link', async () => {
    const leases = new LeaseStore(store);
    const d1 = `${prefix}-sw1`;
    const d2 = `${prefix}-sw2`;
    await leases.persist([
      [d1, { holder: `${A}/0`, incoming: `${A}/1` }],
      [d2, { holder: null, incoming: `${A}/0` }],
    ]);
    expect(mine(await leases.load())).toEqual(new Map([
      [d1, { holder: `${A}/0`, incoming: `${A}/1` }],
      [d2, { holder: null, incoming: `${A}/0` }],
    ]));
    await leases.persist([[d1, { holder: `${A}/1`, incoming: null }], [d2, null]]);
    expect(mine(await leases.load())).toEqual(new Map([[d1, { holder: `${A}/1`, incoming: null }]]));
    const links = await store.read<{ n: { toNumber(): number } }>(`MATCH (:NetworkDevice {key: $d1})-[r:POLLED_BY]->() RETURN count(r) AS n`, { d1 });
    expect(links[0]?.n.toNumber()).toBe(1);
  });

  test('a restarted service loads the table and tells a returning poller what it held, moving nothing', async () => {
    const leases = new LeaseStore(store);
    const devices = Array.from({ length: 40 }, (_, i) => ({
      device: `${prefix}-r${i}`, address: '127.0.0.1', port: 22, platform: 'arista_eos', credential: 'lab',
      commands: [{ command: 'show version', intervalSeconds: 60 }],
    }));
    let now = 0;
    const sent: AssignMessage[] = [];
    const make = (initial: Array<[string, { holder: string | null; incoming: string | null }]>) =>
      new PollerService({ send: async (m) => void sent.push(m), persist: (c) => leases.persist(c), now: () => now, leaseMs: 1_000, initial });
    const first = make([]);
    now = 1_000;
    await first.setInventory(devices);
    const workers = { workers: [{ index: 0, capacity: 10, state: 'up' as const }, { index: 1, capacity: 10, state: 'up' as const }] };
    await first.workersReported(A, 'poller-a', workers);
    for (const m of [...sent]) for (const t of m.payload.start) await first.confirmed(A, { epoch: m.payload.epoch, worker: m.payload.worker, device: t.device, firstPollAt: 1 });
    const before = new Map(first.status().devices.map((d) => [d.device, d.holder]));
    expect([...before.values()].every((h) => h !== null)).toBe(true);

    sent.length = 0;
    const restarted = make([...mine(await leases.load())] as Array<[string, { holder: string | null; incoming: string | null }]>);
    await restarted.setInventory(devices);
    await restarted.workersReported(A, 'poller-a', workers);
    const told = sent.flatMap((m) => m.payload.start.map((t): [string, string] => [t.device, `${A}/${m.payload.worker}`]));
    expect(new Map(told)).toEqual(before);
    now = 2_500; // past the restart's grace; the poller renewed within its lease
    await restarted.workersReported(A, 'poller-a', workers);
    await restarted.tick();
    expect(new Map(restarted.status().devices.map((d) => [d.device, d.holder]))).toEqual(before);
    expect(restarted.status().devices.every((d) => d.incoming === null)).toBe(true);
  });
});
