/**
 * Lab test of issue #4 (membership and heartbeat rings), as root, with everything real: six nanoprobe
 * processes in host namespaces joining by multicast to 224.0.2.5:1984, the CMA (`unimatrix cma`) in a
 * namespace of its own, its own Neo4j, and switches that really fail.
 *
 *            cma (10.213.0.11, segment "core")
 *             |
 *           core ------------------------------------------- +
 *             |                                              |
 *            sw1: h1 h2 h3 (segment a, 10.213.1.0/24)       sw2: h4 h5 h6 (segment b, 10.213.2.0/24)
 *
 * Measured figures (join, kill-to-alert, switch-down-to-alert, restore-to-back) go to stderr as one
 * JSON line at the end, for the report and docs/performance.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';
import { waitFor } from '../support/wait-for';
import { CmaApi, firing, partnersByKey, ringMembers, withStatus, type ApiAlert } from './cma-api';
import { keepLogs, LabCma, startNanoprobe } from './daemons';
import { describeAsRoot, useLab } from './lab-jest';
import type { LabProcess } from './lab-process';
import { linkState } from './switch-failure';
import { twoSwitchLab } from './two-switch-lab';

/** The lab drawn above (two-switch-lab.ts). */
const { topology, sw1Hosts: SEGMENT_A, sw2Hosts: SEGMENT_B } = twoSwitchLab(3);
const ALL = [...SEGMENT_A, ...SEGMENT_B];
/** The default dead time (cma/membership/timing.ts); the bound is dead time + 2 s. */
const DEAD_MS = 4_500;
const HOST_DOWN_BOUND_MS = DEAD_MS + 2_000;

const joinedLines = (p: LabProcess): number => p.stdout().match(/"msg":"joined"/g)?.length ?? 0;
/** The JSON log lines a daemon printed (pino), for the times and fields the daemons recorded. */
const logLines = (p: LabProcess): Array<Record<string, unknown>> =>
  p.stdout().split('\n').flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
