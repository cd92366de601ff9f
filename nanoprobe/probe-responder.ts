/**
 * The CMA's own liveness check (used to corroborate a death report, and by a restarted CMA to find the
 * hosts it remembers): a PROBE is answered at once, echoing its id and send time so the CMA can match
 * it and measure the round trip, with our start time so that a restarted host is not mistaken for the
 * one that was reported dead. Only the CMA may probe; anything else is counted and ignored.
 */
import type { PayloadOf } from '../protocol/message-types';

export type ProbePayload = PayloadOf<'PROBE'>;
export type ProbeReplyPayload = PayloadOf<'PROBE_REPLY'>;

export function probeReply(probe: ProbePayload, startTime: number): ProbeReplyPayload {
  return { probeId: probe.probeId, sentAt: probe.sentAt, startTime };
}
