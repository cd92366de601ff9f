/**
 * Turns partner reports and probe results into probes and confirmed deaths (rule in suspect.ts).
 * It keeps one record per suspect host, probes it at the first report, re-checks a host that answered
 * while partners still call it dead, and is idempotent: a duplicated or out-of-date report changes
 * nothing. It does not decide what a confirmed death becomes (a host alert or part of a segment): it
 * hands it to its owner (membership.ts). Time comes only from the injected clock, and what the host
 * said of its load only from the injected `graceFor`: a host that is alive but slow is waited for
 * longer (bounded by timing.slowGraceMaxMs), and a probe answer that comes late still counts as life.
 */
import type { Clock } from '../../protocol/transport/clock';
import type { DeathEvidence, Decision, IgnoreReason, PartnerReport } from './decisions';
import { freshestLife, isCurrent, newSuspect, probeDeadline, probeOutstanding, verdict, type Suspect } from './suspect';
import type { MembershipTiming } from './timing';
import type { HostId } from './types';

/** Longest silence a report may claim; beyond this it is clamped (a bogus or wrapped value). */
const MAX_SILENCE_MS = 24 * 3_600_000;

export interface JudgeOwner {
  emit(decision: Decision): void;
  /** A suspect is confirmed dead; the owner declares it (now or after a segment hold) and calls forget. */
  onConfirmed(host: HostId, evidence: DeathEvidence): void;
  /** A host started or stopped being reported by partners (for segment bookkeeping). */
  onSuspicion(host: HostId, suspected: boolean, lastHeardAt: number): void;
  /** A confirmed but not yet declared host showed life after all. */
  onRevived(host: HostId): void;
  /** The host's current ring partners. */
  partnersOf(host: HostId): readonly HostId[];
}

