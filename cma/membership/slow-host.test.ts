/**
 * The death judge tells "alive but slow" from dead: a host whose agent said it is slow is waited for
 * longer (bounded by timing.slowGraceMaxMs), and a probe answer that comes late counts as life. All in
 * virtual time (FakeClock, Harness): nothing here depends on how fast the machine is.
 */
import { makeFleet } from './fixtures';
// Short names: the scenarios below read as timelines.
import { decisionsOf as of, judgeSetup as setup, partnerReport as rep } from './judge-fixture';
import { Harness } from './test-harness';
import { membershipTiming } from './timing';
import type { HostId, RingHost } from './types';



describe('death judge: a host that says it is slow', () => {
  it('is not declared dead when it answers within its grace; the grace is counted once', () => {
    const { m, clock, out, x, partners } = setup(1500);
    for (const p of partners) m.report(rep(p, x, 'late', 2500)); // last heard at 7,500; probe at 10,000
    const probe = of(out, 'probe')[0];
    expect(probe?.giveUpAfterMs).toBe(2000 + 4500 + 1500); // more attempts for the slow host
    clock.advance(2000);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500)); // 12,000: a well host would die here
    expect(of(out, 'host_down')).toEqual([]);
    expect(of(out, 'slow_host_grace')).toEqual([{ type: 'slow_host_grace', host: x, graceMs: 1500, at: 12_000 }]);
    clock.advance(1400); // 13,400: still inside the grace (ends 13,500)
    m.probeAnswered(x, probe?.probeId ?? -1);
    expect(of(out, 'late_probe_answer')).toEqual([]); // in time, given the grace
    for (const p of partners) m.report(rep(p, x, 'alive'));
    clock.advance(30_000);
    expect(of(out, 'host_down')).toEqual([]);
    expect(m.status(x)).toBe('live');
    expect(of(out, 'slow_host_grace')).toHaveLength(1);
  });

  it('is declared dead when it stays silent, once the grace is over', () => {
    const { m, clock, out, x, partners } = setup(1500);
    for (const p of partners) m.report(rep(p, x, 'late', 2500));
    clock.advance(2000);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500));
    clock.advance(1499);
    expect(of(out, 'host_down')).toEqual([]);
    clock.advance(1); // 13,500 = 12,000 (a well host's moment) + 1,500
    expect(of(out, 'host_down')).toEqual([expect.objectContaining({ host: x, at: 13_500 })]);
    expect(of(out, 'host_down')[0]?.evidence.confirmedBy).toBe('probe_timeout');
  });

  it('never gets more than slowGraceMaxMs, whatever it claims', () => {
    const { m, clock, out, x, partners } = setup(60_000);
    for (const p of partners) m.report(rep(p, x, 'late', 2500));
    clock.advance(2000);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500));
    expect(of(out, 'slow_host_grace')[0]?.graceMs).toBe(2000);
    clock.advance(2000);
    expect(of(out, 'host_down').map((d) => d.at)).toEqual([14_000]);
  });

  it('waits out a grace for partner corroboration too (two dead reports)', () => {
    const { m, clock, out, x, partners } = setup(1000);
    for (const p of partners) m.report(rep(p, x, 'dead', 4500));
    expect(of(out, 'host_down')).toEqual([]);
    expect(of(out, 'slow_host_grace')).toHaveLength(1);
    clock.advance(1000);
    expect(of(out, 'host_down')).toEqual([expect.objectContaining({ host: x, at: 11_000 })]);
    expect(of(out, 'host_down')[0]?.evidence.confirmedBy).toBe('second_partner');
  });

  it('leaves a host that said nothing of its load on the usual timing', () => {
    const { m, clock, out, fleet } = setup(2000);
    const y = (fleet[3] as RingHost).id;
    const yPartners = m.ringSet.partnersOf(y).map((p) => p.host);
    for (const p of yPartners) m.report(rep(p, y, 'late', 2500));
    clock.advance(2000);
    m.report(rep(yPartners[0] as HostId, y, 'dead', 4500));
    expect(of(out, 'host_down')).toEqual([expect.objectContaining({ host: y, at: 12_000 })]);
    expect(of(out, 'slow_host_grace')).toEqual([]);
  });

  it('refuses a grace bound longer than the dead time (the prober would stop trying first)', () => {
    expect(() => membershipTiming({ slowGraceMaxMs: 5000 })).toThrow(/slowGraceMaxMs/);
    expect(membershipTiming({ slowGraceMaxMs: 0 }).slowGraceMaxMs).toBe(0);
  });
});

