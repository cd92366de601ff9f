import { FakeClock } from '../protocol/transport/fake-clock';
import { PartnerMonitor, type ConfigPayload, type PartnerReportPayload } from './partner-monitor';

const EPOCH = 1_800_000_000_000;
const SELF = 'aaaaaaaaaaaaaaaa';
const P1 = '1111111111111111';
const P2 = '2222222222222222';
const key = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

function partner(keyId: string, port: number, rings = ['global']): ConfigPayload['partners'][number] {
  return { keyId, hostname: `h${port}`, ed25519: key(port % 250), x25519: key((port + 1) % 250), address: { ip: '10.0.0.1', port }, rings };
}

function config(version: number, partners: ConfigPayload['partners'], timing = { heartbeatIntervalMs: 1000, warnTimeMs: 2500, deadTimeMs: 4500 }): ConfigPayload {
  return { configVersion: version, ...timing, partners };
}

/** Drives the monitor the way the daemon does: due() whenever nextWakeAt() comes, collecting output. */
function harness() {
  const clock = new FakeClock();
  const monitor = new PartnerMonitor(SELF, { now: () => clock.now(), epoch: () => EPOCH + clock.now() });
  const reports: PartnerReportPayload[] = [];
  const heartbeats: Array<{ partner: string; seq: number; at: number }> = [];
  const runUntil = (t: number): void => {
    for (;;) {
      const wake = monitor.nextWakeAt();
      if (wake === undefined || wake > t) break;
      clock.advance(Math.max(0, wake - clock.now()));
      const out = monitor.due();
      reports.push(...out.reports);
      for (const hb of out.heartbeats) heartbeats.push({ partner: hb.partner, seq: hb.payload.seq, at: clock.now() });
    }
    clock.advance(Math.max(0, t - clock.now()));
  };
  const hear = (keyId: string, seq = 0): void => {
    const r = monitor.heard(keyId, seq);
    if (r.partner && r.report !== null) reports.push(r.report);
  };
  return { clock, monitor, reports, heartbeats, runUntil, hear };
}

