import { makeFleet, makeHost } from './fixtures';
import { RingSet } from './ring-set';
import { SnapshotError } from './snapshot';
import { GLOBAL_RING } from './topology';
import type { HostId, RingHost } from './types';

function partnerMap(rings: RingSet): Map<HostId, string> {
  const map = new Map<HostId, string>();
  for (const id of rings.hostIds()) map.set(id, JSON.stringify(rings.partnersOf(id)));
  return map;
}

/** A seeded generator so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RingSet partners', () => {
  it('gives a lone host no partners, two hosts one each, three hosts two each', () => {
    const rings = new RingSet();
    const [a, b, c] = makeFleet(3, 10) as [RingHost, RingHost, RingHost];
    expect(rings.join(a).configs).toEqual([{ host: a.id, partners: [], added: [] }]);
    rings.join(b);
    expect(rings.partnersOf(a.id).map((p) => p.host)).toEqual([b.id]);
    // On a ring of two the neighbour is both predecessor and successor: one partner, on both rings.
    expect(rings.partnersOf(a.id)[0]?.rings).toEqual([GLOBAL_RING, 'subnet:10.0.0.0/24']);
    rings.join(c);
    for (const h of [a, b, c]) expect(rings.partnersOf(h.id)).toHaveLength(2);
    expect(rings.audit()).toEqual([]);
  });

  it('keeps a host alone in its subnet on the global ring only', () => {
    const rings = new RingSet();
    const fleet = makeFleet(6, 5); // hosts 0-4 in one subnet, host 5 alone in the next
    rings.joinAll(fleet);
    const loner = fleet[5] as RingHost;
    expect(rings.ringsOf(loner.id)).toEqual([GLOBAL_RING, 'subnet:10.0.1.0/24']);
    expect(rings.ring('subnet:10.0.1.0/24')?.size).toBe(1);
    expect(rings.partnersOf(loner.id).every((p) => p.rings.join() === GLOBAL_RING)).toBe(true);
    expect(rings.partnersOf(loner.id)).toHaveLength(2);
    expect(rings.audit()).toEqual([]);
  });

  it('never gives a host more than 4 partners, and prefers the topology-ring address', () => {
    const rings = new RingSet();
    const fleet = makeFleet(500, 20);
    rings.joinAll(fleet);
    let four = 0;
    for (const h of fleet) {
      const partners = rings.partnersOf(h.id);
      expect(partners.length).toBeLessThanOrEqual(4);
      if (partners.length === 4) four++;
      for (const p of partners) {
        if (p.rings.length === 2) expect(p.address).toEqual(rings.ring(p.rings[1] as string)?.ordered().find((m) => m.host === p.host)?.address);
      }
    }
    expect(four).toBeGreaterThan(450); // coincident partners are rare in a fleet this size
  });
});

describe('RingSet join and leave cost', () => {
  it('lists exactly the hosts whose partners changed', () => {
    const rings = new RingSet();
    const fleet = makeFleet(80, 8);
    rings.joinAll(fleet.slice(0, 60));
    const random = rng(7);
    for (let step = 0; step < 40; step++) {
      const before = partnerMap(rings);
      const joining = step % 2 === 0 && step / 2 < 20;
      const id = joining ? (fleet[60 + step / 2] as RingHost).id : ([...rings.hostIds()][Math.floor(random() * rings.size)] as HostId);
      const change = joining ? rings.join(fleet[60 + step / 2] as RingHost) : rings.leave(id);
      const after = partnerMap(rings);
      const changed = [...after.keys()].filter((h) => after.get(h) !== before.get(h)).sort();
      expect(change.configs.map((c) => c.host)).toEqual(changed);
      for (const c of change.configs) {
        expect(JSON.stringify(c.partners)).toBe(after.get(c.host));
        const old = (JSON.parse(before.get(c.host) ?? '[]') as Array<{ host: string }>).map((p) => p.host);
        expect(c.added).toEqual(c.partners.map((p) => p.host).filter((p) => !old.includes(p)));
      }
      expect(rings.audit()).toEqual([]);
    }
  });

  it('costs at most 5 configs per join and 4 per leave, the same at 10 hosts as at 20,000', () => {
    const means: Array<{ n: number; join: number; leave: number }> = [];
    for (const n of [10, 200, 20_000]) {
      const rings = new RingSet();
      const fleet = makeFleet(n + 50, 20);
      // Newcomers spread over the fleet, so they join existing subnets as real hosts mostly do.
      const late = new Set(Array.from({ length: 50 }, (_, j) => Math.floor((j * (n + 50)) / 50)));
      rings.joinAll(fleet.filter((_, i) => !late.has(i)));
      let join = 0;
      let leave = 0;
      for (const i of late) {
        const c = rings.join(fleet[i] as RingHost).configs.length;
        expect(c).toBeLessThanOrEqual(5);
        join += c;
      }
      for (let j = 0; j < 50; j++) {
        const c = rings.leave((fleet[j * Math.floor((n + 50) / 50) + 1] as RingHost).id).configs.length;
        expect(c).toBeLessThanOrEqual(4);
        leave += c;
      }
      expect(rings.audit()).toEqual([]);
      means.push({ n, join: join / 50, leave: leave / 50 });
    }
    const big = means[2] as { join: number; leave: number };
    const mid = means[1] as { join: number; leave: number };
    expect(big.join).toBeGreaterThanOrEqual(4.9);
    expect(big.leave).toBeGreaterThanOrEqual(3.9);
    // Cost does not grow with the fleet: 100 times more hosts, the same number of messages.
    expect(Math.abs(big.join - mid.join)).toBeLessThan(0.3);
    expect(Math.abs(big.leave - mid.leave)).toBeLessThan(0.3);
  });

  it('batches a segment leaving: survivors get one config each, the dead get none', () => {
    const rings = new RingSet();
    const fleet = makeFleet(200, 10);
    rings.joinAll(fleet);
    const segment = fleet.slice(50, 60).map((h) => h.id);
    const change = rings.leaveMany(segment);
    const hosts = change.configs.map((c) => c.host);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts.some((h) => segment.includes(h))).toBe(false);
    expect(hosts.length).toBeLessThanOrEqual(2 * segment.length);
    expect(rings.ring('subnet:10.0.5.0/24')).toBeUndefined();
    expect(rings.audit()).toEqual([]);
  });

  it('treats a repeated join as no change, and moves a host whose switch becomes known', () => {
    const rings = new RingSet();
    const fleet = makeFleet(40, 10);
    rings.joinAll(fleet);
    const h = fleet[3] as RingHost;
    expect(rings.join({ ...h }).configs).toEqual([]);
    const wired: RingHost = { ...h, placements: [...h.placements, { kind: 'switch', key: 'sw-1', address: h.address }] };
    const change = rings.join(wired);
    expect(rings.ringsOf(h.id)).toEqual([GLOBAL_RING, 'switch:sw-1']);
    expect(change.configs.length).toBeLessThanOrEqual(5); // itself + 2 old subnet neighbours + none on a new ring
    expect(change.configs.map((c) => c.host)).toContain(h.id);
    expect(rings.audit()).toEqual([]);
  });
});

describe('RingSet snapshot', () => {
  it('rebuilds the same rings from its serialised form, and evolves identically afterwards', () => {
    const rings = new RingSet();
    const fleet = makeFleet(300, 12);
    rings.joinAll(fleet.slice(0, 250));
    for (const h of fleet.slice(250, 280)) rings.join(h);
    for (const h of fleet.slice(0, 30)) rings.leave(h.id);
    const stored = JSON.parse(JSON.stringify(rings.snapshot())) as unknown;
    const rebuilt = RingSet.fromSnapshot(stored);
    expect(rebuilt.snapshot()).toEqual(rings.snapshot());
    expect(partnerMap(rebuilt)).toEqual(partnerMap(rings));
    for (const h of fleet.slice(280)) expect(rebuilt.join(h)).toEqual(rings.join(h));
    expect(rebuilt.leave((fleet[100] as RingHost).id)).toEqual(rings.leave((fleet[100] as RingHost).id));
    expect(rebuilt.audit()).toEqual([]);
  });

  it('refuses stored rings with a broken cycle or a malformed field, saying why', () => {
    const rings = new RingSet();
    rings.joinAll(makeFleet(12, 6));
    const snap = rings.snapshot();
    const broken = JSON.parse(JSON.stringify(snap)) as { rings: Array<{ members: Array<{ next: string; host: string }> }> };
    const ring = broken.rings[0] as { members: Array<{ next: string; host: string }> };
    (ring.members[2] as { next: string }).next = (ring.members[0] as { host: string }).host;
    expect(() => RingSet.fromSnapshot(broken)).toThrow(SnapshotError);
    expect(() => RingSet.fromSnapshot(broken)).toThrow(/broken_cycle/);
    expect(() => RingSet.fromSnapshot({ version: 1, rings: [{ ...snap.rings[0], members: [{ host: 'a', position: -1, address: { ip: 'x', port: 1 }, next: 'a' }] }] })).toThrow(/position/);
    expect(() => RingSet.fromSnapshot({ version: 2, rings: [] })).toThrow(SnapshotError);
  });

  it('rejects a topology key that cannot be a ring name on the wire', () => {
    const rings = new RingSet();
    const h = makeHost(0, 5);
    expect(() => rings.join({ ...h, placements: [{ kind: 'switch', key: 'core switch #1', address: h.address }] })).toThrow(/topology key/);
  });
});
