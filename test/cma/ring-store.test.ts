import { HostStore } from '../../cma/fleet/host-store';
import { RingStore } from '../../cma/fleet/ring-store';
import { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { RingSet } from '../../cma/membership/ring-set';
import type { RingHost } from '../../cma/membership/types';
import { describeWithNeo4j, testStore, uniquePrefix } from '../support/neo4j';

describeWithNeo4j('rings persisted in the graph (real Neo4j)', () => {
  let store: GraphStore;
  let hostStore: HostStore;
  const prefix = uniquePrefix('rings');

  beforeAll(async () => {
    store = testStore();
    await applyMigrations(store);
    hostStore = new HostStore(store);
  });
  afterAll(async () => {
    await store.write('MATCH (h:Host) WHERE h.key STARTS WITH $prefix DETACH DELETE h', { prefix });
    await store.write('MATCH (r:Ring) WHERE NOT (r)<-[:MEMBER_OF]-() DELETE r');
    await store.close();
  });

  function host(i: number): RingHost {
    const subnet = i % 2 === 0 ? '10.77.0' : '10.77.1';
    const ip = `${subnet}.${10 + i}`;
    // Ring names carry the segment; a per-test prefix in the subnet key keeps parallel tests apart.
    return { id: `${prefix}k${i}`, address: { ip, port: 1984 }, placements: [{ kind: 'subnet', key: `${subnet}.0/24`, address: { ip, port: 1984 } }] };
  }

  test('incremental saves after joins and a leave rebuild into the same rings', async () => {
    const rings = new RingSet();
    const ringStore = new RingStore(store);
    for (let i = 0; i < 9; i++) {
      const h = host(i);
      await hostStore.join({ name: `${prefix}host${i}`, keyid: h.id, addresses: [h.address.ip], role: 'nanoprobe', startedAt: 1, at: 2 });
      const change = rings.join(h);
      await ringStore.saveHosts(rings, [h.id, ...change.configs.map((c) => c.host)]);
    }
    const leaving = `${prefix}k4`;
    const change = rings.leave(leaving);
    await ringStore.saveHosts(rings, [leaving, ...change.configs.map((c) => c.host)]);

    const mine = (snapshot: ReturnType<RingSet['snapshot']>) => ({
      ...snapshot,
      rings: snapshot.rings
        .map((r) => ({ ...r, members: r.members.filter((m) => m.host.startsWith(prefix)) }))
        .filter((r) => r.members.length > 0),
    });
    const stored = mine(await ringStore.load());
    expect(stored).toEqual(mine(rings.snapshot()));
    expect(stored.rings.flatMap((r) => r.members).some((m) => m.host === leaving)).toBe(false);

    const rebuilt = RingSet.fromSnapshot(stored);
    expect(rebuilt.audit()).toEqual([]);
    expect(rebuilt.snapshot()).toEqual(mine(rings.snapshot()));
    for (const id of rings.hostIds()) expect(rebuilt.partnersOf(id).map((p) => p.host)).toEqual(rings.partnersOf(id).map((p) => p.host));

    const next = await store.read<{ n: { toNumber(): number } }>(
      "MATCH (a:Host)-[n:RING_NEXT {ring: 'global'}]->(b:Host) WHERE a.key STARTS WITH $prefix RETURN count(n) AS n",
      { prefix },
    );
    expect(next[0]?.n.toNumber()).toBe(8);
  });
});
