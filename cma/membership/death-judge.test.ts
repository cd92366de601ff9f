import type { Decision, PartnerReport } from './decisions';
import { makeFleet } from './fixtures';
// Short names: the scenarios below read as timelines.
import { decisionsOf as of, judgeSetup as setup, partnerReport as rep } from './judge-fixture';
import { Harness } from './test-harness';
import type { HostId, RingHost } from './types';

describe('death judge: corroboration', () => {
  it('answers one late report with a probe, never a death on its own', () => {
    const { m, clock, out, x, partners } = setup();
    expect(partners).toHaveLength(4);
    m.report(rep(partners[0] as HostId, x, 'late', 2500));
    expect(of(out, 'probe')).toEqual([expect.objectContaining({ host: x, attemptEveryMs: 250 })]);
    clock.advance(30_000); // the probe goes unanswered, but no partner ever says "dead"
    expect(of(out, 'host_down')).toEqual([]);
    expect(m.status(x)).toBe('live');
  });

  it('does not kill on one dead report whose probe is answered', () => {
    const { m, clock, out, x, partners } = setup();
    m.report(rep(partners[0] as HostId, x, 'dead', 4500));
    const probe = of(out, 'probe')[0];
    clock.advance(300);
    m.probeAnswered(x, probe?.probeId ?? -1);
    clock.advance(30_000);
    expect(of(out, 'host_down')).toEqual([]);
  });

  it('declares death once when partners corroborate, with their reports as evidence', () => {
    const { m, out, x, partners } = setup();
    const [p1, p2, p3, p4] = partners as [HostId, HostId, HostId, HostId];
    m.report(rep(p1, x, 'dead', 4500));
    expect(of(out, 'probe')).toHaveLength(1);
    expect(of(out, 'host_down')).toEqual([]); // one partner's word, and the probe has only just left
    m.report(rep(p2, x, 'dead', 4600));
    m.report(rep(p3, x, 'dead', 4600));
    expect(of(out, 'host_down')).toEqual([]); // p4 says nothing, so it still hears x
    m.report(rep(p4, x, 'dead', 4700));
    const downs = of(out, 'host_down');
    expect(downs).toHaveLength(1);
    expect(downs[0]?.host).toBe(x);
    expect(downs[0]?.evidence.confirmedBy).toBe('second_partner');
    expect(downs[0]?.evidence.reports.map((r) => r.observer).sort()).toEqual([p1, p2, p3, p4].sort());
    expect(downs[0]?.evidence.lastHeardAt).toBe(10_000 - 4500);
    // A retransmitted report after the fact: ignored, still one death.
    m.report(rep(p4, x, 'dead', 4700));
    expect(of(out, 'host_down')).toHaveLength(1);
    expect(of(out, 'ignored').at(-1)).toEqual(expect.objectContaining({ reason: 'already_dead', host: x }));
    expect(of(out, 'probe_cancel').map((d) => d.host)).toContain(x);
  });

  it('lets a silent partner vouch for the host only for the dead time', () => {
    const { m, clock, out, x, partners } = setup();
    const [p1, p2] = partners as [HostId, HostId];
    m.report(rep(p1, x, 'dead', 4500));
    m.report(rep(p2, x, 'dead', 4500));
    clock.advance(4499);
    expect(of(out, 'host_down')).toEqual([]);
    clock.advance(1);
    expect(of(out, 'host_down').map((d) => d.host)).toEqual([x]);
  });

  it('never lets a partner that is itself suspected vouch (two neighbours dying together)', () => {
    const { m, out, fleet, x, partners } = setup();
    const [p1, p2, p3, p4] = partners as [HostId, HostId, HostId, HostId];
    // p4 is reported by one of its own partners (not x): it is a suspect, and vouches for nobody.
    const accuser = m.ringSet.partnersOf(p4).map((p) => p.host).find((h) => h !== x) as HostId;
    m.report(rep(accuser, p4, 'late', 2500));
    m.report(rep(p1, x, 'dead', 4500));
    m.report(rep(p2, x, 'dead', 4500));
    m.report(rep(p3, x, 'dead', 4500));
    expect(of(out, 'host_down').map((d) => d.host)).toEqual([x]);
    expect(fleet.length).toBe(30);
  });

  it('declares death on one dead report when the CMA probe times out', () => {
    const { m, clock, out, x, partners } = setup();
    const p1 = partners[0] as HostId;
    for (const p of partners) m.report(rep(p, x, 'late', 2500));
    const probe = of(out, 'probe')[0];
    clock.advance(2000);
    m.report(rep(p1, x, 'dead', 4500));
    const downs = of(out, 'host_down');
    expect(downs).toHaveLength(1);
    expect(downs[0]?.evidence.confirmedBy).toBe('probe_timeout');
    expect(downs[0]?.evidence.probe).toEqual({ probeId: probe?.probeId, sentAt: 10_000, unansweredForMs: 2000 });
  });

  it('waits the full dead time from the freshest partner, not the most pessimistic one', () => {
    const { m, clock, out, x, partners } = setup();
    const [p1, p2, p3, p4] = partners as [HostId, HostId, HostId, HostId];
    m.report(rep(p1, x, 'late', 2500)); // p1 lost a heartbeat: it last heard x at 7,500
    clock.advance(1000);
    for (const p of [p2, p3, p4]) m.report(rep(p, x, 'late', 2500)); // the others last heard x at 8,500
    clock.advance(1000);
    m.report(rep(p1, x, 'dead', 4500)); // 12,000: 4.5 s after p1's last heartbeat, only 3.5 s after p2's
    clock.advance(500);
    expect(of(out, 'host_down')).toEqual([]);
    clock.advance(500); // 13,000 = 8,500 + 4,500: now nobody has heard x for the dead time
    expect(of(out, 'host_down').map((d) => d.host)).toEqual([x]);
  });

  it('re-links the dead host’s neighbours with at most 4 configs and keeps the rings sound', () => {
    const { m, out, x, partners } = setup();
    for (const p of partners) m.report(rep(p, x, 'dead', 4500));
    const configs = of(out, 'ring_config');
    expect(configs.length).toBeGreaterThan(0);
    expect(configs.length).toBeLessThanOrEqual(4);
    expect(configs.every((c) => c.reason === 'death' && partners.includes(c.host))).toBe(true);
    expect(m.ringSet.has(x)).toBe(false);
    expect(m.audit()).toEqual([]);
  });
});

