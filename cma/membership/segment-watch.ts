/**
 * Tells a dead segment (a subnet, later a switch) from a few dead hosts, so that losing a segment is
 * one "segment down" instead of one alert per host.
 *
 * How a segment loss looks from the CMA: its hosts' topology-ring partners are in the segment and die
 * with it, so reports come only from global-ring partners in other segments, and nobody inside the
 * segment says anything. A single host death looks different: its topology-ring partners are alive
 * and report it. So a segment case opens when two hosts of one segment are suspected, or one is
 * confirmed dead, and no other host of that segment has shown any life since they went quiet. The
 * case probes every live host of the segment and holds their deaths back (at most segmentHoldMs):
 *  - every host confirmed dead → one segment_down naming them;
 *  - any host of the segment shows life → the case dissolves and confirmed hosts are declared one by one.
 */
import type { Clock, TimerHandle } from '../../protocol/transport/clock';
import type { DeathEvidence } from './decisions';
import type { MembershipTiming } from './timing';
import type { HostId } from './types';

/** How long a host's last sign of life is remembered: far longer than any case looks back. */
const LIFE_HORIZON_MS = 60_000;

export type Declared = { host: HostId; evidence: DeathEvidence };

export interface SegmentOwner {
  /** Live hosts on the segment's ring (held, not yet declared deaths included). */
  members(segment: string): readonly HostId[];
  segmentOf(host: HostId): string | undefined;
  /** Whether partners report the host (or it is confirmed dead and held). */
  isSuspect(host: HostId): boolean;
  investigate(host: HostId): void;
  endInvestigation(host: HostId): void;
  declareHosts(deaths: Declared[]): void;
  declareSegment(segment: string, deaths: Declared[]): void;
}

type SegmentCase = {
  segment: string;
  roster: Set<HostId>;
  openedAt: number;
  gone: Map<HostId, DeathEvidence>;
  timer: TimerHandle | null;
};

export class SegmentWatch {
  /** Last time a host showed life to the CMA (a report it sent, a probe answer…); only hosts that did. */
  private readonly lastLife = new Map<HostId, number>();
  private lastPruned = 0;
  private readonly lastClosed = new Map<string, number>();
  /** Suspected hosts per segment, with the freshest life known when suspicion began. */
  private readonly suspects = new Map<string, Map<HostId, number>>();
  private readonly cases = new Map<string, SegmentCase>();

  constructor(
    private readonly clock: Clock,
    private readonly timing: MembershipTiming,
    private readonly owner: SegmentOwner,
  ) {}

  get openCases(): number {
    return this.cases.size;
  }

  noteLife(host: HostId): void {
    const segment = this.owner.segmentOf(host);
    if (segment === undefined) return;
    const now = this.clock.now();
    this.lastLife.set(host, now);
    if (now - this.lastPruned > LIFE_HORIZON_MS) {
      // Only recent life matters (a case looks back a few seconds): forget older entries, in one pass
      // per horizon so the cost stays proportional to the reports received.
      this.lastPruned = now;
      for (const [h, at] of this.lastLife) if (now - at > LIFE_HORIZON_MS) this.lastLife.delete(h);
    }
    const open = this.cases.get(segment);
    if (open !== undefined && !open.gone.has(host)) this.dissolve(open);
  }

  suspicion(host: HostId, suspected: boolean, lastHeardAt: number): void {
    const segment = this.owner.segmentOf(host);
    if (segment === undefined) return;
    let map = this.suspects.get(segment);
    if (!suspected) {
      map?.delete(host);
      if (map?.size === 0) this.suspects.delete(segment);
      return;
    }
    if (map === undefined) this.suspects.set(segment, (map = new Map()));
    map.set(host, Number.isFinite(lastHeardAt) ? lastHeardAt : this.clock.now());
    if (map.size >= 2 && !this.cases.has(segment) && this.quietSince(segment, Math.min(...map.values()))) this.open(segment);
  }

