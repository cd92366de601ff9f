/**
 * Checks stored or in-memory rings: every ring is one cycle whose links follow position order, no host
 * has more partners than the budget, and every live host is on exactly the rings it should be on.
 * Returns the violations (empty when all is well); never throws on bad data, since auditing bad data
 * is its purpose.
 */
import type { MembershipSnapshot, RingSnapshot, SnapshotMember } from './snapshot';
import { GLOBAL_RING } from './topology';
import { MAX_PARTNERS_PER_HOST, type HostId } from './types';

export type RingViolation =
  | { code: 'bad_ring_name'; ring: string; detail: string }
  | { code: 'duplicate_member'; ring: string; host: HostId }
  | { code: 'broken_cycle'; ring: string; detail: string }
  | { code: 'out_of_order'; ring: string; host: HostId; detail: string }
  | { code: 'over_budget'; host: HostId; partners: number; budget: number }
  | { code: 'missing_from_ring'; host: HostId; ring: string }
  | { code: 'unexpected_member'; host: HostId; ring: string; detail: string };

/** Live host → the ring names it should be on (see topology.expectedRings). */
export type AuditExpectation = ReadonlyMap<HostId, readonly string[]>;

export function auditSnapshot(
  snapshot: MembershipSnapshot,
  expected?: AuditExpectation,
  budget: number = MAX_PARTNERS_PER_HOST,
): RingViolation[] {
  const violations: RingViolation[] = [];
  const partners = new Map<HostId, Set<HostId>>();
  const topologyRingsOf = new Map<HostId, string[]>();
  const seenRings = new Set<string>();

  for (const ring of snapshot.rings) {
    const expectedName = ring.kind === 'global' ? GLOBAL_RING : `${ring.kind}:${ring.key ?? ''}`;
    if (ring.name !== expectedName || (ring.kind === 'global') !== (ring.key === null)) {
      violations.push({ code: 'bad_ring_name', ring: ring.name, detail: `kind ${ring.kind} and key ${String(ring.key)} name it ${expectedName}` });
    }
    if (seenRings.has(ring.name)) violations.push({ code: 'bad_ring_name', ring: ring.name, detail: 'ring listed twice' });
    seenRings.add(ring.name);

    const byHost = indexMembers(ring, violations);
    if (checkCycle(ring, byHost, violations)) addPartners(ring, partners);
    if (ring.kind !== 'global') {
      for (const host of byHost.keys()) topologyRingsOf.set(host, [...(topologyRingsOf.get(host) ?? []), ring.name]);
    }
    if (expected !== undefined) {
      for (const host of byHost.keys()) {
        const rings = expected.get(host);
        if (rings === undefined) violations.push({ code: 'unexpected_member', host, ring: ring.name, detail: 'not a live host' });
        else if (!rings.includes(ring.name)) violations.push({ code: 'unexpected_member', host, ring: ring.name, detail: `should be on ${rings.join(', ')}` });
      }
    }
  }

  for (const [host, rings] of topologyRingsOf) {
    if (rings.length > 1) {
      for (const ring of rings.slice(1)) violations.push({ code: 'unexpected_member', host, ring, detail: `on more than one topology ring (${rings.join(', ')})` });
    }
  }
  for (const [host, set] of partners) {
    if (set.size > budget) violations.push({ code: 'over_budget', host, partners: set.size, budget });
  }
  if (expected !== undefined) {
    const members = new Map<string, Set<HostId>>();
    for (const ring of snapshot.rings) members.set(ring.name, new Set(ring.members.map((m) => m.host)));
    for (const [host, rings] of expected) {
      for (const ring of rings) if (members.get(ring)?.has(host) !== true) violations.push({ code: 'missing_from_ring', host, ring });
    }
  }
  return violations;
}

function indexMembers(ring: RingSnapshot, violations: RingViolation[]): Map<HostId, SnapshotMember> {
  const byHost = new Map<HostId, SnapshotMember>();
  for (const m of ring.members) {
    if (byHost.has(m.host)) violations.push({ code: 'duplicate_member', ring: ring.name, host: m.host });
    else byHost.set(m.host, m);
  }
  return byHost;
}

/**
 * Follows `next` from the first member: it must visit every member once and come back, and positions
 * must rise along the way except for one wrap from the highest back to the lowest. Returns whether the
 * links form one cycle (partners can then be read from them).
 */
function checkCycle(ring: RingSnapshot, byHost: Map<HostId, SnapshotMember>, violations: RingViolation[]): boolean {
  const first = ring.members[0];
  if (first === undefined) {
    violations.push({ code: 'broken_cycle', ring: ring.name, detail: 'ring has no members' });
    return false;
  }
  const visited = new Set<HostId>();
  const descents: Array<[SnapshotMember, SnapshotMember]> = [];
  let highest = first;
  let current = first;
  for (let step = 0; step < byHost.size; step++) {
    visited.add(current.host);
    if (before(highest, current)) highest = current;
    const next = byHost.get(current.next);
    if (next === undefined) {
      violations.push({ code: 'broken_cycle', ring: ring.name, detail: `${current.host} links to ${current.next}, which is not a member` });
      return false;
    }
    if (next !== first && visited.has(next.host)) {
      violations.push({ code: 'broken_cycle', ring: ring.name, detail: `${current.host} links back to ${next.host} before the cycle covered all ${byHost.size} members` });
      return false;
    }
    if (next !== current && !before(current, next)) descents.push([current, next]);
    current = next;
  }
  if (current !== first) {
    violations.push({ code: 'broken_cycle', ring: ring.name, detail: `after ${byHost.size} steps from ${first.host} the links reach ${current.host}, not back to the start` });
    return false;
  }
  // In position order the only step that goes down is the wrap from the highest member to the lowest.
  for (const [from, to] of descents) {
    if (from !== highest) violations.push({ code: 'out_of_order', ring: ring.name, host: to.host, detail: `follows ${from.host} but sorts before it` });
  }
  return true;
}

function before(a: SnapshotMember, b: SnapshotMember): boolean {
  return a.position < b.position || (a.position === b.position && a.host < b.host);
}

function addPartners(ring: RingSnapshot, partners: Map<HostId, Set<HostId>>): void {
  for (const m of ring.members) {
    if (m.next === m.host) continue;
    link(partners, m.host, m.next);
    link(partners, m.next, m.host);
  }
}

function link(partners: Map<HostId, Set<HostId>>, a: HostId, b: HostId): void {
  let set = partners.get(a);
  if (set === undefined) partners.set(a, (set = new Set()));
  set.add(b);
}
