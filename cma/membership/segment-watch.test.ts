import { makeFleet, subnetKey } from './fixtures';
import { Harness } from './test-harness';
import type { RingHost } from './types';

const PER_SUBNET = 8;
const fleet = makeFleet(5 * PER_SUBNET, PER_SUBNET);
const subnet = (s: number): RingHost[] => fleet.slice(s * PER_SUBNET, (s + 1) * PER_SUBNET);

describe('segment grouping', () => {
  it('turns the loss of a whole subnet into one segment_down, within 5 s, and nothing else', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const h = new Harness(fleet, { seed, loss: 0.01 });
      h.run(5000 + seed * 97);
      const lost = subnet(2).map((x) => x.id);
      const at = h.clock.now();
      for (const id of lost) h.kill(id);
      h.run(20_000);
      const segments = h.of('segment_down');
      expect(segments).toHaveLength(1);
      expect(segments[0]?.segment).toBe(`subnet:${subnetKey(2)}`);
      expect(segments[0]?.hosts).toEqual([...lost].sort());
      expect((segments[0]?.at ?? Infinity) - at).toBeLessThanOrEqual(5000);
      expect(h.of('host_down')).toEqual([]); // no per-host alerts, and no false deaths elsewhere
      expect(Object.keys(segments[0]?.evidence ?? {}).sort()).toEqual([...lost].sort());
      expect(h.membership.ringSet.ring(`subnet:${subnetKey(2)}`)).toBeUndefined();
      expect(h.membership.audit()).toEqual([]);
    }
  });

  it('declares a single host death at once, without holding it for the segment check', () => {
    const h = new Harness(fleet, { seed: 7 });
    h.run(5000);
    const victim = subnet(1)[3] as RingHost;
    const at = h.clock.now();
    h.kill(victim.id);
    h.run(15_000);
    expect(h.of('segment_down')).toEqual([]);
    const downs = h.of('host_down');
    expect(downs.map((d) => d.host)).toEqual([victim.id]);
    expect((downs[0]?.at ?? Infinity) - at).toBeLessThanOrEqual(4600);
    // Its subnet partners reported it: nobody else in the subnet needed probing.
    const probed = new Set(h.of('probe').map((p) => p.host));
    expect([...probed]).toEqual([victim.id]);
  });

  it('keeps deaths per host when part of a subnet dies', () => {
    const h = new Harness(fleet, { seed: 11 });
    h.run(5000);
    const dying = subnet(3).slice(0, 5).map((x) => x.id);
    for (const id of dying) h.kill(id);
    h.run(20_000);
    expect(h.of('segment_down')).toEqual([]);
    expect(h.of('host_down').map((d) => d.host).sort()).toEqual([...dying].sort());
    expect(h.membership.audit()).toEqual([]);
  });

  it('resolves each host, then the segment, as the subnet comes back', () => {
    const h = new Harness(fleet, { seed: 5 });
    h.run(5000);
    const lost = subnet(0);
    for (const x of lost) h.kill(x.id);
    h.run(15_000);
    expect(h.of('segment_down')).toHaveLength(1);
    for (const x of lost.slice(0, -1)) h.restart(x);
    expect(h.of('resolved').map((d) => d.segment)).toEqual(Array(lost.length - 1).fill(`subnet:${subnetKey(0)}`));
    expect(h.of('segment_resolved')).toEqual([]);
    h.restart(lost[lost.length - 1] as RingHost);
    expect(h.of('segment_resolved')).toEqual([expect.objectContaining({ segment: `subnet:${subnetKey(0)}` })]);
    h.run(10_000);
    expect(h.declaredDead()).toHaveLength(lost.length); // the ones from before, nothing new
    expect(h.membership.audit()).toEqual([]);
  });

  it('is configurable: segments smaller than minSegmentHosts keep per-host deaths', () => {
    const h = new Harness(fleet, { seed: 2, timing: { minSegmentHosts: PER_SUBNET + 1 } });
    h.run(5000);
    for (const x of subnet(4)) h.kill(x.id);
    h.run(25_000);
    expect(h.of('segment_down')).toEqual([]);
    expect(h.declaredDead().sort()).toEqual(subnet(4).map((x) => x.id).sort());
    expect(h.membership.audit()).toEqual([]);
  });

  it('refuses inconsistent timing', () => {
    expect(() => new Harness(fleet, { timing: { warnMs: 5000, deadMs: 4000 } })).toThrow(/warnMs < deadMs/);
  });

  it('has no false deaths, per host or per segment, at 5% loss on a healthy fleet', () => {
    const h = new Harness(fleet, { seed: 13, loss: 0.05 });
    h.run(60_000);
    expect(h.declaredDead()).toEqual([]);
  });
});
