/**
 * Heartbeat and death-judging times. heartbeatMs, warnMs and deadMs go to every nanoprobe in its
 * CONFIG; the rest are the CMA's own. Validated with zod because they come from configuration.
 *
 * Why these defaults (1 s heartbeats):
 *  - warnMs 2.5 s: a partner reports "late" after two heartbeats in a row are missing (one loss is
 *    routine on a busy network and must not reach the CMA); the CMA starts probing right then.
 *  - deadMs 4.5 s: a host is declared dead only once nobody has heard from it for this long. A 3 s
 *    process stall (GC, VM migration) silences a host for at most 3 s plus one heartbeat interval, and
 *    a stalled process answers the probe as soon as it runs again, so a stall is never a death.
 *  - probeTimeoutMs 2 s, an attempt every 250 ms: eight tries, so at 5% loss each way the chance that
 *    every try or its answer is lost is about 1e-8.
 *  Detection plus corroboration therefore takes 3.5–4.5 s after the last heartbeat (under 5 s).
 *  - slowGraceMaxMs 2 s: a host whose agent says it is slow (AGENT_LOAD) is waited for longer, by
 *    twice the delay it reported, but never by more than this (one more probe timeout: eight more
 *    attempts). A slow host that really died is still declared under 7 s after its last heartbeat.
 */
import { z } from 'zod';

const ms = z.number().int().positive().max(3_600_000);

/** The fields, strict (a typo such as `deadMS` is refused, not dropped). */
const timingFields = z
  .object({
    heartbeatMs: ms.default(1000),
    warnMs: ms.default(2500),
    deadMs: ms.default(4500),
    probeTimeoutMs: ms.default(2000),
    probeAttemptMs: ms.default(250),
    /** How long a confirmed death may be held back while the CMA checks whether its whole segment died. */
    segmentHoldMs: ms.default(3000),
    /** A segment is grouped into one "segment down" only if it had at least this many live hosts. */
    minSegmentHosts: z.number().int().min(2).default(2),
    /** Larger segments are not probed as a whole (each probe is a packet); their deaths stay per host. */
    maxSegmentHosts: z.number().int().min(2).max(1_000_000).default(4096),
    /** Most extra wait the death judge grants a host that says it is slow (0: no grace at all). */
    slowGraceMaxMs: z.number().int().min(0).max(3_600_000).default(2000),
  })
  .strict();

export const membershipTimingSchema = timingFields
  .refine((t) => t.heartbeatMs <= t.warnMs && t.warnMs < t.deadMs, {
    message: 'expected heartbeatMs <= warnMs < deadMs',
  })
  .refine((t) => t.probeAttemptMs <= t.probeTimeoutMs && t.probeTimeoutMs <= t.deadMs, {
    message: 'expected probeAttemptMs <= probeTimeoutMs <= deadMs',
  })
  // The prober keeps trying for the dead time past the probe timeout: a grace within that still gets answers.
  .refine((t) => t.slowGraceMaxMs <= t.deadMs, { message: 'expected slowGraceMaxMs <= deadMs' })
  .refine((t) => t.minSegmentHosts <= t.maxSegmentHosts, { message: 'expected minSegmentHosts <= maxSegmentHosts' });

export type MembershipTiming = z.output<typeof membershipTimingSchema>;

/** Defaults merged with `input` (from a config file or tests); throws a ZodError naming bad fields. */
export function membershipTiming(input: unknown = {}): MembershipTiming {
  return membershipTimingSchema.parse(input);
}
