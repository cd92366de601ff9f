/**
 * What membership is told (reports) and what it decides. Decisions are plain data for the CMA daemon
 * to act on: send a probe or a CONFIG, write the graph, raise or resolve an alert, count an ignore.
 */
import type { HostId, Partner } from './types';

export type ReportKind = 'late' | 'dead' | 'alive';

/** A nanoprobe telling the CMA about one of its partners. */
export type PartnerReport = {
  observer: HostId;
  subject: HostId;
  kind: ReportKind;
  /**
   * How long the observer had not heard the subject when it reported (its `reportedAt - lastHeard`,
   * both on the observer's clock, so clock skew between hosts does not matter). Null or absent when it
   * never heard the subject since its config named it (a new partner): no time of life to offer.
   */
  silentForMs?: number | null;
};

/** A late/dead report as kept for judging and shown as evidence; times on the CMA's clock.
 * lastHeardAt is null when the observer never heard the subject since its config. */
export type ReportEvidence = { observer: HostId; kind: 'late' | 'dead'; receivedAt: number; lastHeardAt: number | null };

export type ConfirmedBy =
  /** Dead reports from two partners, both after the last sign of life. */
  | 'second_partner'
  /** A dead report, and the CMA's own probe went unanswered for the probe timeout. */
  | 'probe_timeout'
  /** Its whole segment went silent and its probe went unanswered (only counts as part of a segment). */
  | 'segment_probe'
  /** No live partner left to report it; its probe went unanswered for the whole dead time. */
  | 'probe_only';

export type DeathEvidence = {
  confirmedBy: ConfirmedBy;
  confirmedAt: number;
  /** The freshest sign of life anyone had (a partner's last heartbeat, a probe answer); null if none. */
  lastHeardAt: number | null;
  reports: ReportEvidence[];
  probe: { probeId: number; sentAt: number; unansweredForMs: number } | null;
};

export type IgnoreReason =
  | 'unknown_subject'
  | 'already_dead'
  | 'already_confirmed'
  | 'observer_not_live'
  | 'not_partner'
  | 'self_report'
  | 'duplicate'
  | 'stale'
  | 'not_suspect'
  | 'unknown_probe';

export type ConfigReason = 'join' | 'rejoin' | 'move' | 'reannounce' | 'leave' | 'death';

/**
 * How the CMA learned that a host is running:
 *  - message: an authenticated message from the host itself (a report, a probe answer, a result);
 *  - heartbeat_seen: another host reports heartbeats that name it as their sender (a claim the
 *    reporter may not have been able to authenticate, so it never counts as life for a live host);
 *  - alive_report: a partner reports it alive again;
 *  - new_process: it answered from a process started after the one the CMA configured.
 */
export type LifeSign = 'message' | 'heartbeat_seen' | 'alive_report' | 'new_process';

export type Decision =
  /** Ask the host directly: one attempt every attemptEveryMs until answered, cancelled or giveUpAfterMs. */
  | { type: 'probe'; host: HostId; probeId: number; attemptEveryMs: number; giveUpAfterMs: number; at: number }
  | { type: 'probe_cancel'; host: HostId; probeId: number; at: number }
  /** Send this host a CONFIG with these partners. */
  | { type: 'ring_config'; host: HostId; partners: Partner[]; reason: ConfigReason; at: number }
  | { type: 'host_down'; host: HostId; evidence: DeathEvidence; at: number }
  | { type: 'segment_down'; segment: string; hosts: HostId[]; evidence: Record<HostId, DeathEvidence>; at: number }
  | { type: 'resolved'; host: HostId; via: 'announce' | 'alive_report' | 'probe_answer'; downSince: number; segment: string | null; at: number }
  /** Every host of a segment that went down together is back. */
  | { type: 'segment_resolved'; segment: string; at: number }
  /** A graceful leave: the rings were re-linked; never an alert. */
  | { type: 'left'; host: HostId; at: number }
  /**
   * A host that is no member of the rings (declared dead, or unknown to this CMA since its restart), or
   * a new process of a member, is running: ask it to announce again. Its announcement brings it back
   * the one way hosts come in (resolving its alert, putting it on its rings, sending its config).
   */
  | { type: 'ask_rejoin'; host: HostId; status: 'dead' | 'unknown' | 'live'; sign: LifeSign; at: number }
  /**
   * A host that said it is slow would have been confirmed dead now; the judge waits up to graceMs more
   * (once per suspicion). Counted, so how often load nearly made a false death shows in the metrics.
   */
  | { type: 'slow_host_grace'; host: HostId; graceMs: number; at: number }
  /**
   * An answer to the probe came after the judge stopped waiting for it (its deadline passed, or the
   * host was already confirmed or declared dead): the host lives, and the suspicion or death is undone.
   */
  | { type: 'late_probe_answer'; host: HostId; probeId: number; declared: boolean; at: number }
  /** Partners keep calling a host dead that answers the CMA: a broken path between them, worth a warning. */
  | { type: 'link_trouble'; host: HostId; observers: HostId[]; at: number }
  | { type: 'ignored'; reason: IgnoreReason; event: 'report' | 'probe_result' | 'leave'; host: HostId; observer: HostId | null; at: number };

export type DecisionSink = (decision: Decision) => void;
