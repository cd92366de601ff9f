import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphStore } from './graph-store';
import { int, nowMillis } from './values';
import { projectRoot } from '../../common/project-package';

export type Migration = { version: number; name: string; statements: string[] };

export type MigrationReport = { version: number; applied: string[]; skipped: string[] };

const FILE = /^(\d{3})-([a-z0-9-]+)\.cypher$/;

export function defaultSchemaDir(): string {
  return path.join(projectRoot(), 'graph-schema');
}

/** Reads `NNN-name.cypher` files in version order; statements are separated by `;` at line ends. */
export function loadMigrations(dir: string = defaultSchemaDir()): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: FILE.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2] ?? file,
      statements: splitStatements(readFileSync(path.join(dir, file), 'utf8')),
    }))
    .sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new Error(`two schema migrations share version ${m.version} in ${dir}`);
    seen.add(m.version);
  }
  return migrations;
}

export function splitStatements(text: string): string[] {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Brings the schema up to date. Applied versions are recorded on one `SchemaVersion` node, so each
 * migration runs once; the statements themselves are written to be idempotent (IF NOT EXISTS), so a
 * crash between a statement and the record is harmless.
 */
export async function applyMigrations(store: GraphStore, migrations: Migration[] = loadMigrations()): Promise<MigrationReport> {
  const applied: string[] = [];
  const skipped: string[] = [];
  let current = await schemaVersion(store);
  for (const migration of migrations) {
    const label = `${String(migration.version).padStart(3, '0')}-${migration.name}`;
    if (migration.version <= current) {
      skipped.push(label);
      continue;
    }
    // Schema commands cannot share a transaction with data writes: one auto-commit call each.
    for (const statement of migration.statements) await runSchemaStatement(store, statement);
    await store.write(
      `MERGE (v:SchemaVersion {key: 'unimatrix'})
       ON CREATE SET v.firstseen = $now
       SET v.version = CASE WHEN coalesce(v.version, 0) > $version THEN v.version ELSE $version END,
           v.lastupdated = $now,
           v.applied = CASE WHEN $label IN coalesce(v.applied, []) THEN v.applied ELSE coalesce(v.applied, []) + $label END`,
      { version: int(migration.version), label, now: nowMillis() },
    );
    current = migration.version;
    applied.push(label);
  }
  return { version: current, applied, skipped };
}

/** Codes Neo4j gives when another process created the same schema rule a moment earlier. */
const ALREADY_THERE = new Set([
  'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists',
  'Neo.ClientError.Schema.IndexAlreadyExists',
  'Neo.ClientError.Schema.ConstraintAlreadyExists',
]);

/**
 * `IF NOT EXISTS` is checked before the rule is created, so two processes migrating at once (two CMAs,
 * parallel tests) can both pass the check; the loser's "already exists" means the work is done.
 */
async function runSchemaStatement(store: GraphStore, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.runAutoCommit(statement);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (ALREADY_THERE.has(code)) return;
      // Two migrators taking schema locks in different orders deadlock; Neo4j calls that transient.
      if (!code.startsWith('Neo.TransientError.') || attempt >= 8) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
  }
}

/** The highest migration applied to this database, 0 for a new one. */
export async function schemaVersion(store: GraphStore): Promise<number> {
  const rows = await store.read<{ version: unknown }>(`MATCH (v:SchemaVersion {key: 'unimatrix'}) RETURN v.version AS version`);
  const version = rows[0]?.version;
  if (version === undefined || version === null) return 0;
  return typeof version === 'number' ? version : Number(String(version));
}
