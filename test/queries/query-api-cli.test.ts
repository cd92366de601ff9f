/**
 * The named queries through their two doors: the REST API (a real HTTP server on port 0) and the
 * `unimatrix query` command (its action function, and a real process).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { candidateUris, parseKeyValues, runQueryCommand, type Output } from '../../cli/commands/query-command';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { startApiServer, type ApiServer } from '../../cma/api/http-server';
import { queriesRoute } from '../../cma/api/queries-route';
import { GraphStore } from '../../cma/graph/graph-store';
import { silentLogger } from '../../common/logger';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from '../discovery/migrated-store';
import { removeTestHosts } from '../discovery/remove-test-hosts';
import { buildSmallFleet, type SmallFleet } from './small-fleet';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const CLI = ['-r', path.join(ROOT, 'test', 'protocol', 'ts-require-hook.js'), path.join(__dirname, 'query-cli-main.ts')];

function captured(): Output & { out: string; err: string } {
  const o = { out: '', err: '', stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

/** Runs the stand-in CLI as a real process; resolves with its exit status and output. */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], { env: { PATH: process.env.PATH, ...env }, cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('query command pieces that need no database', () => {
  test('key=value words', () => {
    expect(parseKeyValues(['host=web1', 'note=a=b', 'empty='])).toEqual({ ok: true, values: { host: 'web1', note: 'a=b', empty: '' } });
    expect(parseKeyValues(['host'])).toEqual({ ok: false, message: 'expected key=value, got "host"' });
    expect(parseKeyValues(['=x'])).toMatchObject({ ok: false });
    expect(parseKeyValues(['a=1', 'a=2'])).toEqual({ ok: false, message: 'parameter "a" given twice' });
  });

  test('without a configured URI it tries the recorded local Neo4j, then the configured local port', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-query-home-'));
    try {
      const config = () => loadCmaConfig({ env: { UNIMATRIX_NEO4J_HOME: home, UNIMATRIX_NEO4J_PORT: '7999' } });
      expect(candidateUris(config())).toEqual(['bolt://127.0.0.1:7999']);
      writeFileSync(path.join(home, 'unimatrix-neo4j.json'), JSON.stringify({ pid: 1, uri: 'bolt://127.0.0.1:40111', home }));
      expect(candidateUris(config())).toEqual(['bolt://127.0.0.1:40111', 'bolt://127.0.0.1:7999']);
      expect(candidateUris(loadCmaConfig({ env: { NEO4J_URI: 'bolt://db.example:7687', UNIMATRIX_NEO4J_HOME: home } }))).toEqual(['bolt://db.example:7687']);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('listing the queries needs no database; a query against an unreachable one fails with a hint', async () => {
    const list = captured();
    expect(await runQueryCommand({ params: [] }, list)).toBe(0);
    expect(list.out).toMatch(/^host-dependents\n {4}Which hosts depend on a host/m);
    expect(list.out).toMatch(/ {4}host=<string> {2}\(required\)/);
    expect(list.out).toMatch(/ {4}depth=<integer 1\.\.4> {2}\(default 1\)/);

    const json = captured();
    expect(await runQueryCommand({ params: [], json: true }, json)).toBe(0);
    const names = (JSON.parse(json.out) as Array<{ name: string }>).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['host-inventory', 'address-owner', 'host-services', 'port-listeners', 'host-dependents', 'switch-hosts', 'unmonitored-services']));

    const down = captured();
    expect(await runQueryCommand({ name: 'host-inventory', params: [], env: { NEO4J_URI: 'bolt://127.0.0.1:1' } }, down)).toBe(1);
    expect(down.err).toMatch(/no Neo4j answers \(tried bolt:\/\/127\.0\.0\.1:1: .*\)/);
    expect(down.err).toMatch(/unimatrix neo4j start/);
  });

  test('usage errors exit 2 before any connection', async () => {
    const unknown = captured();
    expect(await runQueryCommand({ name: 'no-such-query', params: [] }, unknown)).toBe(2);
    expect(unknown.err).toMatch(/no query named "no-such-query"; known: address-owner, /);
    const malformed = captured();
    expect(await runQueryCommand({ name: 'host-services', params: ['web1'] }, malformed)).toBe(2);
    expect(malformed.err).toMatch(/expected key=value/);
  });
});

describeWithNeo4j('named queries through the API and the CLI', () => {
  let store: GraphStore;
  let api: ApiServer;
  let fleet: SmallFleet;
  const prefix = uniquePrefix('query-doors');
  const env = () => ({ NEO4J_URI: process.env.NEO4J_URI ?? '' });

  async function get(pathAndQuery: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${api.url}/api${pathAndQuery}`);
    return { status: response.status, body: await response.json() };
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    fleet = await buildSmallFleet(store, prefix);
    api = await startApiServer([queriesRoute(store)], '127.0.0.1', 0, silentLogger);
  });

  afterAll(async () => {
    await api.close();
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('GET /api/queries lists every query with its typed parameters', async () => {
    const { status, body } = await get('/queries');
    expect(status).toBe(200);
    const dependents = body.find((q: { name: string }) => q.name === 'host-dependents');
    expect(dependents.description).toMatch(/Which hosts depend on a host/);
    expect(dependents.parameters).toEqual([
      { name: 'host', type: 'string', required: true, default: null, description: "the host's name" },
      { name: 'depth', type: 'integer 1..4', required: false, default: 1, description: 'how many hops of dependency to follow' },
      { name: 'limit', type: 'integer 1..10000', required: false, default: 1000, description: 'most rows returned' },
    ]);
  });

  test('GET /api/queries/<name>?… answers with rows as plain JSON', async () => {
    const { status, body } = await get(`/queries/host-dependents?host=${encodeURIComponent(fleet.db)}&depth=2`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ query: 'host-dependents', parameters: { host: fleet.db, depth: 2, limit: 1000 }, rowCount: 2, truncated: false });
    expect(body.rows.map((r: { host: string; distance: number }) => [r.host, r.distance])).toEqual([[fleet.web, 1], [fleet.app, 2]]);
  });

  test('bad parameters are a 400 naming the parameter; unknown queries a 404', async () => {
    const cases: Array<[string, string, RegExp]> = [
      [`/queries/host-dependents?host=x&depth=9`, 'depth', /between 1 and 4/],
      [`/queries/host-dependents?depth=2`, 'host', /required parameter missing/],
      [`/queries/host-dependents?host=x&colour=red`, 'colour', /unknown parameter/],
      [`/queries/port-listeners?port=80&port=81`, 'port', /given more than once/],
      [`/queries/address-owner?address=web1`, 'address', /IPv4\/IPv6 address or a MAC/],
    ];
    for (const [url, parameter, message] of cases) {
      const { status, body } = await get(url);
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'UNI_API_BAD_PARAMETER', parameter });
      expect(body.error.message).toMatch(new RegExp(`^parameter "${parameter}": `));
      expect(body.error.message).toMatch(message);
    }
    const missing = await get('/queries/who-knows');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('UNI_API_NO_SUCH_QUERY');
  });

  test('a Neo4j that does not answer is a 503', async () => {
    const dead = GraphStore.open({ uri: 'bolt://127.0.0.1:1', database: 'neo4j' }, { maxRetryTimeMs: 0 });
    const deadApi = await startApiServer([queriesRoute(dead)], '127.0.0.1', 0, silentLogger);
    try {
      const response = await fetch(`${deadApi.url}/api/queries/host-inventory`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNI_API_GRAPH_UNAVAILABLE');
    } finally {
      await deadApi.close();
      await dead.close();
    }
  });

  test('the command prints the answer as JSON (action function)', async () => {
    const o = captured();
    expect(await runQueryCommand({ name: 'switch-hosts', params: [`switch=${fleet.switches.front.name}`], env: env() }, o)).toBe(0);
    const answer = JSON.parse(o.out) as { rows: Array<{ host: string }> };
    expect(answer.rows.map((r) => r.host)).toEqual([fleet.web, fleet.app]);
    const bad = captured();
    expect(await runQueryCommand({ name: 'port-listeners', params: ['port=http'], env: env() }, bad)).toBe(2);
    expect(bad.err).toBe('parameter "port": expected an integer (type integer 1..65535)\n');
  });

  test('`unimatrix query` as a real process: list, answer, refuse', async () => {
    const list = await cli(['query'], env());
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^unmonitored-services$/m);

    const answer = await cli(['query', 'host-dependents', `host=${fleet.db}`, 'depth=2'], env());
    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(0);
    const parsed = JSON.parse(answer.stdout) as { rows: Array<{ host: string; programs: string[] }> };
    expect(parsed.rows.map((r) => [r.host, r.programs])).toEqual([[fleet.web, ['nginx']], [fleet.app, ['curl']]]);

    const bad = await cli(['query', 'host-dependents', `host=${fleet.db}`, 'depth=zero'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/parameter "depth": expected an integer/);

    const down = await cli(['query', 'host-inventory'], { NEO4J_URI: 'bolt://127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/no Neo4j answers/);
  });
});
