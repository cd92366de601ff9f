import neo4j, { type Session, type Transaction } from 'neo4j-driver';
import { loopbackFleet, NanoprobeFleet } from '../../cli/demo/nanoprobe-fleet';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';
import { LoopbackCma } from './loopback-cma';

type ApiAlert = { labels: Record<string, string>; resolved: boolean };

/**
 * Issue 14: with discovery running, a killed host was never declared dead. Its cause: membership
 * waited on graph writes (the joins, the rings, then the CONFIGs that tell partners whom to watch)
 * that queued behind discovery's writes to the same Host nodes.
 *
 * Here the gate is Neo4j itself: the test holds an open write transaction on every fleet Host node,
 * so every graph write about these hosts — the CMA's joins, rings and alerts, and the ingest of each
 * discovery result (received, unacknowledged) — waits on it, as it waits behind a long ingest on a
 * busy machine. Real CMA, real nanoprobe processes running real discovery scripts. While the gate is
 * closed the hosts must still join, be ringed and watched, and the killed one must be declared dead;
 * once it opens, what was decided reaches the graph (its HostDown alert) and nothing is lost.
 */
describeWithNeo4j('membership: a host killed while its discovery is in flight is declared dead', () => {
  const loopback = new LoopbackCma('unimatrix-death-discovery-', {
    'discovery.enabled': true,
    // Cheap scripts only: the point is results in flight, not the machine's load.
    'discovery.requests': { netconfig: false, tcp: false, processes: false, packages: false, filesystems: false, lldp: false, arp: false, sshd: false, systemd: false },
  });
  let fleet: NanoprobeFleet;
  const members = loopbackFleet(4, 2, 'busy');
  const victim = members[1]!;
  let session: Session | undefined;
  let gate: Transaction | undefined;

  beforeAll(async () => {
    await loopback.start();
    fleet = new NanoprobeFleet(loopback.address, loopback.path('nanoprobes'), 'info');
  }, 180_000);

  afterAll(async () => {
    await gate?.rollback().catch(() => undefined);
    await session?.close();
    await fleet?.stopAll();
    await loopback.close();
  });

  test('declared dead while every graph write about the fleet is blocked, HostDown stored once unblocked', async () => {
    const driver = neo4j.driver(loopback.neo4jUri);
    try {
      session = driver.session();
      gate = session.beginTransaction();
      await gate.run('UNWIND $names AS name MERGE (h:Host {key: name}) SET h.gate = true', { names: members.map((m) => m.hostname) });

      const cma = loopback.cma;
      const service = cma.membership;
      for (const m of members) fleet.start(m);
      // Joined and watched: every nanoprobe applied a CONFIG naming the partners the CMA gave it.
      const watched = (): string[] =>
        members.filter((m) => {
          const key = service.peers.all().find((p) => p.hostname === m.hostname)?.keyid;
          if (key === undefined || service.membership.status(key) !== 'live') return false;
          const wanted = [...new Set(service.membership.ringSet.partnersOf(key).map((p) => p.host))].sort();
          return wanted.length > 0 && JSON.stringify(lastPartners(fleet.output(m.hostname))) === JSON.stringify(wanted);
        }).map((m) => m.hostname);
      expect(await waitFor(watched, (w) => w.length === members.length, 60_000)).toHaveLength(members.length);
      // The victim's discovery results reached the CMA and wait, unacknowledged, on the gate.
      const victimKey = service.peers.all().find((p) => p.hostname === victim.hostname)!.keyid;
      expect(await waitFor(() => service.counts().received_DISCOVERY_RESULT ?? 0, (n) => n >= members.length, 60_000)).toBeGreaterThanOrEqual(members.length);
      expect(service.unstoredWrites).toBeGreaterThan(0); // the joins, at least, are still unstored

      const killedAt = performance.now();
      await fleet.kill(victim.hostname, 'SIGKILL');
      expect(await waitFor(() => service.membership.status(victimKey), (s) => s === 'dead', 30_000)).toBe('dead');
      const declaredMs = performance.now() - killedAt;
      // Nothing of it was stored yet: the death was decided without the graph.
      expect((await fetch(`${cma.apiUrl}/api/alerts`)).status).toBe(200);
      expect(service.unstoredWrites).toBeGreaterThan(0);
      process.stdout.write(`death declared ${(declaredMs / 1000).toFixed(1)} s after the kill, with the graph blocked\n`);

      await gate.rollback();
      gate = undefined;
      const alerts = await waitFor(
        async () => (await fetch(`${cma.apiUrl}/api/alerts`)).json() as Promise<ApiAlert[]>,
        (a) => a.some((x) => x.labels.alertname === 'HostDown' && x.labels.host === victim.hostname && !x.resolved),
        60_000,
      );
      expect(alerts.filter((a) => a.labels.alertname === 'HostDown').map((a) => a.labels.host)).toEqual([victim.hostname]);
      await service.idle();
      expect(service.unstoredWrites).toBe(0);
    } finally {
      await driver.close();
    }
  }, 240_000);
});

/** The partners (key ids, sorted) of the last "config applied" line a nanoprobe logged. */
function lastPartners(output: string): string[] {
  const lines = output.split('\n').filter((l) => l.includes('"msg":"config applied"'));
  const last = lines[lines.length - 1];
  if (last === undefined) return [];
  try {
    const parsed = JSON.parse(last) as { partners?: unknown[] };
    return (parsed.partners ?? []).map(String).sort();
  } catch {
    return [];
  }
}
