import { AlertStore } from '../../cma/alerts/alert-store';
import { fingerprintOf, toGettable } from '../../cma/alerts/alert';
import { HostStore } from '../../cma/fleet/host-store';
import { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { describeWithNeo4j, testStore, uniquePrefix } from '../support/neo4j';

describeWithNeo4j('alerts and hosts in the graph (real Neo4j)', () => {
  let store: GraphStore;
  let alerts: AlertStore;
  let hosts: HostStore;
  const prefix = uniquePrefix('alerts');

  beforeAll(async () => {
    store = testStore();
    await applyMigrations(store);
    alerts = new AlertStore(store);
    hosts = new HostStore(store);
  });
  afterAll(async () => {
    await store.write('MATCH (h:Host) WHERE h.key STARTS WITH $prefix DETACH DELETE h', { prefix });
    await store.write("MATCH (a:Alert) WHERE a.labels CONTAINS $prefix DETACH DELETE a", { prefix });
    await store.close();
  });

  test('a host joins once, re-announces idempotently, and its status changes are kept', async () => {
    const name = `${prefix}web1`;
    const first = await hosts.join({ name, keyid: `${prefix}k1`, addresses: ['10.0.0.1'], role: 'nanoprobe', startedAt: 1000, at: 2000 });
    const again = await hosts.join({ name, keyid: `${prefix}k1`, addresses: ['10.0.0.1'], role: 'nanoprobe', startedAt: 1000, at: 3000 });
    expect(first).toEqual({ firstJoin: true, previousStatus: null });
    expect(again).toEqual({ firstJoin: false, previousStatus: 'up' });

    await hosts.setStatus([`${prefix}k1`], 'down', 'host_down', 4000);
    const record = await hosts.byKeyid(`${prefix}k1`);
    expect(record).toMatchObject({ name, status: 'down', reason: 'host_down', firstseen: 2000, lastjoin: 3000 });
    const count = await store.read<{ n: { toNumber(): number } }>('MATCH (h:Host {key: $name}) RETURN count(h) AS n', { name });
    expect(count[0]?.n.toNumber()).toBe(1);
  });

  test("a host's agent load is kept on its record, replaced by the next word, absent until said", async () => {
    const name = `${prefix}busy1`;
    await hosts.join({ name, keyid: `${prefix}kb`, addresses: [], role: 'nanoprobe', startedAt: 1, at: 2 });
    expect((await hosts.byName(name))?.load).toBeNull();
    await hosts.setLoad(`${prefix}kb`, { slow: true, eventLoopDelayP99Ms: 412.5, eventLoopDelayMaxMs: 1930, heartbeatLatenessP99Ms: 880 }, 5_000);
    expect((await hosts.byName(name))?.load).toEqual({ slow: true, eventLoopDelayP99Ms: 412.5, eventLoopDelayMaxMs: 1930, heartbeatLatenessP99Ms: 880, at: 5_000 });
    await hosts.setLoad(`${prefix}kb`, { slow: false, eventLoopDelayP99Ms: 11, eventLoopDelayMaxMs: 40, heartbeatLatenessP99Ms: 20 }, 65_000);
    expect((await hosts.byName(name))?.load).toMatchObject({ slow: false, eventLoopDelayP99Ms: 11, at: 65_000 });
  });

  test('firing twice is one alert, linked to its host; resolving closes it; a new firing is a new occurrence', async () => {
    const name = `${prefix}db1`;
    await hosts.join({ name, keyid: `${prefix}k2`, addresses: ['10.0.0.2'], role: 'nanoprobe', startedAt: 1, at: 10 });
    const labels = { alertname: 'HostDown', severity: 'critical', host: name };
    const a = await alerts.fire({ labels, annotations: { summary: `${name} is down` }, hosts: [name], at: 100 });
    const b = await alerts.fire({ labels, annotations: { summary: `${name} is down (again)` }, hosts: [name], at: 200 });
    expect(b.key).toBe(a.key);
    expect(a.fingerprint).toBe(fingerprintOf(labels));
    expect(b.annotations.summary).toContain('again');

    const linked = await store.read<{ n: { toNumber(): number } }>('MATCH (:Alert {key: $key})-[:ABOUT]->(:Host {key: $name}) RETURN count(*) AS n', { key: a.key, name });
    expect(linked[0]?.n.toNumber()).toBe(1);

    const resolved = await alerts.resolve(labels, 300, 'announce');
    expect(resolved).toMatchObject({ key: a.key, state: 'resolved', endsAt: new Date(300).toISOString() });
    expect(await alerts.resolve(labels, 301)).toBeNull();

    const c = await alerts.fire({ labels, annotations: { summary: 'down once more' }, hosts: [name], at: 400 });
    expect(c.key).not.toBe(a.key);
    const mine = (await alerts.list()).filter((x) => x.labels.host === name);
    expect(mine.map((x) => x.state)).toEqual(['firing', 'resolved']);

    const gettable = toGettable(mine[1]!);
    expect(gettable).toMatchObject({ fingerprint: a.fingerprint, resolved: true, endsAt: new Date(300).toISOString(), status: { state: 'resolved' } });
  });

  test('resolveMany closes the open ones among many label sets in one write; countFiring counts by alertname', async () => {
    const alertname = `${prefix}Burst`;
    const labels = (host: string) => ({ alertname, severity: 'critical', host: `${prefix}${host}` });
    for (const h of ['a', 'b', 'c']) await alerts.fire({ labels: labels(h), annotations: { summary: h }, hosts: [], at: 10_000 });
    expect((await alerts.countFiring())[alertname]).toBe(3);
    // b twice and one never fired: only the open ones count.
    expect(await alerts.resolveMany([labels('a'), labels('b'), labels('b'), labels('never')], 11_000, 'back')).toBe(2);
    expect((await alerts.countFiring())[alertname]).toBe(1);
    expect(await alerts.resolveMany([], 12_000)).toBe(0);
    const open = (await alerts.list({ state: 'firing', limit: 10_000 })).filter((a) => a.labels.alertname === alertname);
    expect(open.map((a) => a.labels.host)).toEqual([`${prefix}c`]);
  });
});
