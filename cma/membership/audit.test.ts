import { auditSnapshot } from './audit';
import { makeFleet } from './fixtures';
import { RingSet } from './ring-set';
import type { MembershipSnapshot, SnapshotMember } from './snapshot';

function built(n = 30, perSubnet = 10): { rings: RingSet; snap: MembershipSnapshot } {
  const rings = new RingSet();
  rings.joinAll(makeFleet(n, perSubnet));
  return { rings, snap: JSON.parse(JSON.stringify(rings.snapshot())) as MembershipSnapshot };
}

function ringOf(snap: MembershipSnapshot, name: string): SnapshotMember[] {
  const ring = snap.rings.find((r) => r.name === name);
  if (ring === undefined) throw new Error(`no ring ${name}`);
  return ring.members;
}

describe('auditSnapshot', () => {
  it('finds nothing wrong with rings the ring set built', () => {
    const { rings, snap } = built();
    expect(auditSnapshot(snap, rings.expectations())).toEqual([]);
  });

  it('catches a link that skips a member (two cycles or a dangling member)', () => {
    const { rings, snap } = built();
    const members = ringOf(snap, 'global');
    (members[3] as SnapshotMember).next = (members[5] as SnapshotMember).host; // member 4 is cut out
    const violations = auditSnapshot(snap, rings.expectations());
    expect(violations.map((v) => v.code)).toContain('broken_cycle');
  });

  it('catches a link to a host that is not on the ring', () => {
    const { snap } = built();
    (ringOf(snap, 'subnet:10.0.1.0/24')[0] as SnapshotMember).next = 'ffffffffffffffff';
    expect(auditSnapshot(snap)).toEqual([expect.objectContaining({ code: 'broken_cycle', ring: 'subnet:10.0.1.0/24' })]);
  });

  it('catches links that disagree with position order', () => {
    const { snap } = built();
    const members = ringOf(snap, 'subnet:10.0.0.0/24');
    // Swap the ring positions of members 1 and 2 while keeping the links: order and links disagree.
    const a = members[1] as SnapshotMember;
    const b = members[2] as SnapshotMember;
    [a.position, b.position] = [b.position, a.position];
    expect(auditSnapshot(snap).map((v) => v.code)).toContain('out_of_order');
  });

  it('catches a host over the partner budget and on a ring it should not be on', () => {
    const { rings, snap } = built();
    const intruder = ringOf(snap, 'subnet:10.0.0.0/24')[0] as SnapshotMember;
    // Put it on a second topology ring too: 2 more partners, 6 in all.
    const other = ringOf(snap, 'subnet:10.0.2.0/24');
    const last = other[other.length - 1] as SnapshotMember;
    other.push({ host: intruder.host, position: last.position + 1, address: intruder.address, next: (other[0] as SnapshotMember).host });
    last.next = intruder.host;
    const violations = auditSnapshot(snap, rings.expectations());
    expect(violations).toContainEqual({ code: 'over_budget', host: intruder.host, partners: 6, budget: 4 });
    expect(violations).toContainEqual(expect.objectContaining({ code: 'unexpected_member', host: intruder.host, ring: 'subnet:10.0.2.0/24' }));
  });

  it('catches a live host missing from its rings, and a dead one still on them', () => {
    const { rings, snap } = built();
    const expected = new Map(rings.expectations());
    const gone = ringOf(snap, 'global')[0] as SnapshotMember;
    expected.delete(gone.host);
    expected.set('0123456789abcdef', ['global']);
    const violations = auditSnapshot(snap, expected);
    expect(violations).toContainEqual({ code: 'missing_from_ring', host: '0123456789abcdef', ring: 'global' });
    expect(violations).toContainEqual(expect.objectContaining({ code: 'unexpected_member', host: gone.host, detail: 'not a live host' }));
  });

  it('catches duplicate members and a ring whose name does not match its kind', () => {
    const { snap } = built(12, 6);
    const members = ringOf(snap, 'subnet:10.0.1.0/24');
    members.push({ ...(members[0] as SnapshotMember) });
    const ring = snap.rings.find((r) => r.name === 'subnet:10.0.0.0/24');
    if (ring !== undefined) ring.key = '10.9.9.0/24';
    const codes = auditSnapshot(snap).map((v) => v.code);
    expect(codes).toContain('duplicate_member');
    expect(codes).toContain('bad_ring_name');
  });
});
