/**
 * The CMA's membership state machine: hosts join, leave and die; rings are kept whole; deaths are
 * judged and grouped by segment. It knows nothing about sockets or Neo4j (memberlist's habit): the
 * daemon feeds it events (announcements, leaves, partner reports, probe results) and acts on the
 * decisions it emits (CONFIG and PROBE messages, graph writes, alerts). Time comes only from the
 * injected clock, so tests and the rings simulation drive it in virtual time.
 */
import type { Clock } from '../../protocol/transport/clock';
import type { RingViolation } from './audit';
import { DeathJudge } from './death-judge';
import type { ConfigReason, DeathEvidence, Decision, DecisionSink, LifeSign, PartnerReport } from './decisions';
import { RingSet, type RingChange } from './ring-set';
import { SegmentWatch, type Declared } from './segment-watch';
import type { MembershipSnapshot } from './snapshot';
import { membershipTiming, type MembershipTiming } from './timing';
import type { HostId, RingHost } from './types';

export type HostStatus = 'live' | 'dead' | 'unknown';

export type MembershipOptions = {
  clock: Clock;
  emit: DecisionSink;
  /** Overrides of the defaults in timing.ts (validated). */
  timing?: Partial<MembershipTiming>;
  /**
   * Extra wait (ms) before a death of this host is confirmed, because its agent said it is slow
   * (AgentLoadBook.graceFor); bounded by timing.slowGraceMaxMs. None: every host is judged alike.
   */
  graceFor?: (host: HostId) => number;
};

/**
 * A host declared dead. `host` is what it last announced, or null for a host a restarted CMA holds as
 * down (the graph keeps no placements for it): that one comes back only by announcing again.
 */
type DeadHost = { host: RingHost | null; since: number; segment: string | null; lastProbeId: number | null };

export class Membership {
  readonly timing: MembershipTiming;
  private readonly clock: Clock;
  private readonly sink: DecisionSink;
  private readonly rings: RingSet;
  private readonly judge: DeathJudge;
  private readonly segments: SegmentWatch;
  private readonly dead = new Map<HostId, DeadHost>();
  /** Segments declared down → their hosts not yet back. */
  private readonly downSegments = new Map<string, Set<HostId>>();
  /** Last probe id sent per host, so a late answer to it after a death still proves the host alive. */
  private readonly lastProbe = new Map<HostId, number>();
  /** "watcher|watched" → when that ring link was made, for links made recently (vouching, suspect.ts). */
  private readonly newLinks = new Map<string, number>();
  private linksPrunedAt = Number.NEGATIVE_INFINITY;

  constructor(options: MembershipOptions, rings: RingSet = new RingSet()) {
    this.clock = options.clock;
    this.sink = options.emit;
    this.timing = membershipTiming(options.timing ?? {});
    this.rings = rings;
    this.judge = new DeathJudge(this.clock, this.timing, {
      emit: (d) => this.emit(d),
      onConfirmed: (host, evidence) => this.onConfirmed(host, evidence),
      onSuspicion: (host, suspected, lastHeardAt) => this.segments.suspicion(host, suspected, lastHeardAt),
      onRevived: (host) => this.segments.revived(host),
      partnersOf: (host) => this.settledPartners(host),
    }, options.graceFor);
    this.segments = new SegmentWatch(this.clock, this.timing, {
      members: (segment) => this.rings.ring(segment)?.ordered().map((m) => m.host) ?? [],
      segmentOf: (host) => this.rings.segmentOf(host),
      isSuspect: (host) => this.judge.isSuspect(host) || this.judge.isConfirmed(host),
      investigate: (host) => this.judge.investigate(host),
      endInvestigation: (host) => this.judge.endInvestigation(host),
      declareHosts: (deaths) => this.declare(deaths, null),
      declareSegment: (segment, deaths) => this.declare(deaths, segment),
    });
  }

  /** Rebuilds from stored rings (a CMA restart): every host on them is live. Throws SnapshotError. */
  static restore(snapshot: unknown, options: MembershipOptions): Membership {
    return new Membership(options, RingSet.fromSnapshot(snapshot));
  }

  /** Read-only view of the rings (partners, segments, ring order). */
  get ringSet(): Pick<RingSet, 'partnersOf' | 'ringsOf' | 'segmentOf' | 'isPartner' | 'ring' | 'ringNames' | 'size' | 'has' | 'host'> {
    return this.rings;
  }

  status(host: HostId): HostStatus {
    if (this.rings.has(host)) return 'live';
    if (this.dead.has(host)) return 'dead';
    return 'unknown';
  }

  isSuspect(host: HostId): boolean {
    return this.judge.isSuspect(host);
  }

  snapshot(): MembershipSnapshot {
    return this.rings.snapshot();
  }

  audit(): RingViolation[] {
    return this.rings.audit();
  }

  stats(): { live: number; dead: number; suspects: number; segmentCases: number } {
    return { live: this.rings.size, dead: this.dead.size, suspects: this.judge.suspectCount, segmentCases: this.segments.openCases };
  }