/** The last lines of what nanoprobes said, partner reports left out, for a failure message. */
const explainLogs = (named: Array<[string, LabProcess]>): string =>
  named
    .map(([name, p]) => {
      const lines = logLines(p)
        .filter((l) => l.msg !== 'partner report')
        .slice(-8)
        .map((l) => `  ${String(l.time)} ${String(l.msg)}`);
      return `${name}:\n${lines.join('\n')}`;
    })
    .join('\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeAsRoot('lab: nanoprobes join by multicast, die, lose a switch, and survive a CMA restart', () => {
  const lab = useLab(topology);
  let home = '';
  const probes = new Map<string, LabProcess>();
  /** Nanoprobes replaced by a restart: their logs are kept too. */
  const retired: Array<[string, LabProcess]> = [];
  const figures: Record<string, number> = {};
  let db: LocalNeo4j | undefined;
  let cma: LabCma;
  let api: CmaApi;
  let switchFailedAt = 0;
  let switchRestoredAt = 0;
  let joinsBeforeSecondRestart = new Map<string, number>();

  const probe = (name: string): LabProcess => {
    const p = probes.get(name);
    if (!p) throw new Error(`no nanoprobe on ${name}`);
    return p;
  };
  /**
   * Hosts whose nanoprobe does not (yet) hold the partners the CMA's rings give it. The API shows the
   * CMA's rings as soon as it decided them; the CONFIGs go out after the rings are stored in the graph.
   */
  const unconfigured = async (names: string[]): Promise<string[]> => {
    const expected = partnersByKey(await api.rings());
    return names.filter((name) => {
      const lines = logLines(probe(name));
      const key = lines.find((l) => typeof l.keyId === 'string')?.keyId as string | undefined;
      const applied = lines.filter((l) => l.msg === 'config applied').at(-1)?.partners;
      const have = Array.isArray(applied) ? applied.map(String).sort() : [];
      return key === undefined || JSON.stringify(have) !== JSON.stringify(expected.get(key) ?? []);
    });
  };
  const allConfigured = async (names: string[], timeoutMs: number): Promise<void> => {
    const missing = await waitFor(() => unconfigured(names), (m) => m.length === 0, timeoutMs);
    if (missing.length > 0) throw new Error(`nanoprobes without the partners the CMA's rings give them: ${missing.join(', ')}\n${explain(missing)}`);
  };
  const explain = (names: string[]): string => explainLogs(names.map((n) => [n, probe(n)]));
  const start = (name: string): void => {
    const previous = probes.get(name);
    if (previous !== undefined) retired.push([`${name}.${retired.length + 1}`, previous]);
    probes.set(name, startNanoprobe(lab().host(name), path.join(home, 'nanoprobes')));
  };
  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-membership-lab-'));
    db = await LocalNeo4j.start({ home: path.join(home, 'neo4j'), port: 0, heapMb: 512, pagecache: '64m' });
    // Membership alone, as in the loopback test: discovery runs would only add load to the timings.
    cma = await LabCma.start(lab(), { neo4jPort: Number(new URL(db.uri).port), stateDir: path.join(home, 'cma'), discovery: { enabled: false } });
    api = new CmaApi(cma.apiUrl);
  }, 240_000);

  afterAll(async () => {
    process.stderr.write(`membership-lab figures: ${JSON.stringify(figures)}\n`);
    keepLogs('membership-lab', [['cma', cma?.output ?? ''], ...[...retired, ...probes].map(([name, p]): [string, string] => [name, p.stdout()])]);
    await cma?.stop().catch(() => undefined);
    // Nanoprobes and lldpds go before the database; useLab's own afterAll destroys the lab anyway.
    await Promise.resolve()
      .then(() => lab().destroy())
      .catch(() => undefined);
    await db?.stop();
    if (home !== '') rmSync(home, { recursive: true, force: true });
  }, 60_000);

  test('six nanoprobes join by multicast and are placed on the global ring and one ring per subnet', async () => {
    const startedAt = Date.now();
    for (const name of ALL) start(name);
    const hosts = await waitFor(() => api.hosts(), (h) => withStatus(h, 'up').length === ALL.length, 60_000);
    figures.join_all_ms = Date.now() - startedAt;
    expect(withStatus(hosts, 'up')).toEqual(ALL);
    // Each joined by multicast: none was told the CMA's address.
    for (const name of ALL) expect(probe(name).stdout()).toMatch(/"bootstrap":"multicast 224\.0\.2\.5:1984"/);

    const rings = await waitFor(() => api.rings(), (r) => ringMembers(r, 'global').length === ALL.length, 20_000);
    expect(rings.audit).toEqual([]);
    expect(ringMembers(rings, 'global')).toEqual(ALL);
    // Joined and ringed means every nanoprobe was told its partners.
    // Generous: a fresh CMA's first ring writes (cold Neo4j) can take many seconds on a loaded machine.
    await allConfigured(ALL, 60_000);
    figures.join_configured_ms = Date.now() - startedAt;
    const subnetRings = rings.rings.filter((r) => r.kind === 'subnet').map((r) => [r.name, ringMembers(rings, r.name)]);
    expect(subnetRings.sort()).toEqual([
      ['subnet:10.213.1.0/24', SEGMENT_A],
      ['subnet:10.213.2.0/24', SEGMENT_B],
    ]);
  }, 180_000);

  test(`kill -9 of one nanoprobe raises one HostDown within dead time + 2 s (${HOST_DOWN_BOUND_MS} ms)`, async () => {
    const victim = 'h6';
    probe(victim).signal('SIGKILL');
    const killedAt = Date.now();
    const seen = await waitFor(() => api.alerts(), (a) => firing(a, 'HostDown').some((x) => x.labels.host === victim), 30_000, 100);
    figures.host_down_seen_ms = Date.now() - killedAt;
    const mine = firing(seen, 'HostDown');
    expect(mine.map((a) => a.labels.host)).toEqual([victim]);
    const alert = mine[0] as ApiAlert;
    // The CMA's own decision time, not this test's polling, measures detection.
    figures.host_down_detect_ms = Date.parse(alert.startsAt) - killedAt;
    const victimKey = logLines(probe(victim)).find((l) => typeof l.keyId === 'string')?.keyId;
    const deadReports = ALL.filter((n) => n !== victim)
      .flatMap((n) => logLines(probe(n)))
      .filter((l) => l.msg === 'partner report' && l.partner === victimKey && l.status === 'dead' && typeof l.time === 'number');
    // Partners' detection alone (their dead-time timers), apart from the CMA's corroboration and writes.
    figures.first_dead_report_ms = Math.min(...deadReports.map((l) => (l.time as number) - killedAt));
    expect(figures.host_down_detect_ms).toBeLessThanOrEqual(HOST_DOWN_BOUND_MS);
    expect(JSON.parse(alert.annotations.evidence ?? '{}')).toMatchObject({ confirmedBy: expect.any(String) });
    expect((await api.hosts()).get(victim)?.status).toBe('down');

    const rings = await waitFor(() => api.rings(), (r) => ringMembers(r, 'global').length === ALL.length - 1, 10_000);
    expect(rings.audit).toEqual([]);
    expect(rings.rings.flatMap((r) => r.members).some((m) => m.host === victim)).toBe(false);
  }, 60_000);

  test('the killed host comes back: its alert is resolved and it rejoins its rings', async () => {
    const victim = 'h6';
    await probe(victim).exited;
    start(victim);
    const alerts = await waitFor(() => api.alerts(), (a) => firing(a, 'HostDown').length === 0, 30_000);
    expect(firing(alerts, 'HostDown')).toEqual([]);
    expect(alerts.filter((a) => a.labels.host === victim).every((a) => a.resolved)).toBe(true);
    const rings = await waitFor(() => api.rings(), (r) => ringMembers(r, 'subnet:10.213.2.0/24').length === SEGMENT_B.length, 20_000);
    expect(ringMembers(rings, 'global')).toEqual(ALL);
    expect(ringMembers(rings, 'subnet:10.213.2.0/24')).toEqual(SEGMENT_B);
    expect(rings.audit).toEqual([]);
    expect(withStatus(await api.hosts(), 'up')).toEqual(ALL);
    await allConfigured(ALL, 30_000);
  }, 60_000);

  test('a restarted CMA: every nanoprobe re-joins and every ring passes the audit', async () => {
    const joinsBefore = new Map(ALL.map((name) => [name, joinedLines(probe(name))]));
    await cma.restart();
    const restartedAt = Date.now();
    await waitFor(
      () => ALL.filter((name) => joinedLines(probe(name)) > (joinsBefore.get(name) ?? 0)),
      (rejoined) => rejoined.length === ALL.length,
      60_000,
    );
    figures.cma_restart_rejoin_all_ms = Date.now() - restartedAt;
    const missing = ALL.filter((name) => joinedLines(probe(name)) <= (joinsBefore.get(name) ?? 0));
    if (missing.length > 0) throw new Error(`not re-joined after the CMA restart: ${missing.join(', ')}\n${explain(missing)}`);

    const rings = await api.rings();
    expect(rings.audit).toEqual([]);
    expect(ringMembers(rings, 'global')).toEqual(ALL);
    expect(ringMembers(rings, 'subnet:10.213.1.0/24')).toEqual(SEGMENT_A);
    expect(ringMembers(rings, 'subnet:10.213.2.0/24')).toEqual(SEGMENT_B);
    await allConfigured(ALL, 30_000);
    // No false death from the restart, past a full dead time.
    await sleep(DEAD_MS + 2_000);
    expect(withStatus(await api.hosts(), 'up')).toEqual(ALL);
    expect(firing(await api.alerts(), 'HostDown')).toEqual([]);
    expect((await api.rings()).audit).toEqual([]);
  }, 120_000);

  test('a powered-off switch is ONE SegmentDown naming its hosts, and no host on the other switch dies', async () => {
    switchFailedAt = Date.now();
    await lab().switch('sw1').fail('power');
    const failedAt = Date.now();
    const seen = await waitFor(() => api.alerts(), (a) => firing(a, 'SegmentDown').length > 0, 40_000, 100);
    figures.segment_down_seen_ms = Date.now() - failedAt;
    const segmentAlerts = firing(seen, 'SegmentDown');
    expect(segmentAlerts).toHaveLength(1);
    const alert = segmentAlerts[0] as ApiAlert;
    figures.segment_down_detect_ms = Date.parse(alert.startsAt) - failedAt;
    expect(alert.labels.segment).toBe('10.213.1.0/24');
    expect(alert.annotations.hosts?.split(', ').sort()).toEqual(SEGMENT_A);

    // Longer than the dead time, so a false death on the other switch would have time to show.
    await sleep(DEAD_MS + 2_000);
    const alerts = await api.alerts();
    expect(firing(alerts, 'SegmentDown')).toHaveLength(1);
    expect(firing(alerts, 'HostDown')).toEqual([]);
    const hosts = await api.hosts();
    expect(withStatus(hosts, 'down')).toEqual(SEGMENT_A);
    expect(withStatus(hosts, 'up')).toEqual(SEGMENT_B);
    const rings = await api.rings();
    expect(rings.audit).toEqual([]);
    expect(ringMembers(rings, 'global')).toEqual(SEGMENT_B);
    // The nanoprobes behind the dead switch are still running: it is the network that failed.
    for (const name of SEGMENT_A) expect(probe(name).running).toBe(true);
  }, 90_000);

  test('the switch is restored: the links of its hosts are up again, and their nanoprobes still run', async () => {
    await lab().switch('sw1').restore();
    switchRestoredAt = Date.now();
    figures.switch_outage_ms = switchRestoredAt - switchFailedAt;
    for (const name of SEGMENT_A) {
      expect({ host: name, link: await linkState(lab().host(name).ns, 'eth0') }).toMatchObject({ host: name, link: { carrier: true } });
      expect(probe(name).running).toBe(true);
    }
  }, 30_000);

  /**
   * After an outage shorter than the transport's give-up time (12 retries / 30 s) the nanoprobes behind
   * the switch never lost the CMA: they still think they are joined. What they send once the switch
   * is back (queued partner reports, reports of their partners alive again, heartbeats their former
   * partners report as unexpected) comes from hosts the CMA holds as dead, so it answers with REJOIN;
   * they announce again and come back as any dead host does (alert resolved, rings, config).
   */
  test('the hosts behind the restored switch are back within 20 s and the SegmentDown is resolved', async () => {
    // A nanoprobe that lost the CMA announces again at least every 10 s (+25% jitter).
    const hosts = await waitFor(() => api.hosts(), (h) => withStatus(h, 'up').length === ALL.length, 20_000);
    figures.restore_all_up_ms = Date.now() - switchRestoredAt;
    figures.restore_hosts_up = withStatus(hosts, 'up').length;
    // How many nanoprobes behind the switch went back to announcing because the CMA asked them (REJOIN).
    figures.restore_lost_cma_logged = SEGMENT_A.filter((name) =>
      logLines(probe(name)).some((l) => typeof l.msg === 'string' && l.msg.startsWith('lost the CMA') && (l.time as number) >= switchFailedAt),
    ).length;
    figures.restore_rejoin_asked = SEGMENT_A.filter((name) =>
      logLines(probe(name)).some((l) => l.reason === 'cma_asked' && (l.time as number) >= switchRestoredAt),
    ).length;
    expect(withStatus(hosts, 'up')).toEqual(ALL);
    const alerts = await waitFor(() => api.alerts(), (a) => firing(a, 'SegmentDown').length === 0, 10_000);
    expect(firing(alerts, 'SegmentDown')).toEqual([]);
    expect(firing(alerts, 'HostDown')).toEqual([]);
    const rings = await waitFor(() => api.rings(), (r) => ringMembers(r, 'subnet:10.213.1.0/24').length === SEGMENT_A.length, 10_000);
    expect(ringMembers(rings, 'global')).toEqual(ALL);
    expect(rings.audit).toEqual([]);
  }, 60_000);

  test('a CMA restarted after the outage: the nanoprobes it holds as up re-join, and the rings pass the audit', async () => {
    const up = withStatus(await api.hosts(), 'up');
    joinsBeforeSecondRestart = new Map(ALL.map((name) => [name, joinedLines(probe(name))]));
    await cma.restart();
    const rejoined = await waitFor(
      () => up.filter((name) => joinedLines(probe(name)) > (joinsBeforeSecondRestart.get(name) ?? 0)),
      (r) => r.length === up.length,
      30_000,
    );
    expect(rejoined).toEqual(up);
    await allConfigured(up, 30_000);
    expect((await api.rings()).audit).toEqual([]);
  }, 60_000);

  /**
   * A restarted CMA greets every host that did not leave, those it holds as down included (they are
   * all up again here; test/membership/held-down.test.ts restarts a CMA that holds a running host as
   * down).
   */
  test('after that restart every running nanoprobe has re-joined, those held as down included', async () => {
    const rejoined = await waitFor(
      () => ALL.filter((name) => joinedLines(probe(name)) > (joinsBeforeSecondRestart.get(name) ?? 0)),
      (r) => r.length === ALL.length,
      15_000,
    );
    figures.restart_after_outage_rejoined = rejoined.length;
    expect(rejoined).toEqual(ALL);
    const hosts = await waitFor(() => api.hosts(), (h) => withStatus(h, 'up').length === ALL.length, 10_000);
    expect(withStatus(hosts, 'up')).toEqual(ALL);
  }, 60_000);
});
