/**
 * Every kind of bad discovery input ends up as a readable error for that host and script, through the
 * REST API (a real HTTP server on port 0), while the last good data stays in the graph.
 */
import type { GraphStore } from '../../cma/graph/graph-store';
import { discoveryRoute } from '../../cma/api/discovery-route';
import { startApiServer, type ApiServer } from '../../cma/api/http-server';
import type { DiscoveryStatus } from '../../cma/discovery/discovery-results';
import { DiscoveryIngestService } from '../../cma/discovery/ingest-service';
import { silentLogger } from '../../common/logger';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from './migrated-store';
import { memoryWeb1, netconfigWeb1, packagesWeb1 } from './fixtures/sample-results';
import { removeTestHosts } from './remove-test-hosts';
import { failedResult, okResult } from './wire-results';

type Listing = { host: string; results: DiscoveryStatus[] };

describeWithNeo4j('discovery errors through GET /api/hosts/:name/discovery', () => {
  let store: GraphStore;
  let api: ApiServer;
  let service: DiscoveryIngestService;
  const prefix = uniquePrefix('discovery-api');
  const host = `${prefix}web`;

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${api.url}/api${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }
  async function listing(): Promise<Map<string, DiscoveryStatus>> {
    const { status, body } = await get<Listing>(`/hosts/${encodeURIComponent(host)}/discovery`);
    expect(status).toBe(200);
    expect(body.host).toBe(host);
    return new Map(body.results.map((r) => [r.discovertype, r]));
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    api = await startApiServer([discoveryRoute(store)], '127.0.0.1', 0, silentLogger);
    service = new DiscoveryIngestService({ store });
  });

  afterAll(async () => {
    await api.close();
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('each kind of failure is recorded under its script, with code, message, exit status and stderr', async () => {
    const sent = [
      failedResult('cpu', 'invalid_json', 'stdout is not one JSON document: Unexpected token < in JSON at position 0', { exitStatus: 0 }),
      failedResult('tcp', 'timeout', 'no result within 30000 ms', { signal: 'SIGKILL' }),
      failedResult('processes', 'output_too_large', 'more than 8388608 bytes on stdout', { signal: 'SIGKILL' }),
      failedResult('sshd', 'nonzero_exit', 'exit status 255', { exitStatus: 255, stderr: 'sshd: no hostkeys available -- exiting.' }),
      // A document printed by a script that then failed is not used.
      okResult(memoryWeb1, { exitStatus: 3, stderr: 'partial read' }),
      // JSON, but no discovery envelope.
      okResult({ hello: 'world' }, { name: 'os' }),
      // An envelope whose data does not fit the plugin.
      okResult({ ...packagesWeb1, data: { packages: 'none' } }),
    ];
    for (const r of sent) expect((await service.ingest(host, r)).status).toBe('error');

    const results = await listing();
    const expected: Array<[string, string, RegExp, number | null]> = [
      ['cpu', 'invalid_json', /not one JSON document/, 0],
      ['tcp', 'timeout', /no result within 30000 ms \(signal SIGKILL\)/, null],
      ['processes', 'output_too_large', /more than 8388608 bytes/, null],
      ['sshd', 'nonzero_exit', /exit status 255/, 255],
      ['memory', 'nonzero_exit', /exit status 3/, 3],
      ['os', 'wrong_shape', /not a discovery document: discovertype/, 0],
      ['packages', 'invalid_data', /packages: /, null],
    ];
    for (const [type, code, message, exitCode] of expected) {
      const r = results.get(type);
      expect(r).toBeDefined();
      expect(r?.status).toBe('error');
      expect(r?.lastError?.code).toBe(code);
      expect(r?.lastError?.message).toMatch(message);
      expect(r?.lastError?.exitCode).toBe(exitCode);
      expect(Date.parse(r?.lastError?.at ?? '')).toBeGreaterThan(0);
    }
    expect(results.get('sshd')?.lastError?.stderr).toBe('sshd: no hostkeys available -- exiting.');
    expect(results.get('cpu')?.lastRun).toEqual({ startedAt: new Date(1_800_000_000_000).toISOString(), durationMs: 7 });
  });

  test('a document past the size cap is refused with too_large', async () => {
    const small = new DiscoveryIngestService({ store, maxDocumentChars: 2000 });
    const big = { discovertype: 'site-notes', description: '', host, source: 'test', data: { text: 'x'.repeat(5000) } };
    expect(await small.ingest(host, okResult(big))).toMatchObject({ status: 'error', error: { code: 'too_large' } });
    const r = (await listing()).get('site-notes');
    expect(r?.lastError?.code).toBe('too_large');
    expect(r?.lastError?.message).toMatch(/at most 2000/);
    expect(r?.hash).toBeNull();
  });

  test('after a failure the last good document and the derived graph stay', async () => {
    expect((await service.ingest(host, okResult(netconfigWeb1))).status).toBe('derived');
    const good = (await listing()).get('netconfig');
    expect(good).toMatchObject({ status: 'ok', outcome: 'derived', lastError: null });
    expect((await service.ingest(host, failedResult('netconfig', 'timeout', 'no result within 30000 ms'))).status).toBe('error');

    const failed = (await listing()).get('netconfig');
    expect(failed).toMatchObject({ status: 'error', outcome: 'derived', hash: good?.hash, changedAt: good?.changedAt });
    const { status, body } = await get<{ document: unknown; status: string }>(`/hosts/${encodeURIComponent(host)}/discovery/netconfig`);
    expect(status).toBe(200);
    expect(body.document).toEqual(JSON.parse(JSON.stringify(netconfigWeb1)));
    const nics = await store.read<{ n: { toNumber(): number } }>('MATCH (:Host {key: $host})-[:HAS_NIC]->(n) RETURN count(n) AS n', { host });
    expect(nics[0]?.n.toNumber()).toBe(2);
  });

  test('an unknown discovertype is stored raw and readable as it came', async () => {
    const doc = { discovertype: 'rack-inventory', description: 'where the box sits', host: 'web', source: 'site:rack.sh', data: { rack: 'B7', unit: 12 } };
    expect((await service.ingest(host, okResult(doc))).status).toBe('raw_only');
    expect((await listing()).get('rack-inventory')).toMatchObject({ status: 'ok', outcome: 'raw_only', lastError: null });
    const { body } = await get<{ document: unknown; outcome: string }>(`/hosts/${encodeURIComponent(host)}/discovery/rack-inventory`);
    expect(body).toMatchObject({ outcome: 'raw_only', document: doc });
  });

  test('unknown hosts and results answer 404 with a stable code', async () => {
    const noHost = await get<{ error: { code: string } }>(`/hosts/${encodeURIComponent(`${prefix}nobody`)}/discovery`);
    expect(noHost.status).toBe(404);
    expect(noHost.body.error.code).toBe('UNI_API_NO_SUCH_HOST');
    const noResult = await get<{ error: { code: string } }>(`/hosts/${encodeURIComponent(host)}/discovery/filesystems`);
    expect(noResult.status).toBe(404);
    expect(noResult.body.error.code).toBe('UNI_API_NO_SUCH_DISCOVERY');
  });
});