  /**
   * A host announced itself: first join, rejoin after death, restart (re-sent config), or moved
   * (new addresses or placement, e.g. its switch became known). Duplicates change nothing but re-send
   * the host its own config, in case the first one was lost.
   */
  announce(host: RingHost): void {
    const deadEntry = this.dead.get(host.id);
    if (deadEntry !== undefined) {
      this.resolve(host.id, 'announce', host);
      return;
    }
    if (this.rings.has(host.id)) {
      const change = this.rings.join(host);
      this.afterRingChange(change);
      if (change.configs.length === 0) {
        // A restarted nanoprobe watches its partners afresh: its links count as new (no vouching yet).
        const partners = this.rings.partnersOf(host.id);
        this.emitConfigs({ configs: [{ host: host.id, partners, added: partners.map((p) => p.host) }] }, 'reannounce');
      } else this.emitConfigs(change, 'move');
      this.noteLife(host.id);
      return;
    }
    this.emitConfigs(this.applyRingChange(this.rings.join(host)), 'join');
    this.noteLife(host.id);
  }

  /**
   * After a CMA restart: hosts the graph holds as down (they are on no stored ring). They stay dead
   * until they announce again, which resolves them as any death is resolved; `segment` is the ring
   * whose "segment down" they are part of, resolved once every one of them is back. Hosts that are
   * live or already dead here are left alone.
   */
  holdDead(hosts: readonly HostId[], segment: string | null): void {
    const now = this.clock.now();
    const held = hosts.filter((h) => !this.rings.has(h) && !this.dead.has(h));
    for (const host of held) this.dead.set(host, { host: null, since: now, segment, lastProbeId: null });
    if (segment === null || held.length === 0) return;
    const waiting = this.downSegments.get(segment) ?? new Set<HostId>();
    for (const host of held) waiting.add(host);
    this.downSegments.set(segment, waiting);
  }

  /** A graceful leave: re-link the rings, no alert, nothing left to judge about it. */
  leave(host: HostId): void {
    const now = this.clock.now();
    if (!this.rings.has(host)) {
      this.emit({ type: 'ignored', reason: this.dead.has(host) ? 'already_dead' : 'unknown_subject', event: 'leave', host, observer: null, at: now });
      return;
    }
    this.segments.noteLife(host);
    this.judge.forget(host);
    this.judge.dropReportsBy(host);
    this.emitConfigs(this.applyRingChange(this.rings.leave(host)), 'leave');
    this.lastProbe.delete(host);
    this.emit({ type: 'left', host, at: now });
  }

  report(r: PartnerReport): void {
    const now = this.clock.now();
    const ignore = (reason: Parameters<typeof ignoredOf>[0]): void => this.emit(ignoredOf(reason, r, now));
    if (r.observer === r.subject) return ignore('self_report');
    if (!this.rings.has(r.observer)) return ignore('observer_not_live');
    this.noteLife(r.observer);
    if (this.dead.has(r.subject)) {
      if (r.kind === 'alive') this.resolve(r.subject, 'alive_report');
      else ignore('already_dead');
      return;
    }
    if (!this.rings.has(r.subject)) return ignore('unknown_subject');
    // Partnership is checked for late/dead only: an "alive" from a former partner is still good news.
    if (r.kind !== 'alive' && !this.rings.isPartner(r.observer, r.subject)) return ignore('not_partner');
    this.judge.report(r);
  }

  probeAnswered(host: HostId, probeId: number): void {
    if (this.judge.probeAnswered(host, probeId)) {
      this.segments.noteLife(host);
      return;
    }
    const deadEntry = this.dead.get(host);
    if (deadEntry !== undefined && deadEntry.lastProbeId === probeId) {
      // The answer to the probe that preceded the death: it was alive but slow, not dead.
      this.emit({ type: 'late_probe_answer', host, probeId, declared: true, at: this.clock.now() });
      this.resolve(host, 'probe_answer');
      return;
    }
    this.emit({ type: 'ignored', reason: 'unknown_probe', event: 'probe_result', host, observer: null, at: this.clock.now() });
  }

  /** The transport gave up on a probe (no answer after its own retries). */
  probeFailed(host: HostId, probeId: number): void {
    if (!this.judge.probeFailed(host, probeId)) {
      this.emit({ type: 'ignored', reason: 'unknown_probe', event: 'probe_result', host, observer: null, at: this.clock.now() });
    }
  }

  /**
   * A sign that `host` is running (see LifeSign). From a member, an authenticated message is evidence
   * of life for the death judge. From a host that is no member (declared dead, or unknown since a
   * restart) any sign means it runs without knowing it is out: it is asked to announce again, and so
   * is a new process of a member (it holds no config). A heartbeat claim about a member means nothing.
   */
  heardFrom(host: HostId, sign: LifeSign = 'message'): void {
    const status = this.status(host);
    if (status === 'live') {
      if (sign === 'message' || sign === 'new_process') this.noteLife(host);
      if (sign !== 'new_process') return;
    }
    this.emit({ type: 'ask_rejoin', host, status, sign, at: this.clock.now() });
  }

