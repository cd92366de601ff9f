import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadCmaConfig, type CmaConfig } from '../../cma/config/cma-config';
import { GraphStore } from '../../cma/graph/graph-store';
import { builtinQueryDir, QueryCatalog, type QuerySummary } from '../../cma/queries/query-catalog';
import { runNamedQuery } from '../../cma/queries/query-runner';

export type QueryCommandInput = {
  name?: string;
  /** `key=value` words */
  params: string[];
  config?: string;
  neo4jUri?: string;
  /** extra query directories, searched before the project's cypher/ */
  queryDir?: string[];
  json?: boolean;
  env?: NodeJS.ProcessEnv;
};

export type Output = { stdout: (text: string) => void; stderr: (text: string) => void };

const processOutput: Output = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/**
 * `unimatrix query` lists the named queries; `unimatrix query <name> key=value…` runs one in a read
 * transaction and prints its answer as JSON.
 *
 * Which Neo4j: the configured one (`neo4j.uri`, NEO4J_URI, --neo4j-uri); without one, the local
 * Neo4j — the URI `unimatrix neo4j start` recorded, then 127.0.0.1 at the configured local port
 * (where `unimatrix cma` starts it). It never starts a Neo4j itself: a query about the fleet is only
 * meaningful against the database the CMA writes, and an empty fresh one would answer wrongly.
 */
export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('run a named query from cypher/ and print its answer as JSON; without a name, list the queries')
    .argument('[name]', 'the query to run')
    .argument('[params...]', 'its parameters, as key=value')
    .option('-c, --config <file>', 'YAML configuration file (default: $UNIMATRIX_CONFIG)')
    .option('--neo4j-uri <uri>', 'query this Neo4j instead of the configured or local one')
    .option('--query-dir <dir>', 'another directory of .cypher queries, searched first (repeatable)', collect, [] as string[])
    .option('--json', 'list the queries as JSON')
    .action(async (name: string | undefined, params: string[], opts: Omit<QueryCommandInput, 'name' | 'params'>) => {
      process.exitCode = await runQueryCommand({ ...opts, name, params }, processOutput);
    });
}

/** Commander's collector for a repeatable option that takes exactly one value each time. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The command's work; returns the exit status (0 ok, 1 database unreachable or failing, 2 usage). */
export async function runQueryCommand(input: QueryCommandInput, out: Output): Promise<number> {
  const catalog = new QueryCatalog([...(input.queryDir ?? []), builtinQueryDir()]);
  for (const problem of catalog.problems) out.stderr(`warning: ${problem}\n`);
  if (input.name === undefined) {
    out.stdout(input.json ? `${JSON.stringify(catalog.list(), null, 2)}\n` : formatList(catalog.list()));
    return 0;
  }
  const query = catalog.get(input.name);
  if (!query) {
    out.stderr(`no query named ${JSON.stringify(input.name)}; known: ${catalog.names().join(', ')}\n`);
    return 2;
  }
  const params = parseKeyValues(input.params);
  if (!params.ok) {
    out.stderr(`${params.message}\n`);
    return 2;
  }

  let config: CmaConfig;
  try {
    config = loadCmaConfig({ file: input.config, env: input.env ?? process.env, flags: { 'neo4j.uri': input.neo4jUri } });
  } catch (err) {
    if (err instanceof ConfigError) {
      out.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const store = await connect(config, out);
  if (store === null) return 1;
  try {
    const outcome = await runNamedQuery(store, query, params.values);
    if (!outcome.ok) {
      out.stderr(`parameter "${outcome.parameter}": ${outcome.message}\n`);
      return 2;
    }
    out.stdout(`${JSON.stringify(outcome.answer, null, 2)}\n`);
    return 0;
  } catch (err) {
    out.stderr(`query ${query.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

export function parseKeyValues(words: readonly string[]): { ok: true; values: Record<string, string> } | { ok: false; message: string } {
  const values: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) return { ok: false, message: `expected key=value, got ${JSON.stringify(word)}` };
    const key = word.slice(0, eq);
    if (Object.hasOwn(values, key)) return { ok: false, message: `parameter "${key}" given twice` };
    values[key] = word.slice(eq + 1);
  }
  return { ok: true, values };
}

/** The URIs to try, in order: the configured one alone, or the local Neo4j's. */
export function candidateUris(config: CmaConfig): string[] {
  if (config.neo4j.uri !== undefined) return [config.neo4j.uri];
  const uris: string[] = [];
  // `unimatrix neo4j start` records where it put the database (cli/commands/neo4j-command.ts).
  const pidFile = path.join(config.neo4j.local.home, 'unimatrix-neo4j.json');
  if (existsSync(pidFile)) {
    try {
      const recorded = (JSON.parse(readFileSync(pidFile, 'utf8')) as { uri?: unknown }).uri;
      if (typeof recorded === 'string') uris.push(recorded);
    } catch {
      // A damaged pid file only costs this candidate.
    }
  }
  const local = `bolt://127.0.0.1:${config.neo4j.local.port}`;
  if (!uris.includes(local)) uris.push(local);
  return uris;
}

async function connect(config: CmaConfig, out: Output): Promise<GraphStore | null> {
  const tried: string[] = [];
  for (const uri of candidateUris(config)) {
    // No transaction retries: an unreachable database should answer in seconds, not after 30.
    const store = GraphStore.open(
      { uri, user: config.neo4j.user, password: config.neo4j.password, database: config.neo4j.database },
      { maxRetryTimeMs: 0 },
    );
    try {
      await store.driver.verifyConnectivity({ database: config.neo4j.database });
      return store;
    } catch (err) {
      tried.push(`${uri}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      await store.close();
    }
  }
  out.stderr(
    `no Neo4j answers (tried ${tried.join('; ')}).\n` +
      'Start the CMA (`unimatrix cma`) or the local database (`unimatrix neo4j start`), or point NEO4J_URI / --neo4j-uri at yours.\n',
  );
  return null;
}

function formatList(queries: QuerySummary[]): string {
  const lines: string[] = [];
  for (const q of queries) {
    lines.push(`${q.name}`, `    ${q.description}`);
    for (const p of q.parameters) {
      const when = p.required ? 'required' : p.default === null ? 'optional' : `default ${String(p.default)}`;
      lines.push(`    ${p.name}=<${p.type}>  (${when})${p.description ? `  ${p.description}` : ''}`);
    }
    lines.push('');
  }
  lines.push('run one with: unimatrix query <name> key=value …');
  return `${lines.join('\n')}\n`;
}