describe('death judge: resolution, leave and idempotence', () => {
  it('resolves a dead host that announces again and puts it back on its rings', () => {
    const { m, clock, out, fleet, x, partners } = setup();
    for (const p of partners) m.report(rep(p, x, 'dead', 4500));
    clock.advance(60_000);
    out.length = 0;
    m.announce(fleet[7] as RingHost);
    expect(of(out, 'resolved')).toEqual([expect.objectContaining({ host: x, via: 'announce', downSince: 10_000, segment: null })]);
    expect(of(out, 'ring_config').map((c) => c.host)).toContain(x);
    expect(m.status(x)).toBe('live');
    expect(m.ringSet.partnersOf(x).map((p) => p.host).sort()).toEqual([...partners].sort());
    expect(m.audit()).toEqual([]);
  });

  it('resolves a dead host when a late answer to its probe arrives', () => {
    const { m, clock, out, x, partners } = setup();
    for (const p of partners) m.report(rep(p, x, 'late', 2500));
    const probe = of(out, 'probe')[0];
    clock.advance(2000);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500));
    expect(m.status(x)).toBe('dead');
    m.probeAnswered(x, probe?.probeId ?? -1);
    expect(of(out, 'resolved')).toEqual([expect.objectContaining({ host: x, via: 'probe_answer' })]);
    expect(m.status(x)).toBe('live');
  });

  it('treats a graceful leave as no death: rings re-linked, no alert, later reports ignored', () => {
    const { m, clock, out, x, partners } = setup();
    m.report(rep(partners[0] as HostId, x, 'late', 2500));
    m.leave(x);
    expect(of(out, 'left')).toEqual([expect.objectContaining({ host: x })]);
    expect(of(out, 'probe_cancel').map((d) => d.host)).toEqual([x]);
    const configs = of(out, 'ring_config');
    expect(configs.length).toBeLessThanOrEqual(4);
    expect(configs.every((c) => c.reason === 'leave')).toBe(true);
    m.report(rep(partners[1] as HostId, x, 'dead', 4500));
    clock.advance(30_000);
    expect(of(out, 'host_down')).toEqual([]);
    expect(of(out, 'ignored').at(-1)).toEqual(expect.objectContaining({ reason: 'unknown_subject' }));
    expect(m.audit()).toEqual([]);
  });

  it('gives the same outcome when every report arrives twice, and ignores a late report after a dead one', () => {
    const script = (twice: boolean): Decision[] => {
      const { m, clock, out, x, partners } = setup();
      const send = (r: PartnerReport): void => {
        m.report(r);
        if (twice) m.report(r);
      };
      send(rep(partners[0] as HostId, x, 'late', 2500));
      send(rep(partners[1] as HostId, x, 'late', 2600));
      clock.advance(1000);
      send(rep(partners[0] as HostId, x, 'dead', 4500));
      m.report(rep(partners[0] as HostId, x, 'late', 3500)); // a delayed copy of the older report
      clock.advance(1000); // the probe times out: dead
      send(rep(partners[1] as HostId, x, 'dead', 4600));
      clock.advance(10_000);
      return out;
    };
    const once = script(false).filter((d) => d.type !== 'ignored');
    const doubled = script(true);
    expect(doubled.filter((d) => d.type !== 'ignored')).toEqual(once);
    expect(of(once, 'host_down')).toHaveLength(1);
    const reasons = of(doubled, 'ignored').map((d) => d.reason);
    expect(reasons).toContain('duplicate');
    expect(reasons).toContain('stale');
  });

  it('ignores reports from non-partners, dead or unknown observers, and about oneself', () => {
    const { m, clock, out, fleet, x, partners } = setup();
    const stranger = fleet.map((h) => h.id).find((id) => id !== x && !partners.includes(id)) as HostId;
    m.report(rep(stranger, x, 'dead', 4500));
    m.report(rep('ffffffffffffffff', x, 'dead', 4500));
    m.report(rep(x, x, 'dead', 4500));
    clock.advance(30_000);
    expect(of(out, 'ignored').map((d) => d.reason)).toEqual(['not_partner', 'observer_not_live', 'self_report']);
    expect(of(out, 'probe')).toEqual([]);
    expect(of(out, 'host_down')).toEqual([]);
  });

  it('clears a suspicion when the reporting partner hears the host again', () => {
    const { m, clock, out, x, partners } = setup();
    m.report(rep(partners[0] as HostId, x, 'late', 2500));
    expect(m.isSuspect(x)).toBe(true);
    clock.advance(800);
    m.report(rep(partners[0] as HostId, x, 'alive'));
    expect(m.isSuspect(x)).toBe(false);
    expect(of(out, 'probe_cancel').map((d) => d.host)).toEqual([x]);
    clock.advance(30_000);
    expect(of(out, 'host_down')).toEqual([]);
  });

  it('reports link trouble, not death, when partners keep calling dead a host that answers the CMA', () => {
    const { m, clock, out, x, partners } = setup();
    m.report(rep(partners[0] as HostId, x, 'late', 2500));
    m.probeAnswered(x, of(out, 'probe')[0]?.probeId ?? -1);
    clock.advance(2000);
    m.report(rep(partners[0] as HostId, x, 'dead', 4500)); // older than the answer: not current
    clock.advance(3000); // 15,000: the re-check probe went out at 14,500 (answer + dead time)
    const probes = of(out, 'probe');
    expect(probes).toHaveLength(2);
    m.probeAnswered(x, probes[1]?.probeId ?? -1);
    expect(of(out, 'link_trouble')).toEqual([expect.objectContaining({ host: x, observers: [partners[0]] })]);
    clock.advance(60_000);
    expect(of(out, 'host_down')).toEqual([]);
    expect(of(out, 'probe')).toHaveLength(2); // quiet until a partner says something new
  });
});