  /**
   * Partners that have watched the host long enough to vouch for it: linked to it for at least the warn
   * time plus one heartbeat (a partner linked just now has not had the time to notice a silence, so
   * its saying nothing means nothing).
   */
  private settledPartners(host: HostId): HostId[] {
    const now = this.clock.now();
    return this.rings
      .partnersOf(host)
      .map((p) => p.host)
      .filter((p) => {
        const since = this.newLinks.get(`${p}|${host}`);
        return since === undefined || now - since >= this.settleMs();
      });
  }

  private settleMs(): number {
    return this.timing.warnMs + this.timing.heartbeatMs;
  }

  private rememberLinks(change: RingChange, now: number): void {
    for (const c of change.configs) for (const p of c.added) this.newLinks.set(`${c.host}|${p}`, now);
    // Links only matter while young: drop the settled ones, one pass per settle time at most.
    if (now - this.linksPrunedAt >= this.settleMs()) {
      this.linksPrunedAt = now;
      for (const [key, since] of this.newLinks) if (now - since >= this.settleMs()) this.newLinks.delete(key);
    }
  }

  private noteLife(host: HostId): void {
    this.judge.noteLife(host);
    this.segments.noteLife(host);
  }

  private onConfirmed(host: HostId, evidence: DeathEvidence): void {
    if (this.segments.confirmed(host, evidence) === 'declare') this.declare([{ host, evidence }], null);
  }

  /** Declares deaths: alerts, then the dead leave their rings in one batch (neighbours re-linked). */
  private declare(deaths: Declared[], segment: string | null): void {
    const now = this.clock.now();
    const hosts: HostId[] = [];
    for (const { host } of deaths) {
      const ringHost = this.rings.host(host);
      if (ringHost === undefined) continue;
      hosts.push(host);
      this.dead.set(host, { host: ringHost, since: now, segment, lastProbeId: this.lastProbe.get(host) ?? null });
      this.lastProbe.delete(host);
      this.judge.forget(host);
      this.judge.dropReportsBy(host);
    }
    if (hosts.length === 0) return;
    if (segment !== null) {
      this.downSegments.set(segment, new Set(hosts));
      const evidence: Record<HostId, DeathEvidence> = {};
      for (const d of deaths) evidence[d.host] = d.evidence;
      this.emit({ type: 'segment_down', segment, hosts: [...hosts].sort(), evidence, at: now });
    } else {
      for (const d of deaths) if (hosts.includes(d.host)) this.emit({ type: 'host_down', host: d.host, evidence: d.evidence, at: now });
    }
    this.emitConfigs(this.applyRingChange(this.rings.leaveMany(hosts)), 'death');
  }

  /** A dead host is back: resolve its alert and put it back on its rings. */
  private resolve(host: HostId, via: 'announce' | 'alive_report' | 'probe_answer', announced?: RingHost): void {
    const entry = this.dead.get(host);
    if (entry === undefined) return;
    const ringHost = announced ?? entry.host;
    if (ringHost === null) {
      // Held since a restart: where it belongs on the rings is only known from its next announcement.
      this.emit({ type: 'ask_rejoin', host, status: 'dead', sign: via === 'probe_answer' ? 'message' : 'alive_report', at: this.clock.now() });
      return;
    }
    this.dead.delete(host);
    const now = this.clock.now();
    this.emit({ type: 'resolved', host, via, downSince: entry.since, segment: entry.segment, at: now });
    if (entry.segment !== null) {
      const waiting = this.downSegments.get(entry.segment);
      waiting?.delete(host);
      if (waiting !== undefined && waiting.size === 0) {
        this.downSegments.delete(entry.segment);
        this.emit({ type: 'segment_resolved', segment: entry.segment, at: now });
      }
    }
    this.emitConfigs(this.applyRingChange(this.rings.join(ringHost)), 'rejoin');
    this.noteLife(host);
  }

  private applyRingChange(change: RingChange): RingChange {
    this.afterRingChange(change);
    return change;
  }

  /** Reports between hosts that are no longer partners are void once the ring changed under them. */
  private afterRingChange(change: RingChange): void {
    for (const { host } of change.configs) {
      this.judge.dropReportsBy(host, (subject) => this.rings.isPartner(host, subject));
      this.judge.dropReportsAbout(host, (observer) => this.rings.isPartner(observer, host));
    }
  }

  private emitConfigs(change: RingChange, reason: ConfigReason): void {
    const at = this.clock.now();
    this.rememberLinks(change, at);
    for (const c of change.configs) this.emit({ type: 'ring_config', host: c.host, partners: c.partners, reason, at });
  }

  private emit(d: Decision): void {
    if (d.type === 'probe') this.lastProbe.set(d.host, d.probeId);
    this.sink(d);
  }
}

function ignoredOf(reason: Extract<Decision, { type: 'ignored' }>['reason'], r: PartnerReport, at: number): Decision {
  return { type: 'ignored', reason, event: 'report', host: r.subject, observer: r.observer, at };
}
