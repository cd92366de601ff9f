/**
 * A restarted CMA groups the hosts it holds as down by the segment alerts still firing. Which hosts an
 * alert names is read from the graph's ABOUT relationships (AlertStore.firingAbout), so an alert
 * whose `hosts` annotation was shortened for people still brings back every one of its hosts.
 */
import { randomInt } from 'node:crypto';
import { AlertStore } from '../alerts/alert-store';
import { HostStore } from '../fleet/host-store';
import type { GraphStore } from '../graph/graph-store';
import { applyMigrations } from '../graph/migrations';
import { describeWithNeo4j, testStore, uniquePrefix } from '../../test/support/neo4j';
import { planRestart, type RestoredPeer } from './restart-plan';

describeWithNeo4j('restart plan from the alerts in the graph (real Neo4j)', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('restart-alerts');
  // Alert fingerprints are global: a segment of this test's own.
  const segment = `10.${randomInt(256)}.${randomInt(256)}.0/24`;

  beforeAll(async () => {
    store = testStore();
    await applyMigrations(store);
  });
  afterAll(async () => {
    await store.write('MATCH (h:Host) WHERE h.key STARTS WITH $prefix DETACH DELETE h', { prefix });
    await store.write('MATCH (a:Alert) WHERE a.annotations CONTAINS $prefix DETACH DELETE a', { prefix });
    await store.close();
  });

  test('every host of a segment alert is held in its group, however short its annotation', async () => {
    const hosts = new HostStore(store);
    const alerts = new AlertStore(store);
    const peers: RestoredPeer[] = Array.from({ length: 40 }, (_, i) => ({ keyid: `${prefix}k${i}`, name: `${prefix}n${i}`, status: 'down' }));
    await hosts.joinMany(peers.map((p, i) => ({ name: p.name, keyid: p.keyid, addresses: [`10.9.0.${i + 1}/24`], role: 'nanoprobe', startedAt: 1, at: 2 })));
    await hosts.setStatus(peers.map((p) => p.keyid), 'down', 'segment down', 3);
    const names = peers.map((p) => p.name);
    await alerts.fire({
      labels: { alertname: 'SegmentDown', severity: 'critical', segment },
      // Shortened as a person would want it; the full list is in the ABOUT relationships.
      annotations: { summary: `40 hosts on ${segment} went down together`, hosts: `${names.slice(0, 3).join(', ')} and 37 more` },
      hosts: names,
      at: 4,
    });

    const ours = (await alerts.firingAbout({ limit: 100_000 })).filter((f) => f.alert.labels.segment === segment);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.hosts).toEqual([...names].sort());

    const plan = planRestart(peers, ours.map(({ alert, hosts: about }) => ({ labels: alert.labels, hosts: about })), () => false);
    expect(plan.dead).toEqual([{ segment: `subnet:${segment}`, hosts: peers.map((p) => p.keyid).sort() }]);
  });

  test('an alert about no host comes back with an empty list', async () => {
    const alerts = new AlertStore(store);
    const labels = { alertname: 'HostKeyRefused', severity: 'warning', host: `${prefix}ghost` };
    await alerts.fire({ labels, annotations: { summary: `${prefix}ghost announced with another key` }, hosts: [], at: 5 });
    const ours = (await alerts.firingAbout({ limit: 100_000 })).filter((f) => f.alert.labels.host === labels.host);
    expect(ours.map((f) => f.hosts)).toEqual([[]]);
  });
});