describe('death judge with heartbeating hosts', () => {
  const fleet = makeFleet(40, 10);

  it('detects a killed host within 5 s, once, whatever its heartbeat phase', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const h = new Harness(fleet, { seed });
      h.run(5000);
      const victim = (fleet[seed] as RingHost).id;
      const killedAt = h.clock.now() + seed * 83;
      h.run(seed * 83);
      h.kill(victim);
      h.run(15_000);
      const downs = h.of('host_down');
      expect(downs.map((d) => d.host)).toEqual([victim]);
      expect((downs[0]?.at ?? Infinity) - killedAt).toBeLessThanOrEqual(5000);
      expect(h.membership.audit()).toEqual([]);
    }
  });

  it('never declares a 3 s stall dead, at 5% loss, across heartbeat phases', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const h = new Harness(fleet, { seed, loss: 0.05 });
      h.run(5000 + seed * 53);
      h.stall((fleet[seed] as RingHost).id, 3000);
      h.run(20_000);
      expect(h.declaredDead()).toEqual([]);
      expect(h.of('probe').length).toBeGreaterThan(0); // the stall was noticed, and checked
    }
  });

  it('declares a host that stalls and then dies', () => {
    const h = new Harness(fleet, { seed: 3 });
    const victim = (fleet[5] as RingHost).id;
    h.run(5000);
    h.stall(victim, 3000);
    h.run(3100);
    h.kill(victim);
    h.run(20_000);
    expect(h.declaredDead()).toEqual([victim]);
  });

  it('has no false deaths at 5% loss and stays quiet without loss', () => {
    const quiet = new Harness(fleet, { seed: 9 });
    quiet.run(5000);
    const before = quiet.decisions.length;
    quiet.run(30_000);
    expect(quiet.decisions.length).toBe(before); // no news is good news
    const lossy = new Harness(fleet, { seed: 9, loss: 0.05 });
    lossy.run(60_000);
    expect(lossy.declaredDead()).toEqual([]);
  });
});
