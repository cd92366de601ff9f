/**
 * What the CMA knows about one host under suspicion, and the rule that turns it into a death.
 *
 * A host is confirmed dead when all of these hold:
 *  1. a partner reported it dead (a partner's word is needed: the CMA alone never starts a death,
 *     except for the segment and no-partner cases below);
 *  2. nobody has heard from it for the whole dead time, counted from the freshest sign of life any
 *     reporter or the CMA had. One partner that lost a few heartbeats does not shorten the wait for
 *     everyone, and a stalled process is back (and has answered the probe) before this runs out.
 *     A live partner that has said nothing vouches for the host too: it would have reported it late
 *     had it not heard it within the warn time. That vouching lapses once the host has been under
 *     suspicion for the dead time (a partner cut off from the CMA cannot block a death forever);
 *     partners that are suspects themselves never vouch (two neighbours dying together);
 *  3. corroboration: a dead report from a second partner, both after the last sign of life, or the
 *     CMA's own probe, sent after the last sign of life, unanswered for the probe timeout.
 * Hosts probed because their whole segment went quiet: an unanswered probe counts while the segment
 * case is open (the segment's silence is the corroboration); after the case closes, a host nobody
 * reports (no live partner left) is dead once its probe has gone unanswered for the whole dead time.
 *
 * A host that says it is slow gets a grace (`graceMs`, bounded by the judge): every wait above — the
 * dead time's silence, the probe timeout, the probe-only wait — runs that much longer, so its death is
 * confirmed at most `graceMs` later than a well host's, and a late answer has that long to arrive.
 */
import type { TimerHandle } from '../../protocol/transport/clock';
import type { ConfirmedBy, DeathEvidence, ReportEvidence } from './decisions';
import type { MembershipTiming } from './timing';
import type { HostId } from './types';

export type ProbeState = {
  id: number;
  sentAt: number;
  answeredAt: number | null;
  /** When the CMA's transport gave up early (counts as timed out from then on). */
  failedAt: number | null;
  /** Sent to re-check a host that answered while partners still call it dead. */
  recheck: boolean;
};

export type Suspect = {
  host: HostId;
  reports: Map<HostId, ReportEvidence>;
  /** When the current episode of reports began (the first report). */
  since: number;
  /** Whether the owner was last told this host is suspected (has partner reports). */
  suspected: boolean;
  /** The CMA's latest own evidence of life (probe answer, a message from the host); -Infinity if none. */
  lifeAt: number;
  probe: ProbeState | null;
  investigation: 'active' | 'ended' | null;
  /** Set after a link_trouble: no re-checks until a partner says something new. */
  quiet: boolean;
  recheckAt: number | null;
  confirmed: DeathEvidence | null;
  timer: TimerHandle | null;
  wakeAt: number | null;
  /** Whether a slow-host grace already held back this host's death (counted once per record). */
  graced: boolean;
};

export function newSuspect(host: HostId): Suspect {
  return {
    host,
    reports: new Map(),
    since: Number.NaN,
    suspected: false,
    lifeAt: Number.NEGATIVE_INFINITY,
    probe: null,
    investigation: null,
    quiet: false,
    recheckAt: null,
    confirmed: null,
    timer: null,
    wakeAt: null,
    graced: false,
  };
}

/** A probe that can still count as evidence: unanswered and sent after the last sign of life. */
export function probeOutstanding(s: Suspect): boolean {
  return s.probe !== null && s.probe.answeredAt === null && s.probe.sentAt >= s.lifeAt;
}

/** The freshest time anyone knew the host alive. */
export function freshestLife(s: Suspect): number {
  let latest = s.lifeAt;
  for (const r of s.reports.values()) if (r.lastHeardAt !== null && r.lastHeardAt > latest) latest = r.lastHeardAt;
  return latest;
}

/** A report not contradicted by the CMA's own later evidence of life. One from an observer that never
 * heard the host since its config is dated as late as it can be: the warn or dead time before it came. */
export function isCurrent(r: ReportEvidence, lifeAt: number, t: MembershipTiming): boolean {
  const heard = r.lastHeardAt ?? r.receivedAt - (r.kind === 'dead' ? t.deadMs : t.warnMs);
  return heard >= lifeAt;
}

export type Verdict = { dead: true; evidence: DeathEvidence } | { dead: false; wakeAt: number | null };

/** When the judge stops waiting for an answer to this probe (its timeout, plus the host's grace). */
export function probeDeadline(probe: ProbeState, t: MembershipTiming, graceMs = 0): number {
  return probe.sentAt + t.probeTimeoutMs + graceMs;
}

/** `vouching`: whether a live, unsuspected partner has not reported the host (see rule 2).
 * `graceMs`: the slow-host grace, already bounded by the caller. */
export function verdict(s: Suspect, now: number, t: MembershipTiming, vouching = false, graceMs = 0): Verdict {
  const deadReports = [...s.reports.values()].filter((r) => r.kind === 'dead');
  const vouchLapsesAt = s.since + t.deadMs;
  const vouched = vouching && now < vouchLapsesAt;
  const freshest = vouched ? Math.max(freshestLife(s), now - t.warnMs) : freshestLife(s);
  const silentUntil = freshest + t.deadMs + graceMs;
  const outstanding = probeOutstanding(s);
  const probe = s.probe;
  const unansweredFor = outstanding && probe !== null ? now - probe.sentAt : 0;
  const probeFailed = outstanding && probe !== null && (unansweredFor >= t.probeTimeoutMs + graceMs || probe.failedAt !== null);
  const wakes: number[] = [];

  const confirm = (by: ConfirmedBy): Verdict => ({ dead: true, evidence: evidenceOf(s, by, now, freshest) });

  if (deadReports.length > 0) {
    if (now >= silentUntil) {
      const current = deadReports.filter((r) => isCurrent(r, s.lifeAt, t));
      if (current.length >= 2) return confirm('second_partner');
      if (probeFailed) return confirm('probe_timeout');
    } else {
      wakes.push(silentUntil);
      if (vouched) wakes.push(vouchLapsesAt);
    }
  }
  if (s.investigation === 'active' && probeFailed) return confirm('segment_probe');
  if (s.investigation === 'ended' && s.reports.size === 0 && outstanding && probe !== null && unansweredFor >= t.deadMs + graceMs) {
    return confirm('probe_only');
  }
  if (outstanding && probe !== null) {
    wakes.push(probeDeadline(probe, t, graceMs));
    if (s.investigation === 'ended') wakes.push(probe.sentAt + t.deadMs + graceMs);
  }
  const future = wakes.filter((w) => w > now);
  return { dead: false, wakeAt: future.length > 0 ? Math.min(...future) : null };
}

function evidenceOf(s: Suspect, by: ConfirmedBy, now: number, freshestWithVouching: number): DeathEvidence {
  const freshest = Math.max(freshestWithVouching, freshestLife(s));
  const probe = s.probe;
  return {
    confirmedBy: by,
    confirmedAt: now,
    lastHeardAt: Number.isFinite(freshest) ? freshest : null,
    reports: [...s.reports.values()].sort((a, b) => a.receivedAt - b.receivedAt).map((r) => ({ ...r })),
    probe: probe === null ? null : { probeId: probe.id, sentAt: probe.sentAt, unansweredForMs: probe.answeredAt === null ? now - probe.sentAt : 0 },
  };
}
