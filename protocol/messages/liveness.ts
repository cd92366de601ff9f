/**
 * Heartbeats between ring partners, and what a host tells the CMA about them ("no news is good news":
 * these reports are the only liveness traffic the CMA sees while all is well). PROBE/PROBE_REPLY are the
 * CMA's own check used to corroborate a death report.
 */
import { z } from 'zod';
import { endpointSchema, epochMs, keyIdSchema, nonNegativeInt, safeName } from './common';

/** Sent SEALED and unreliable to each partner every heartbeat interval. Kept tiny on purpose. */
export const heartbeatSchema = z.object({
  seq: nonNegativeInt,
  sentAt: epochMs,
});

export const PARTNER_STATUSES = ['late', 'dead', 'alive'] as const;

export const partnerReportSchema = z.object({
  partner: keyIdSchema,
  status: z.enum(PARTNER_STATUSES),
  /** Last heartbeat received from the partner (ms since epoch), null if never heard since config. */
  lastHeard: epochMs.nullable(),
  /** The reporting host's key id (also authenticated by the packet; explicit for storage). */
  observer: keyIdSchema,
  ring: safeName.optional(),
  reportedAt: epochMs,
});

/** A heartbeat from someone who is not a configured partner; rate-limited and aggregated. */
export const unexpectedHeartbeatSchema = z.object({
  observer: keyIdSchema,
  /** The key id the datagram claimed, if it could be read (unauthenticated when the sender is unknown). */
  claimedSender: keyIdSchema.nullable(),
  from: endpointSchema,
  count: nonNegativeInt,
  firstSeen: epochMs,
  lastSeen: epochMs,
});

export const probeSchema = z.object({
  probeId: nonNegativeInt,
  sentAt: epochMs,
});

export const probeReplySchema = z.object({
  probeId: nonNegativeInt,
  /** Echo of the probe's sentAt, for the CMA's round-trip time. */
  sentAt: epochMs,
  /** The replying process's start time: a restarted host is not the one that was reported dead. */
  startTime: epochMs,
});

/** Milliseconds of load figures: non-negative, bounded (an hour), fractions allowed. */
const loadMs = z.number().nonnegative().max(3_600_000);

/**
 * An agent says how well it keeps time (its event loop's delay, the lateness of the heartbeats it
 * hears) over the last window — only when it turns slow, while it stays slow, and once when it is
 * well again: no news is good news. A slow agent sends late heartbeats, so a "late" report about a
 * host that is itself slow reads differently.
 */
export const agentLoadSchema = z.object({
  windowMs: nonNegativeInt,
  slow: z.boolean(),
  eventLoopDelayP99Ms: loadMs,
  eventLoopDelayMaxMs: loadMs,
  heartbeatLatenessP99Ms: loadMs,
});
