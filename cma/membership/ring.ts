/**
 * One heartbeat ring: its members in position order, read as a cycle (the last member's next is the
 * first). Each member heartbeats its predecessor and successor, so an insert or a removal changes the
 * partners of exactly the two members around it.
 *
 * Kept as a sorted array with binary search: neighbour lookups are O(log n), and an insert or removal
 * moves array slots (a memmove, about a millisecond at a million members) but never sends more than a
 * constant number of messages, which is what matters. Bulk loading sorts once. Members are found by
 * their (position, host) key, so the ring keeps no per-host index: RingSet holds each host's members.
 */
import type { Endpoint, HostId, RingKind } from './types';

export type RingMember = { host: HostId; position: number; address: Endpoint };

export class Ring {
  private readonly members: RingMember[] = [];

  constructor(
    readonly name: string,
    readonly kind: RingKind,
    /** The segment key of a topology ring; null for the global ring. */
    readonly key: string | null,
  ) {}

  get size(): number {
    return this.members.length;
  }

  /** Members in ring order, starting from the lowest position. Do not modify. */
  ordered(): readonly RingMember[] {
    return this.members;
  }

  /** The distinct neighbours of a member: none alone, one on a ring of two, else predecessor and successor. */
  neighbours(member: RingMember): RingMember[] {
    return this.neighboursAt(this.indexOf(member));
  }

  /** Whether `other` is a neighbour of `member` on this ring. */
  adjacent(member: RingMember, other: HostId): boolean {
    const n = this.members.length;
    if (n <= 1) return false;
    const at = this.indexOf(member);
    return this.members[(at - 1 + n) % n]?.host === other || this.members[(at + 1) % n]?.host === other;
  }

  /** The members a newcomer at `position` would sit between (without inserting it). */
  wouldNeighbour(host: HostId, position: number): RingMember[] {
    const n = this.members.length;
    if (n === 0) return [];
    const at = this.insertionIndex(host, position);
    const before = this.members[(at - 1 + n) % n];
    const after = this.members[at % n];
    const found: RingMember[] = [];
    if (before !== undefined) found.push(before);
    if (after !== undefined && after !== before) found.push(after);
    return found;
  }

  /** Inserts a member; the caller (RingSet) guarantees a host is on a ring at most once. */
  insert(member: RingMember): void {
    this.members.splice(this.insertionIndex(member.host, member.position), 0, member);
  }

  /** Adds many members at once, sorting once (for bulk loads of large fleets). */
  insertMany(members: Iterable<RingMember>): void {
    for (const m of members) this.members.push(m);
    this.members.sort(compareMembers);
    for (let i = 1; i < this.members.length; i++) {
      if (compareMembers(this.members[i - 1] as RingMember, this.members[i] as RingMember) === 0) {
        throw new Error(`ring ${this.name}: ${(this.members[i] as RingMember).host} is a member twice`);
      }
    }
  }

  remove(member: RingMember): void {
    this.members.splice(this.indexOf(member), 1);
  }

  private neighboursAt(index: number): RingMember[] {
    const n = this.members.length;
    if (n <= 1) return [];
    const prev = this.members[(index - 1 + n) % n];
    const next = this.members[(index + 1) % n];
    const found: RingMember[] = [];
    if (prev !== undefined) found.push(prev);
    if (next !== undefined && next !== prev) found.push(next);
    return found;
  }

  private indexOf(member: RingMember): number {
    const at = this.insertionIndex(member.host, member.position);
    if (this.members[at] !== member) throw new Error(`ring ${this.name}: ${member.host} is not a member here`);
    return at;
  }

  /** First index whose member sorts at or after (position, host) (binary search). */
  private insertionIndex(host: HostId, position: number): number {
    let lo = 0;
    let hi = this.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.members[mid] as RingMember;
      if (m.position < position || (m.position === position && m.host < host)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Ring order: by position, ties (practically never) by host id so the order is total and stable. */
export function compareMembers(a: RingMember, b: RingMember): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  if (a.host === b.host) return 0;
  return a.host < b.host ? -1 : 1;
}
