/**
 * All of the CMA's heartbeat rings: the global ring (every live host) and one topology ring per
 * segment (switch, or subnet until the switch is known). A host sits on the global ring and on the
 * ring of its most specific placement, so it has at most 2 + 2 = 4 partners:
 *  - the global ring ties segments together: when a whole segment dies, its hosts' global neighbours
 *    are (almost all) in other segments and still alive to report it;
 *  - the topology ring keeps half the heartbeats inside the segment, and its members are the ones who
 *    see a single host die while the segment itself is fine, which tells the two cases apart.
 *
 * Every mutation returns the CONFIG messages it requires: one per host whose partner list changed. A
 * join or a leave only touches ring neighbours, so that is at most 5 per join (the newcomer and two
 * neighbours on each of its two rings) and 4 per leave, whatever the fleet's size.
 */
import { auditSnapshot, type AuditExpectation, type RingViolation } from './audit';
import { ringPosition } from './position';
import { Ring, type RingMember } from './ring';
import { SNAPSHOT_VERSION, SnapshotError, parseSnapshot, type MembershipSnapshot, type RingSnapshot } from './snapshot';
import { GLOBAL_RING, expectedRings, mostSpecificPlacement, parseRingName } from './topology';
import type { Endpoint, HostId, Partner, PartnerConfig, RingHost, TopologyPlacement } from './types';

/** The CONFIG messages one change requires, in host order. */
export type RingChange = { configs: PartnerConfig[] };

/** A host, the rings it is on (global first) and its member entry on each, in the same order. */
type HostEntry = { host: RingHost; rings: string[]; members: RingMember[] };

export class RingSet {
  private readonly hosts = new Map<HostId, HostEntry>();
  private readonly rings = new Map<string, Ring>();

  get size(): number {
    return this.hosts.size;
  }

  has(host: HostId): boolean {
    return this.hosts.has(host);
  }

  hostIds(): IterableIterator<HostId> {
    return this.hosts.keys();
  }

  host(id: HostId): RingHost | undefined {
    return this.hosts.get(id)?.host;
  }

  ring(name: string): Ring | undefined {
    return this.rings.get(name);
  }

  ringNames(): string[] {
    return [...this.rings.keys()].sort();
  }

  ringsOf(host: HostId): readonly string[] {
    return this.hosts.get(host)?.rings ?? [];
  }

  /** The host's topology ring (its segment), if it has one. */
  segmentOf(host: HostId): string | undefined {
    return this.hosts.get(host)?.rings[1];
  }

  /** Whether `observer` is currently one of `subject`'s ring neighbours. */
  isPartner(observer: HostId, subject: HostId): boolean {
    const entry = this.hosts.get(subject);
    if (entry === undefined || observer === subject) return false;
    return entry.rings.some((name, i) => this.rings.get(name)?.adjacent(entry.members[i] as RingMember, observer) === true);
  }