export class DeathJudge {
  private readonly suspects = new Map<HostId, Suspect>();
  /** observer → subjects it has reports on, to drop them when the observer dies, leaves or moves. */
  private readonly reportsBy = new Map<HostId, Set<HostId>>();
  private nextProbeId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly timing: MembershipTiming,
    private readonly owner: JudgeOwner,
    /** Extra wait (ms) a host has earned by saying it is slow; 0 for a host that did not. */
    private readonly graceFor: (host: HostId) => number = () => 0,
  ) {}

  get suspectCount(): number {
    return this.suspects.size;
  }

  isSuspect(host: HostId): boolean {
    return (this.suspects.get(host)?.reports.size ?? 0) > 0;
  }

  isConfirmed(host: HostId): boolean {
    return this.suspects.get(host)?.confirmed != null;
  }

  lastHeardAt(host: HostId): number | undefined {
    const s = this.suspects.get(host);
    return s === undefined ? undefined : freshestLife(s);
  }

  /** A late, dead or alive report from a live partner (the owner has checked liveness and partnership). */
  report(r: PartnerReport): void {
    const now = this.clock.now();
    if (r.kind === 'alive') {
      this.withdraw(r.observer, r.subject, now);
      return;
    }
    let s = this.suspects.get(r.subject);
    if (s?.confirmed != null) return this.ignore('already_confirmed', r);
    const previous = s?.reports.get(r.observer);
    if (previous !== undefined) {
      if (previous.kind === r.kind) return this.ignore('duplicate', r);
      if (previous.kind === 'dead') return this.ignore('stale', r);
    }
    const silent = r.silentForMs ?? null;
    const lastHeardAt = silent === null || !Number.isFinite(silent) ? null : now - Math.min(Math.max(silent, 0), MAX_SILENCE_MS);
    if (s === undefined) {
      s = newSuspect(r.subject);
      this.suspects.set(r.subject, s);
    }
    if (s.reports.size === 0) s.since = now;
    const evidence = { observer: r.observer, kind: r.kind, receivedAt: now, lastHeardAt };
    s.reports.set(r.observer, evidence);
    this.index(r.observer, r.subject);
    s.quiet = false;
    this.syncSuspicion(s);
    if (isCurrent(evidence, s.lifeAt, this.timing)) {
      if (!probeOutstanding(s)) this.startProbe(s, false);
    } else if (s.recheckAt === null) {
      // Older than what the CMA itself saw: re-check later unless the partner withdraws it.
      s.recheckAt = s.lifeAt + this.timing.deadMs;
    }
    this.evaluate(s);
  }

  /** Evidence of life from the CMA's own contact with the host (a message, an announce). */
  noteLife(host: HostId): void {
    const s = this.suspects.get(host);
    if (s === undefined) return;
    const now = this.clock.now();
    s.lifeAt = Math.max(s.lifeAt, now);
    this.afterLife(s, now, false);
  }

  /** The host answered a probe. Returns false when the probe is unknown here (e.g. for a host already
   * declared dead: the owner treats that as the host being back). */
  probeAnswered(host: HostId, probeId: number): boolean {
    const s = this.suspects.get(host);
    if (s === undefined || s.probe === null || s.probe.id !== probeId) return false;
    const now = this.clock.now();
    const wasRecheck = s.probe.recheck && s.probe.answeredAt === null;
    if (probeOutstanding(s) && this.cameLate(s, now)) {
      this.owner.emit({ type: 'late_probe_answer', host, probeId, declared: false, at: now });
    }
    s.probe.answeredAt = now;
    s.lifeAt = Math.max(s.lifeAt, now);
    this.afterLife(s, now, wasRecheck);
    return true;
  }

  /** The CMA's transport gave up on a probe before the judge's timeout. */
  probeFailed(host: HostId, probeId: number): boolean {
    const s = this.suspects.get(host);
    if (s === undefined || s.probe === null || s.probe.id !== probeId || s.probe.answeredAt !== null) return false;
    s.probe.failedAt = this.clock.now();
    this.evaluate(s);
    return true;
  }

  /** Probe a host because its segment went quiet (segment-watch.ts). */
  investigate(host: HostId): void {
    let s = this.suspects.get(host);
    if (s === undefined) {
      s = newSuspect(host);
      this.suspects.set(host, s);
    }
    s.investigation = 'active';
    if (!probeOutstanding(s)) this.startProbe(s, false);
    this.evaluate(s);
  }

  /** The segment case is over: a host confirmed only by it goes back to the ordinary rules. */
  endInvestigation(host: HostId): void {
    const s = this.suspects.get(host);
    if (s === undefined || s.investigation !== 'active') return;
    s.investigation = 'ended';
    if (s.confirmed?.confirmedBy === 'segment_probe') s.confirmed = null;
    if (!this.dropIfIdle(s)) this.evaluate(s);
  }

  /** Forgets a host (declared dead, left, or rejoined): cancels its probe and timer. */
  forget(host: HostId): void {
    const s = this.suspects.get(host);
    if (s === undefined) return;
    this.drop(s);
  }

  /** Drops every report made by `observer` (it died or left), or only those `keep` rejects. */
  dropReportsBy(observer: HostId, keep: (subject: HostId) => boolean = () => false): void {
    const subjects = this.reportsBy.get(observer);
    if (subjects === undefined) return;
    for (const subject of [...subjects]) {
      if (keep(subject)) continue;
      subjects.delete(subject);
      const s = this.suspects.get(subject);
      if (s === undefined || s.confirmed !== null) continue;
      if (s.reports.delete(observer)) this.afterReportsChanged(s);
    }
    if (subjects.size === 0) this.reportsBy.delete(observer);
  }

  /** Drops reports about `subject` from observers `keep` rejects (no longer its partners). */
  dropReportsAbout(subject: HostId, keep: (observer: HostId) => boolean): void {
    const s = this.suspects.get(subject);
    if (s === undefined || s.confirmed !== null) return;
    let changed = false;
    for (const observer of [...s.reports.keys()]) {
      if (keep(observer)) continue;
      s.reports.delete(observer);
      this.reportsBy.get(observer)?.delete(subject);
      changed = true;
    }
    if (changed) this.afterReportsChanged(s);
  }

  private withdraw(observer: HostId, subject: HostId, now: number): void {
    const s = this.suspects.get(subject);
    if (s === undefined || !s.reports.has(observer)) {
      this.owner.emit({ type: 'ignored', reason: 'not_suspect', event: 'report', host: subject, observer, at: now });
      return;
    }
    // The observer hears the subject again: that is life as of now.
    s.reports.delete(observer);
    this.reportsBy.get(observer)?.delete(subject);
    this.syncSuspicion(s);
    s.lifeAt = Math.max(s.lifeAt, now);
    this.afterLife(s, now, false);
  }

  private afterLife(s: Suspect, now: number, answeredRecheck: boolean): void {
    s.graced = false; // a new silence from here is a new grace, counted again
    if (s.confirmed !== null) {
      s.confirmed = null;
      this.owner.onRevived(s.host);
    }
    if (s.reports.size === 0) {
      if (this.dropIfIdle(s)) return;
    } else if (answeredRecheck) {
      // Answered twice while partners still call it dead: their path to it is broken, not the host.
      s.quiet = true;
      s.recheckAt = null;
      this.owner.emit({ type: 'link_trouble', host: s.host, observers: [...s.reports.keys()].sort(), at: now });
    } else if (!s.quiet) {
      s.recheckAt = now + this.timing.deadMs;
    }
    this.evaluate(s);
  }

  private afterReportsChanged(s: Suspect): void {
    this.syncSuspicion(s);
    if (s.reports.size === 0 && this.dropIfIdle(s)) return;
    this.evaluate(s);
  }

  /** Tells the owner when a host starts or stops having partner reports against it. */
  private syncSuspicion(s: Suspect): void {
    const suspected = s.reports.size > 0;
    if (suspected === s.suspected) return;
    s.suspected = suspected;
    this.owner.onSuspicion(s.host, suspected, freshestLife(s));
    // A new suspect stops vouching for its partners: those under suspicion may now be decided.
    if (suspected) {
      for (const p of this.owner.partnersOf(s.host)) {
        const other = this.suspects.get(p);
        if (other !== undefined && other.reports.size > 0) this.evaluate(other);
      }
    }
  }

  /** Removes a record that no longer matters: no reports and no active segment investigation. */
  private dropIfIdle(s: Suspect): boolean {
    if (s.reports.size > 0 || s.investigation === 'active' || s.confirmed !== null) return false;
    this.drop(s);
    return true;
  }

  private drop(s: Suspect): void {
    if (s.timer !== null) this.clock.clearTimer(s.timer);
    s.timer = null;
    if (s.probe !== null && s.probe.answeredAt === null) {
      this.owner.emit({ type: 'probe_cancel', host: s.host, probeId: s.probe.id, at: this.clock.now() });
    }
    for (const observer of s.reports.keys()) this.reportsBy.get(observer)?.delete(s.host);
    this.suspects.delete(s.host);
    if (s.suspected) {
      s.suspected = false;
      this.owner.onSuspicion(s.host, false, freshestLife(s));
    }
  }

  /** The extra wait for this host, bounded here whatever `graceFor` says: the bound is the judge's promise. */
  private graceOf(host: HostId): number {
    const g = this.graceFor(host);
    return Number.isFinite(g) ? Math.min(Math.max(g, 0), this.timing.slowGraceMaxMs) : 0;
  }

  /** An answer the judge had stopped waiting for: past the probe's deadline, or the host already confirmed. */
  private cameLate(s: Suspect, now: number): boolean {
    const probe = s.probe;
    if (probe === null) return false;
    return s.confirmed !== null || probe.failedAt !== null || now > probeDeadline(probe, this.timing, this.graceOf(s.host));
  }

  private startProbe(s: Suspect, recheck: boolean): void {
    const now = this.clock.now();
    if (s.probe !== null && s.probe.answeredAt === null) {
      this.owner.emit({ type: 'probe_cancel', host: s.host, probeId: s.probe.id, at: now });
    }
    s.probe = { id: this.nextProbeId++, sentAt: now, answeredAt: null, failedAt: null, recheck };
    this.owner.emit({
      type: 'probe',
      host: s.host,
      probeId: s.probe.id,
      attemptEveryMs: this.timing.probeAttemptMs,
      // The grace too: a slow host gets that many more attempts, and the probe-only wait is stretched by it.
      giveUpAfterMs: this.timing.probeTimeoutMs + this.timing.deadMs + this.graceOf(s.host),
      at: now,
    });
  }

  private evaluate(s: Suspect): void {
    if (s.confirmed !== null || !this.suspects.has(s.host)) return;
    const now = this.clock.now();
    const vouched = this.vouched(s);
    const grace = this.graceOf(s.host);
    const v = verdict(s, now, this.timing, vouched, grace);
    // Without the grace, when would this host have died? At that moment the grace is granted (counted
    // once); until then the timer also wakes for that moment, so the count does not wait for the end.
    let ungracedWake: number | null = null;
    if (!v.dead && grace > 0 && !s.graced) {
      const plain = verdict(s, now, this.timing, vouched, 0);
      if (plain.dead) {
        s.graced = true;
        this.owner.emit({ type: 'slow_host_grace', host: s.host, graceMs: grace, at: now });
      } else ungracedWake = plain.wakeAt;
    }
    if (v.dead) {
      if (s.timer !== null) this.clock.clearTimer(s.timer);
      s.timer = null;
      s.wakeAt = null;
      s.confirmed = v.evidence;
      this.owner.onConfirmed(s.host, v.evidence);
      return;
    }
    const wake = minDefined(minDefined(v.wakeAt, ungracedWake), s.recheckAt !== null && s.recheckAt > now ? s.recheckAt : null);
    if (s.recheckAt !== null && s.recheckAt <= now) {
      s.recheckAt = null;
      if (s.reports.size > 0 && !s.quiet && !probeOutstanding(s)) {
        this.startProbe(s, true);
        return this.evaluate(s);
      }
    }
    if (wake === s.wakeAt && s.timer !== null) return;
    if (s.timer !== null) this.clock.clearTimer(s.timer);
    s.timer = null;
    s.wakeAt = wake;
    if (wake !== null) {
      s.timer = this.clock.setTimer(wake - now, () => {
        s.timer = null;
        s.wakeAt = null;
        this.evaluate(s);
      });
    }
  }

  /** Whether a live partner that is not itself under suspicion has said nothing about the host. */
  private vouched(s: Suspect): boolean {
    for (const p of this.owner.partnersOf(s.host)) if (!s.reports.has(p) && !this.suspects.has(p)) return true;
    return false;
  }

  private index(observer: HostId, subject: HostId): void {
    let set = this.reportsBy.get(observer);
    if (set === undefined) this.reportsBy.set(observer, (set = new Set()));
    set.add(subject);
  }

  private ignore(reason: IgnoreReason, r: PartnerReport): void {
    this.owner.emit({ type: 'ignored', reason, event: 'report', host: r.subject, observer: r.observer, at: this.clock.now() });
  }
}

function minDefined(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