describe('death judge: a probe answer that comes late', () => {
  it('counts as life before any death: the suspicion clears, and the answer is counted', () => {
    const { m, clock, out, x, partners } = setup();
    m.report(rep(partners[0] as HostId, x, 'late', 2500));
    const probe = of(out, 'probe')[0];
    clock.advance(2500); // 12,500: past the probe's deadline (12,000), no dead report yet
    m.probeAnswered(x, probe?.probeId ?? -1);
    expect(of(out, 'late_probe_answer')).toEqual([{ type: 'late_probe_answer', host: x, probeId: probe?.probeId, declared: false, at: 12_500 }]);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500)); // heard last at 8,000: older than the answer
    m.report(rep(partners[0] as HostId, x, 'alive'));
    expect(m.isSuspect(x)).toBe(false);
    clock.advance(30_000);
    expect(of(out, 'host_down')).toEqual([]);
  });

  it('un-declares a death it arrives after, through the usual resolution, and is counted', () => {
    const { m, clock, out, x, partners } = setup();
    for (const p of partners) m.report(rep(p, x, 'late', 2500));
    const probe = of(out, 'probe')[0];
    clock.advance(2000);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500));
    expect(m.status(x)).toBe('dead');
    clock.advance(300); // the answer was on its way when the death was declared
    m.probeAnswered(x, probe?.probeId ?? -1);
    expect(of(out, 'late_probe_answer')).toEqual([expect.objectContaining({ host: x, declared: true })]);
    expect(of(out, 'resolved')).toEqual([expect.objectContaining({ host: x, via: 'probe_answer' })]);
    expect(m.status(x)).toBe('live');
  });

  it('is not counted when it came in time', () => {
    const { m, clock, out, x, partners } = setup();
    m.report(rep(partners[0] as HostId, x, 'dead', 4500));
    clock.advance(1999);
    m.probeAnswered(x, of(out, 'probe')[0]?.probeId ?? -1);
    expect(of(out, 'late_probe_answer')).toEqual([]);
  });
});

describe('slow hosts in a heartbeating fleet', () => {
  const fleet = makeFleet(40, 10);

  it('a 5 s stall kills a well host but not one that said it is slow', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const victim = (fleet[seed] as RingHost).id;
      const stall = (graceFor?: (h: HostId) => number): Harness => {
        const h = new Harness(fleet, { seed, graceFor });
        h.run(5000 + seed * 83);
        h.stall(victim, 5000);
        h.run(20_000);
        return h;
      };
      expect(stall().declaredDead()).toEqual([victim]); // the case the grace is for
      const slow = stall((h) => (h === victim ? 2000 : 0));
      expect(slow.declaredDead()).toEqual([]);
      expect(slow.of('slow_host_grace').map((d) => d.host)).toEqual([victim]);
    }
  });

  it('declares a slow host that died within 7 s (the 5 s bound plus slowGraceMaxMs)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const victim = (fleet[seed] as RingHost).id;
      const h = new Harness(fleet, { seed, graceFor: (host) => (host === victim ? 60_000 : 0) });
      h.run(5000 + seed * 83);
      const killedAt = h.clock.now();
      h.kill(victim);
      h.run(20_000);
      const downs = h.of('host_down');
      expect(downs.map((d) => d.host)).toEqual([victim]);
      expect((downs[0]?.at ?? Infinity) - killedAt).toBeLessThanOrEqual(5000 + h.timing.slowGraceMaxMs);
      expect(h.membership.audit()).toEqual([]);
    }
  });
});
