import { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations, loadMigrations, schemaVersion } from '../../cma/graph/migrations';
import { describeWithNeo4j, testStore, uniquePrefix } from '../support/neo4j';

const KEYED_LABELS = ['Host', 'NIC', 'IPAddress', 'Subnet', 'Process', 'TCPService', 'Switch', 'SwitchPort', 'MonitorAction', 'Alert', 'Ring'];

async function schemaSnapshot(store: GraphStore): Promise<{ constraints: string[]; indexes: string[] }> {
  const constraints = await store.read<{ name: string; type: string; labels: string[]; props: string[] }>(
    'SHOW CONSTRAINTS YIELD name, type, labelsOrTypes AS labels, properties AS props RETURN name, type, labels, props ORDER BY name',
  );
  const indexes = await store.read<{ name: string; labels: string[]; props: string[] }>(
    'SHOW INDEXES YIELD name, labelsOrTypes AS labels, properties AS props WHERE labels IS NOT NULL RETURN name, labels, props ORDER BY name',
  );
  return {
    constraints: constraints.map((c) => `${c.name}:${c.type}:${c.labels.join(',')}:${c.props.join(',')}`),
    indexes: indexes.map((i) => `${i.name}:${i.labels.join(',')}:${i.props.join(',')}`),
  };
}

describeWithNeo4j('graph schema migrations (real Neo4j)', () => {
  let store: GraphStore;
  beforeAll(() => {
    store = testStore();
  });
  afterAll(async () => {
    await store.close();
  });

  test('applying twice leaves the same constraints and indexes, and the second run applies nothing', async () => {
    const migrations = loadMigrations();
    const first = await applyMigrations(store, migrations);
    const afterFirst = await schemaSnapshot(store);
    const second = await applyMigrations(store, migrations);
    const afterSecond = await schemaSnapshot(store);

    expect(second.applied).toEqual([]);
    expect(second.skipped).toHaveLength(migrations.length);
    expect(second.version).toBe(first.version);
    expect(afterSecond).toEqual(afterFirst);
    expect(await schemaVersion(store)).toBe(Math.max(...migrations.map((m) => m.version)));
  });

  test('re-running every statement after the record is lost changes nothing (statements are idempotent)', async () => {
    await applyMigrations(store);
    const before = await schemaSnapshot(store);
    for (const migration of loadMigrations()) {
      for (const statement of migration.statements) await store.runAutoCommit(statement);
    }
    expect(await schemaSnapshot(store)).toEqual(before);
  });

  test('every domain label has a uniqueness constraint on its key', async () => {
    await applyMigrations(store);
    const rows = await store.read<{ labels: string[]; props: string[] }>(
      "SHOW CONSTRAINTS YIELD type, labelsOrTypes AS labels, properties AS props WHERE type = 'UNIQUENESS' RETURN labels, props",
    );
    const unique = new Set(rows.map((r) => `${r.labels[0]}.${r.props.join(',')}`));
    for (const label of KEYED_LABELS) expect(unique).toContain(`${label}.key`);
  });

  test('a uniqueness constraint rejects a second node with the same key', async () => {
    await applyMigrations(store);
    const key = `${uniquePrefix('unique')}host`;
    await store.write('CREATE (:Host {key: $key})', { key });
    await expect(store.write('CREATE (:Host {key: $key})', { key })).rejects.toMatchObject({
      code: 'Neo.ClientError.Schema.ConstraintValidationFailed',
    });
    const rows = await store.read<{ n: { toNumber(): number } }>('MATCH (h:Host {key: $key}) RETURN count(h) AS n', { key });
    expect(rows[0]?.n.toNumber()).toBe(1);
    await store.write('MATCH (h:Host {key: $key}) DELETE h', { key });
  });
});
