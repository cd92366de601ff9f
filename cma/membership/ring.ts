/**
 * One heartbeat ring: its members in position order, read as a cycle (the last member's next is the
 * first). Each member heartbeats its predecessor and successor, so an insert or a removal changes the
 * partners of exactly the two members around it.
 *
 * Kept as a sorted array with binary search: neighbour lookups are O(log n), and an insert or removal
 * moves array slots (a memmove, about a millisecond at a million members) but never sends more than a
 * constant number of messages, which is what matters. Bulk loading sorts once.
 */
import type { Endpoint, HostId, RingKind } from './types';

export type RingMember = { host: HostId; position: number; address: Endpoint };

export class Ring {
  private readonly members: RingMember[] = [];
  private readonly byHost = new Map<HostId, RingMember>();

  constructor(
    readonly name: string,
    readonly kind: RingKind,
    /** The segment key of a topology ring; null for the global ring. */
    readonly key: string | null,
  ) {}

  get size(): number {
    return this.members.length;
  }

  has(host: HostId): boolean {
    return this.byHost.has(host);
  }

  member(host: HostId): RingMember | undefined {
    return this.byHost.get(host);
  }

  /** Members in ring order, starting from the lowest position. Do not modify. */
  ordered(): readonly RingMember[] {
    return this.members;
  }

  /** The distinct neighbours of a member: none alone, one on a ring of two, else predecessor and successor. */
  neighbours(host: HostId): RingMember[] {
    const member = this.byHost.get(host);
    if (member === undefined) return [];
    return this.neighboursAt(this.indexOf(member));
  }

  /** Whether `other` is a neighbour of `host` on this ring. */
  adjacent(host: HostId, other: HostId): boolean {
    return this.neighbours(host).some((m) => m.host === other);
  }

  /** The members a newcomer at `position` would sit between (without inserting it). */
  wouldNeighbour(host: HostId, position: number): RingMember[] {
    const n = this.members.length;
    if (n === 0) return [];
    const at = this.insertionIndex({ host, position, address: { ip: '', port: 0 } });
    const before = this.members[(at - 1 + n) % n];
    const after = this.members[at % n];
    const found: RingMember[] = [];
    if (before !== undefined) found.push(before);
    if (after !== undefined && after !== before) found.push(after);
    return found;
  }

  insert(member: RingMember): void {
    if (this.byHost.has(member.host)) throw new Error(`ring ${this.name}: ${member.host} is already a member`);
    this.members.splice(this.insertionIndex(member), 0, member);
    this.byHost.set(member.host, member);
  }

  /** Adds many members at once, sorting once (for bulk loads of large fleets). */
  insertMany(members: Iterable<RingMember>): void {
    for (const m of members) {
      if (this.byHost.has(m.host)) throw new Error(`ring ${this.name}: ${m.host} is already a member`);
      this.byHost.set(m.host, m);
      this.members.push(m);
    }
    this.members.sort(compareMembers);
  }

  remove(host: HostId): boolean {
    const member = this.byHost.get(host);
    if (member === undefined) return false;
    this.members.splice(this.indexOf(member), 1);
    this.byHost.delete(host);
    return true;
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
    const at = this.insertionIndex(member);
    if (this.members[at] !== member) throw new Error(`ring ${this.name}: order broken around ${member.host}`);
    return at;
  }

  /** First index whose member sorts at or after `probe` (binary search). */
  private insertionIndex(probe: RingMember): number {
    let lo = 0;
    let hi = this.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.members[mid] as RingMember;
      if (compareMembers(m, probe) < 0) lo = mid + 1;
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