describe('PartnerMonitor', () => {
  it('heartbeats every partner at once on a new config, then every interval, with a rising seq', () => {
    const h = harness();
    h.monitor.applyConfig(config(1, [partner(P1, 1), partner(P2, 2)]), 's1');
    // Both partners answer, so nothing but heartbeats happens.
    for (let t = 0; t <= 3000; t += 500) {
      h.runUntil(t);
      h.hear(P1);
      h.hear(P2);
    }
    expect(h.heartbeats.filter((b) => b.partner === P1).map((b) => [b.at, b.seq])).toEqual([
      [0, 0],
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
    expect(h.heartbeats.filter((b) => b.partner === P2)).toHaveLength(4);
    expect(h.reports).toEqual([]);
  });

  it('reports a silent partner late, then dead, once each, and alive when heard again', () => {
    const h = harness();
    h.monitor.applyConfig(config(1, [partner(P1, 1)]), 's1');
    h.runUntil(1000);
    h.hear(P1, 7); // last heard at 1000
    h.runUntil(20_000);
    expect(h.reports.map((r) => [r.status, r.reportedAt - EPOCH, r.lastHeard])).toEqual([
      ['late', 3500, EPOCH + 1000],
      ['dead', 5500, EPOCH + 1000],
    ]);
    expect(h.reports[0]).toMatchObject({ partner: P1, observer: SELF, ring: 'global' });
    h.hear(P1, 8);
    h.hear(P1, 9); // a second heartbeat is no news
    h.runUntil(21_000);
    h.hear(P1, 10);
    expect(h.reports.map((r) => r.status)).toEqual(['late', 'dead', 'alive']);
    expect(h.monitor.snapshot()[0]).toMatchObject({ state: 'ok', lastSeq: 10, heartbeatsHeard: 4 });
    // Silent again: a new round of reports.
    h.runUntil(40_000);
    expect(h.reports.map((r) => r.status)).toEqual(['late', 'dead', 'alive', 'late', 'dead']);
  });

  it('counts a partner never heard as silent since the config was applied', () => {
    const h = harness();
    h.runUntil(10_000);
    h.monitor.applyConfig(config(1, [partner(P1, 1)]), 's1');
    h.runUntil(20_000);
    expect(h.reports.map((r) => [r.status, r.reportedAt - EPOCH, r.lastHeard])).toEqual([
      ['late', 12_500, null],
      ['dead', 14_500, null],
    ]);
  });

  it('reports late and dead together when our own process stalled past the dead time', () => {
    const h = harness();
    h.monitor.applyConfig(config(1, [partner(P1, 1)]), 's1');
    h.runUntil(0);
    h.clock.advance(9_000); // nothing ran meanwhile
    const out = h.monitor.due();
    expect(out.reports.map((r) => r.status)).toEqual(['late', 'dead']);
    // Missed heartbeat rounds are skipped, not sent in a burst.
    expect(out.heartbeats).toHaveLength(1);
    expect(h.monitor.nextWakeAt()).toBe(10_000);
  });

  it('ignores a config older than the last applied from the same CMA session, applies one from a new session', () => {
    const h = harness();
    expect(h.monitor.applyConfig(config(5, [partner(P1, 1)]), 's1').applied).toBe(true);
    const stale = h.monitor.applyConfig(config(4, [partner(P2, 2)]), 's1');
    expect(stale).toEqual({ applied: false, reason: 'stale', version: 4, lastApplied: 5 });
    expect(h.monitor.partnerIds()).toEqual([P1]);
    expect(h.monitor.applyConfig(config(5, [partner(P1, 1), partner(P2, 2)]), 's1').applied).toBe(true); // same version: re-applied
    expect(h.monitor.partnerIds()).toEqual([P1, P2]);
    // A restarted CMA may number from its graph again.
    const fresh = h.monitor.applyConfig(config(1, [partner(P2, 2)]), 's2');
    expect(fresh).toMatchObject({ applied: true, removed: [P1], kept: [P2] });
    expect(h.monitor.configVersion).toBe(1);
  });

  it('keeps what it knows about partners a new config keeps, and drops removed ones', () => {
    const h = harness();
    h.monitor.applyConfig(config(1, [partner(P1, 1)]), 's1');
    h.runUntil(3000); // P1 never heard: late at 2500
    expect(h.reports.map((r) => r.status)).toEqual(['late']);
    const out = h.monitor.applyConfig(config(2, [partner(P1, 11), partner(P2, 2)]), 's1');
    expect(out).toMatchObject({ applied: true, kept: [P1], removed: [] });
    expect(out.applied && out.added.map((p) => p.keyId)).toEqual([P2]);
    const p1 = h.monitor.snapshot().find((p) => p.keyId === P1);
    expect(p1).toMatchObject({ state: 'late', address: { ip: '10.0.0.1', port: 11 } });
    h.runUntil(5000); // P1: dead at 4500 (silence counted from the first config); P2: late at 5500
    expect(h.reports.map((r) => `${r.partner}:${r.status}`)).toEqual([`${P1}:late`, `${P1}:dead`]);
    h.monitor.applyConfig(config(3, [partner(P2, 2)]), 's1');
    expect(h.monitor.isPartner(P1)).toBe(false);
    h.runUntil(30_000);
    expect(h.reports.filter((r) => r.partner === P1)).toHaveLength(2);
  });

  it('never heartbeats itself and merges a partner listed twice (two rings)', () => {
    const h = harness();
    h.monitor.applyConfig(config(1, [partner(SELF, 9), partner(P1, 1, ['global']), partner(P1, 1, ['subnet:10.0.0.0/24'])]), 's1');
    expect(h.monitor.partnerIds()).toEqual([P1]);
    expect(h.monitor.snapshot()[0]?.rings).toEqual(['global', 'subnet:10.0.0.0/24']);
    h.runUntil(0);
    expect(h.heartbeats.map((b) => b.partner)).toEqual([P1]);
  });

  it('has nothing to do without partners, and treats heartbeats from strangers as such', () => {
    const h = harness();
    expect(h.monitor.nextWakeAt()).toBeUndefined();
    h.monitor.applyConfig(config(1, []), 's1');
    expect(h.monitor.nextWakeAt()).toBeUndefined();
    expect(h.monitor.heard(P1, 1)).toEqual({ partner: false });
  });

  it('after a re-join re-reports late and dead partners, and a recovery the CMA did not acknowledge', () => {
    const h = harness();
    h.monitor.applyConfig(config(1, [partner(P1, 1), partner(P2, 2)]), 's1');
    h.runUntil(1000);
    h.hear(P2);
    h.runUntil(5000); // P1 dead (never heard); P2 late at 3500
    for (const r of h.reports) h.monitor.delivered(r);
    h.hear(P2); // P2 alive again; that report is not delivered (the CMA is away)
    const again = h.monitor.rejoinReports().map((r) => `${r.partner}:${r.status}`);
    expect(again.sort()).toEqual([`${P1}:dead`, `${P2}:alive`]);
    h.monitor.delivered({ ...(h.reports.at(-1) as PartnerReportPayload) });
    expect(h.monitor.rejoinReports().map((r) => `${r.partner}:${r.status}`)).toEqual([`${P1}:dead`]);
  });
});