  /** A confirmed death: returns 'held' when a segment case now owns it, 'declare' otherwise. */
  confirmed(host: HostId, evidence: DeathEvidence): 'held' | 'declare' {
    const segment = this.owner.segmentOf(host);
    if (segment === undefined) return 'declare';
    const open = this.cases.get(segment);
    if (open !== undefined && open.roster.has(host)) {
      open.gone.set(host, evidence);
      this.checkComplete(open);
      return 'held';
    }
    if (evidence.confirmedBy === 'probe_only' || evidence.confirmedBy === 'segment_probe') return 'declare';
    if (!this.quietSince(segment, evidence.lastHeardAt ?? this.clock.now())) return 'declare';
    const opened = this.open(segment, host, evidence);
    return opened ? 'held' : 'declare';
  }

  /** A held host showed life after all: its segment is not dead. */
  revived(host: HostId): void {
    const segment = this.owner.segmentOf(host);
    const open = segment === undefined ? undefined : this.cases.get(segment);
    if (open === undefined) return;
    open.gone.delete(host);
    this.dissolve(open);
  }

  /**
   * Whether no host of the segment that is not itself under suspicion has shown life since hosts that
   * went silent at `silentSince` would have started reporting it (warn time), less one heartbeat of
   * slack for hosts' differing phases. (A host that spoke and is suspected now may have died since.)
   */
  private quietSince(segment: string, silentSince: number): boolean {
    const closed = this.lastClosed.get(segment);
    if (closed !== undefined && this.clock.now() - closed < this.timing.segmentHoldMs) return false;
    const threshold = silentSince + (this.timing.warnMs - this.timing.heartbeatMs);
    for (const host of this.owner.members(segment)) {
      const life = this.lastLife.get(host);
      if (life !== undefined && life > threshold && !this.owner.isSuspect(host)) return false;
    }
    return true;
  }

  private open(segment: string, first?: HostId, evidence?: DeathEvidence): boolean {
    const members = this.owner.members(segment);
    if (members.length < this.timing.minSegmentHosts || members.length > this.timing.maxSegmentHosts) return false;
    const c: SegmentCase = { segment, roster: new Set(members), openedAt: this.clock.now(), gone: new Map(), timer: null };
    if (first !== undefined && evidence !== undefined) c.gone.set(first, evidence);
    this.cases.set(segment, c);
    c.timer = this.clock.setTimer(this.timing.segmentHoldMs, () => {
      c.timer = null;
      this.dissolve(c);
    });
    for (const host of members) {
      if (this.cases.get(segment) !== c) break; // closed while probing (e.g. every host already confirmed)
      if (!c.gone.has(host)) this.owner.investigate(host);
    }
    this.checkComplete(c);
    return true;
  }

  private checkComplete(c: SegmentCase): void {
    if (this.cases.get(c.segment) !== c) return;
    for (const host of c.roster) if (!c.gone.has(host)) return;
    this.close(c);
    this.owner.declareSegment(c.segment, [...c.roster].sort().map((host) => ({ host, evidence: c.gone.get(host) as DeathEvidence })));
  }

  private dissolve(c: SegmentCase): void {
    if (this.cases.get(c.segment) !== c) return;
    this.close(c);
    // Deaths confirmed on their own evidence are declared now; hosts only the segment's silence
    // condemned go back to the ordinary rules (endInvestigation un-confirms them).
    const individual: Declared[] = [];
    for (const [host, evidence] of c.gone) if (evidence.confirmedBy !== 'segment_probe') individual.push({ host, evidence });
    for (const host of c.roster) this.owner.endInvestigation(host);
    if (individual.length > 0) this.owner.declareHosts(individual.sort((a, b) => (a.host < b.host ? -1 : 1)));
  }

  private close(c: SegmentCase): void {
    this.cases.delete(c.segment);
    this.lastClosed.set(c.segment, this.clock.now());
    if (c.timer !== null) this.clock.clearTimer(c.timer);
    c.timer = null;
  }
}
