import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loopbackFleet, NanoprobeFleet } from '../../cli/demo/nanoprobe-fleet';
import { encodePublicKeys, generateIdentity } from '../../protocol/security/identity';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';
import { LoopbackCma } from './loopback-cma';

type ApiAlert = { labels: Record<string, string>; resolved: boolean };

/**
 * Issue 16: a nanoprobe configured with a well-formed but wrong CMA key ran on with one warning, while
 * the CMA registered it and raised a HostDown every time it flapped. Real CMA, two ordinary
 * nanoprobes, and one that trusts another CMA's key (UNIMATRIX_CMA_PUBKEY).
 */
describeWithNeo4j('membership: a nanoprobe that trusts another CMA key', () => {
  const loopback = new LoopbackCma('unimatrix-wrong-key-');
  let fleet: NanoprobeFleet;
  let stranger: ChildProcess | undefined;
  const members = loopbackFleet(2, 1, 'good');

  beforeAll(async () => {
    await loopback.start();
    fleet = new NanoprobeFleet(loopback.address, loopback.path('nanoprobes'));
  }, 180_000);
  afterAll(async () => {
    stranger?.kill('SIGKILL');
    await fleet?.stopAll();
    await loopback.close();
  });

  test('is refused once, taken off the rings, and never alerted as down', async () => {
    for (const m of members) fleet.start(m);
    const service = loopback.cma.membership;
    const live = () => service.peers.all().filter((p) => service.membership.status(p.keyid) === 'live').map((p) => p.hostname).sort();
    expect(await waitFor(live, (l) => l.length === 2, 60_000)).toEqual(['good01', 'good02']);

    const stateDir = loopback.path('stranger');
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const otherCma = encodePublicKeys(generateIdentity().publicKeys);
    stranger = spawn(
      process.execPath,
      [NanoprobeFleet.cliPath(), 'nanoprobe', '--cma', `${loopback.address.host}:${loopback.address.port}`, '--hostname', 'stranger', '--bind', '127.1.0.99', '--address', '127.1.0.99/16', '--state-dir', stateDir, '--log-level', 'warn'],
      { stdio: 'ignore', env: { ...process.env, UNIMATRIX_CMA_PUBKEY: otherCma } },
    );
    // Refused, then still announcing (its announcements answered and counted, never joined again).
    expect(await waitFor(() => service.counts().host_refuses_cma ?? 0, (n) => n >= 1, 60_000)).toBe(1);
    expect(await waitFor(() => service.counts().announce_from_refusing_host ?? 0, (n) => n >= 2, 90_000)).toBeGreaterThanOrEqual(2);
    expect(live()).toEqual(['good01', 'good02']);
    const strangerKey = service.peers.all().find((p) => p.hostname === 'stranger')!.keyid;
    expect(service.membership.status(strangerKey)).not.toBe('live');
    expect(service.membership.ringSet.has(strangerKey)).toBe(false);

    await service.idle();
    const alerts = (await (await fetch(`${loopback.cma.apiUrl}/api/alerts`)).json()) as ApiAlert[];
    const about = alerts.filter((a) => a.labels.host === 'stranger').map((a) => `${a.labels.alertname}${a.resolved ? ' resolved' : ''}`);
    expect(about).toEqual(['HostRefusesCma']);
    expect(alerts.filter((a) => a.labels.alertname === 'HostDown')).toEqual([]);
  }, 240_000);
});
