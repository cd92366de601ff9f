import { isInt } from 'neo4j-driver';
import { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { int } from '../../cma/graph/values';
import { describeWithNeo4j, testStore, uniquePrefix } from '../support/neo4j';

describeWithNeo4j('batched writes (real Neo4j)', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('batch');
  beforeAll(async () => {
    store = testStore({ batchSize: 5_000, maxRowsPerTransaction: 20_000 });
    await applyMigrations(store);
  });
  afterAll(async () => {
    // Bounded cleanup, as production code does it.
    for (;;) {
      const rows = await store.write<{ n: { toNumber(): number } }>(
        'MATCH (h:Host) WHERE h.key STARTS WITH $prefix WITH h LIMIT 10000 DETACH DELETE h RETURN count(*) AS n',
        { prefix },
      );
      if ((rows[0]?.n.toNumber() ?? 0) === 0) break;
    }
    await store.close();
  });

  test('50,000 rows land exactly, in bounded chunks, and integers stay integers', async () => {
    const total = 50_000;
    const rows = Array.from({ length: total }, (_, i) => ({
      key: `${prefix}${i}`,
      index: int(i),
      big: int(BigInt(2) ** BigInt(53) + BigInt(i)),
      ratio: i / 7,
    }));
    const result = await store.writeBatched(
      `UNWIND $rows AS row
       MERGE (h:Host {key: row.key})
       ON CREATE SET h.firstseen = $now
       SET h.index = row.index, h.big = row.big, h.ratio = row.ratio, h.lastupdated = $now`,
      rows,
      { now: int(1_700_000_000_000) },
    );
    expect(result).toEqual({ rows: total, statements: total / 5_000, transactions: total / 5_000 });

    const counted = await store.read<{ n: { toNumber(): number } }>('MATCH (h:Host) WHERE h.key STARTS WITH $prefix RETURN count(h) AS n', { prefix });
    expect(counted[0]?.n.toNumber()).toBe(total);

    for (const i of [0, 1, 4_999, 5_000, 31_337, total - 1]) {
      const got = await store.read<{ index: unknown; big: unknown; ratio: unknown; indexType: string; bigType: string; ratioType: string }>(
        `MATCH (h:Host {key: $key})
         RETURN h.index AS index, h.big AS big, h.ratio AS ratio,
                valueType(h.index) AS indexType, valueType(h.big) AS bigType, valueType(h.ratio) AS ratioType`,
        { key: `${prefix}${i}` },
      );
      const row = got[0]!;
      expect(row.indexType).toBe('INTEGER NOT NULL');
      expect(row.bigType).toBe('INTEGER NOT NULL');
      expect(row.ratioType).toBe('FLOAT NOT NULL');
      expect(isInt(row.index)).toBe(true);
      expect(String(row.index)).toBe(String(i));
      expect(String(row.big)).toBe((BigInt(2) ** BigInt(53) + BigInt(i)).toString());
      expect(row.ratio).toBeCloseTo(i / 7, 12);
    }
  });

  test('a small plan is one transaction: a failing statement leaves nothing behind', async () => {
    const key = `${prefix}atomic`;
    await expect(
      store.runPlan([
        { cypher: 'UNWIND $rows AS row CREATE (:Host {key: row.key})', rows: [{ key }] },
        { cypher: 'UNWIND $rows AS row CREATE (:Host {key: row.key})', rows: [{ key }] },
      ]),
    ).rejects.toMatchObject({ code: 'Neo.ClientError.Schema.ConstraintValidationFailed' });
    const rows = await store.read<{ n: { toNumber(): number } }>('MATCH (h:Host {key: $key}) RETURN count(h) AS n', { key });
    expect(rows[0]?.n.toNumber()).toBe(0);
  });

  test('int() refuses a fractional number instead of storing a float', () => {
    expect(() => int(1.5)).toThrow(/not an integer/);
  });
});
