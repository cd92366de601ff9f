import { AlertStore } from '../../cma/alerts/alert-store';
import { alertsRoute } from '../../cma/api/alerts-route';
import { startApiServer, type ApiServer } from '../../cma/api/http-server';
import type { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { silentLogger } from '../../common/logger';
import { describeWithNeo4j, testStore, uniquePrefix } from '../support/neo4j';

type Gettable = { fingerprint: string; labels: Record<string, string>; status: { state: string }; generatorURL: string; resolved: boolean };

/** Issue 16: resolved alerts said status.state "active", and generatorURL pointed at a 404. */
describeWithNeo4j('GET /api/alerts and /api/alerts/<id> (real Neo4j)', () => {
  let store: GraphStore;
  let api: ApiServer;
  const prefix = uniquePrefix('alerts-route');
  beforeAll(async () => {
    store = testStore();
    await applyMigrations(store);
    api = await startApiServer([alertsRoute(new AlertStore(store))], '127.0.0.1', 0, silentLogger);
  });
  afterAll(async () => {
    await api.close();
    await store.write('MATCH (a:Alert) WHERE a.labels CONTAINS $prefix DETACH DELETE a', { prefix });
    await store.close();
  });

  it('a resolved alert says so in status.state, and every generatorURL answers with its alert', async () => {
    const alerts = new AlertStore(store);
    const open = { alertname: 'HostDown', severity: 'critical', host: `${prefix}open` };
    const closed = { alertname: 'HostDown', severity: 'critical', host: `${prefix}closed` };
    await alerts.fire({ labels: open, annotations: {}, hosts: [], at: 1_000 });
    await alerts.fire({ labels: closed, annotations: {}, hosts: [], at: 2_000 });
    await alerts.resolve(closed, 3_000, 'back');
    const listed = ((await (await fetch(`${api.url}/api/alerts`)).json()) as Gettable[]).filter((a) => a.labels.host?.startsWith(prefix));
    const byHost = new Map(listed.map((a) => [a.labels.host, a]));
    expect(byHost.get(open.host)).toMatchObject({ status: { state: 'active' }, resolved: false });
    expect(byHost.get(closed.host)).toMatchObject({ status: { state: 'resolved' }, resolved: true });
    for (const alert of listed) {
      const one = await fetch(new URL(alert.generatorURL, api.url));
      expect(one.status).toBe(200);
      expect(((await one.json()) as Gettable).fingerprint).toBe(alert.fingerprint);
    }
    const byFingerprint = (await (await fetch(`${api.url}/api/alerts/${byHost.get(open.host)!.fingerprint}`)).json()) as Gettable;
    expect(byFingerprint.labels.host).toBe(open.host);
    const missing = await fetch(`${api.url}/api/alerts/no-such-alert`);
    expect(missing.status).toBe(404);
  });
});
