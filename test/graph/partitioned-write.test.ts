import { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { laneOf, writePartitioned } from '../../cma/graph/partitioned-write';
import { describeWithNeo4j, testStore, uniquePrefix } from '../support/neo4j';

test('a partition always maps to the same lane, and the lanes share the partitions out', () => {
  const hosts = Array.from({ length: 3_000 }, (_, i) => `host-${i}`);
  const counts = [0, 0, 0];
  for (const h of hosts) {
    const lane = laneOf(h, 3);
    expect(laneOf(h, 3)).toBe(lane);
    counts[lane]! += 1;
  }
  for (const c of counts) expect(c).toBeGreaterThan(800);
  expect(laneOf('anything', 1)).toBe(0);
});

describeWithNeo4j('partitioned writes (real Neo4j)', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('lanes');
  beforeAll(async () => {
    // Tiny chunks, so every lane commits many transactions and the lanes interleave.
    store = testStore({ batchSize: 7, maxRowsPerTransaction: 0 });
    await applyMigrations(store);
  });
  afterAll(async () => {
    await store.write('MATCH (x) WHERE (x:Host OR x:NIC) AND x.key STARTS WITH $prefix DETACH DELETE x', { prefix });
    await store.close();
  });

  test('every row lands, and a later statement of the plan finds what an earlier one merged in its lane', async () => {
    const hosts = Array.from({ length: 60 }, (_, i) => ({ host: `${prefix}h${i}`, key: `${prefix}h${i}` }));
    const nics = hosts.flatMap(({ host }) => [0, 1, 2].map((n) => ({ host, key: `${host}/eth${n}` })));
    const result = await writePartitioned(
      store,
      [
        { cypher: 'UNWIND $rows AS row MERGE (h:Host {key: row.key})', rows: hosts },
        // MATCH, not MERGE, on the host: a NIC row whose host was not written before it is lost.
        { cypher: 'UNWIND $rows AS row MATCH (h:Host {key: row.host}) MERGE (h)-[:HAS_NIC]->(:NIC {key: row.key})', rows: nics },
      ],
      { lanes: 3, partitionOf: (row) => String(row.host) },
    );
    expect(result.rows).toBe(hosts.length + nics.length);
    expect(result.transactions).toBeGreaterThan(3);
    const counted = await store.read<{ n: { toNumber(): number } }>(
      'MATCH (h:Host)-[:HAS_NIC]->(n:NIC) WHERE h.key STARTS WITH $prefix RETURN count(n) AS n',
      { prefix },
    );
    expect(counted[0]!.n.toNumber()).toBe(nics.length);
  });
});