  /** Distinct partners across the host's rings, in host order; the address is the one on the most
   * specific shared ring (a topology ring keeps heartbeats inside the segment). */
  partnersOf(host: HostId): Partner[] {
    const entry = this.hosts.get(host);
    if (entry === undefined) return [];
    const found = new Map<HostId, Partner>();
    for (let i = 0; i < entry.rings.length; i++) {
      const name = entry.rings[i] as string;
      for (const m of this.rings.get(name)?.neighbours(entry.members[i] as RingMember) ?? []) {
        const known = found.get(m.host);
        if (known === undefined) found.set(m.host, { host: m.host, address: m.address, rings: [name] });
        else {
          known.rings.push(name);
          if (name !== GLOBAL_RING) known.address = m.address;
        }
      }
    }
    return [...found.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }

  /**
   * Adds a host, or updates one whose addresses or placements changed (it moves rings: a leave and a
   * join, still a constant number of messages). An unchanged host changes nothing: no configs.
   */
  join(host: RingHost): RingChange {
    const known = this.hosts.get(host.id);
    if (known !== undefined && sameRingAddresses(known.host, host)) {
      // Same rings, same addresses: keep the fuller record (e.g. a subnet placement learned while the
      // host sits on its switch ring), change nothing on the wire.
      known.host = host;
      return { configs: [] };
    }
    const targets = expectedRings(host);
    const affected = new Set<HostId>([host.id]);
    if (known !== undefined) for (const name of known.rings) this.addNeighbours(name, host.id, affected);
    for (const name of targets) {
      const ring = this.rings.get(name);
      if (ring !== undefined) for (const m of ring.wouldNeighbour(host.id, ringPosition(name, host.id))) affected.add(m.host);
    }
    return this.diff(affected, new Set(), () => {
      if (known !== undefined) this.detach(host.id);
      this.attach(host);
    }, host.id);
  }

  /**
   * Loads many hosts into an empty ring set, sorting each ring once: the initial load of a large fleet
   * (every host then needs its config anyway: build them with partnersOf). Returns how many joined.
   */
  joinAll(hosts: Iterable<RingHost>): number {
    if (this.hosts.size > 0) throw new Error('joinAll loads an empty ring set; use join for each newcomer');
    const byRing = new Map<string, RingMember[]>();
    for (const host of hosts) {
      if (this.hosts.has(host.id)) throw new Error(`joinAll: ${host.id} is listed twice`);
      const rings = expectedRings(host);
      const members = rings.map((name) => ({ host: host.id, position: ringPosition(name, host.id), address: addressOn(host, name) }));
      this.hosts.set(host.id, { host, rings, members });
      rings.forEach((name, i) => {
        let list = byRing.get(name);
        if (list === undefined) byRing.set(name, (list = []));
        list.push(members[i] as RingMember);
      });
    }
    for (const [name, members] of byRing) this.ensureRing(name).insertMany(members);
    return this.hosts.size;
  }

  /** Removes a host (graceful leave or declared death). Its neighbours are re-linked. */
  leave(host: HostId): RingChange {
    return this.leaveMany([host]);
  }

  /**
   * Removes several hosts at once (a dead segment): hosts being removed are sent nothing, and a
   * survivor whose partners change several times in the batch gets one CONFIG with the final list.
   */
  leaveMany(hosts: Iterable<HostId>): RingChange {
    const leaving = new Set<HostId>();
    for (const h of hosts) if (this.hosts.has(h)) leaving.add(h);
    const affected = new Set<HostId>();
    for (const h of leaving) for (const name of this.ringsOf(h)) this.addNeighbours(name, h, affected);
    return this.diff(affected, leaving, () => {
      for (const h of leaving) this.detach(h);
    });
  }

  /** The rings as plain data, rings sorted by name, members in ring order. */
  snapshot(): MembershipSnapshot {
    const rings: RingSnapshot[] = [];
    for (const name of this.ringNames()) {
      const ring = this.rings.get(name) as Ring;
      const ordered = ring.ordered();
      rings.push({
        name,
        kind: ring.kind,
        key: ring.key,
        members: ordered.map((m, i) => ({
          host: m.host,
          position: m.position,
          address: { ...m.address },
          next: (ordered[(i + 1) % ordered.length] as RingMember).host,
        })),
      });
    }
    return { version: SNAPSHOT_VERSION, rings };
  }

  /** What every live host should be on, for the audit. */
  expectations(): AuditExpectation {
    const expected = new Map<HostId, readonly string[]>();
    for (const [id, entry] of this.hosts) expected.set(id, expectedRings(entry.host));
    return expected;
  }

  audit(): RingViolation[] {
    return auditSnapshot(this.snapshot(), this.expectations());
  }

  /**
   * Rebuilds rings from stored data, in the stored order (positions included), after validating it and
   * auditing its links. Hosts get the addresses and placement their ring memberships show; a later
   * join with fuller information updates them. Throws SnapshotError when the data is unusable.
   */
  static fromSnapshot(input: unknown): RingSet {
    const snapshot = parseSnapshot(input);
    const problems = auditSnapshot(snapshot).map((v) => `${v.code}: ${JSON.stringify(v)}`);
    const global = snapshot.rings.find((r) => r.name === GLOBAL_RING);
    const onGlobal = new Set(global?.members.map((m) => m.host) ?? []);
    const hosts = new Map<HostId, RingHost>();
    for (const m of global?.members ?? []) hosts.set(m.host, { id: m.host, address: { ...m.address }, placements: [] });
    for (const r of snapshot.rings) {
      if (r.kind === 'global') continue;
      const parsed = parseRingName(r.name);
      if (parsed === undefined || r.key === null) continue;
      for (const m of r.members) {
        const host = hosts.get(m.host);
        if (host === undefined || !onGlobal.has(m.host)) problems.push(`${m.host} is on ${r.name} but not on the global ring`);
        else host.placements.push({ kind: r.kind as TopologyPlacement['kind'], key: r.key, address: { ...m.address } });
      }
    }
    if (problems.length > 0) throw new SnapshotError('ring snapshot fails its audit', problems);

    const set = new RingSet();
    for (const host of hosts.values()) set.hosts.set(host.id, { host, rings: expectedRings(host), members: [] });
    for (const r of snapshot.rings) {
      const members = r.members.map((m) => ({ host: m.host, position: m.position, address: { ...m.address } }));
      for (const m of members) {
        const entry = set.hosts.get(m.host) as HostEntry;
        entry.members[entry.rings.indexOf(r.name)] = m;
      }
      set.ensureRing(r.name).insertMany(members);
    }
    return set;
  }

  private attach(host: RingHost): void {
    const rings = expectedRings(host);
    const members = rings.map((name) => ({ host: host.id, position: ringPosition(name, host.id), address: addressOn(host, name) }));
    this.hosts.set(host.id, { host, rings, members });
    rings.forEach((name, i) => this.ensureRing(name).insert(members[i] as RingMember));
  }

  private detach(host: HostId): void {
    const entry = this.hosts.get(host);
    if (entry === undefined) return;
    entry.rings.forEach((name, i) => {
      const ring = this.rings.get(name);
      if (ring === undefined) return;
      ring.remove(entry.members[i] as RingMember);
      if (ring.size === 0) this.rings.delete(name);
    });
    this.hosts.delete(host);
  }

  private ensureRing(name: string): Ring {
    let ring = this.rings.get(name);
    if (ring === undefined) {
      const parsed = parseRingName(name);
      if (parsed === undefined) throw new Error(`not a ring name: ${name}`);
      ring = new Ring(name, parsed.kind, parsed.key);
      this.rings.set(name, ring);
    }
    return ring;
  }

  private addNeighbours(ringName: string, host: HostId, into: Set<HostId>): void {
    const entry = this.hosts.get(host);
    const member = entry?.members[entry.rings.indexOf(ringName)];
    if (member === undefined) return;
    for (const m of this.rings.get(ringName)?.neighbours(member) ?? []) into.add(m.host);
  }

  /** Runs `mutate` and returns a config for every affected survivor whose partner list changed (and
   * always for `always`, the newcomer). */
  private diff(affected: Set<HostId>, removed: Set<HostId>, mutate: () => void, always?: HostId): RingChange {
    const before = new Map<HostId, Partner[]>();
    for (const h of affected) if (!removed.has(h)) before.set(h, this.partnersOf(h));
    mutate();
    const configs: PartnerConfig[] = [];
    for (const [h, old] of [...before].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (!this.hosts.has(h)) continue;
      const partners = this.partnersOf(h);
      if (h === always || signature(partners) !== signature(old)) {
        const known = new Set(old.map((p) => p.host));
        configs.push({ host: h, partners, added: partners.filter((p) => !known.has(p.host)).map((p) => p.host) });
      }
    }
    return { configs };
  }
}

function addressOn(host: RingHost, ringName: string): Endpoint {
  if (ringName === GLOBAL_RING) return { ...host.address };
  const placement = mostSpecificPlacement(host.placements);
  return { ...(placement?.address ?? host.address) };
}

function signature(partners: Partner[]): string {
  return partners.map((p) => `${p.host}@${p.address.ip}:${p.address.port}/${p.rings.join('+')}`).join(',');
}

function sameRingAddresses(a: RingHost, b: RingHost): boolean {
  const rings = expectedRings(a);
  if (rings.join('\n') !== expectedRings(b).join('\n')) return false;
  return rings.every((name) => sameEndpoint(addressOn(a, name), addressOn(b, name)));
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.ip === b.ip && a.port === b.port;
}
