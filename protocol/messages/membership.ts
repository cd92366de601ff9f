/**
 * Joining and leaving: a nanoprobe or poller announces itself, the CMA answers with its decision and
 * keys, then sends the configuration (heartbeat timing and ring partners).
 */
import { z } from 'zod';
import {
  endpointSchema,
  epochMs,
  errorCodeSchema,
  hostnameSchema,
  interfaceAddressSchema,
  keyIdSchema,
  nonNegativeInt,
  portNumber,
  positiveInt,
  publicKey32,
  safeName,
  shortText,
} from './common';

/** Most addresses one host may announce, partners one config may list, rings one partner may share. */
export const MAX_ANNOUNCED_ADDRESSES = 256;
export const MAX_PARTNERS = 16;
export const MAX_RINGS_PER_PARTNER = 16;

export const ROLES = ['nanoprobe', 'poller'] as const;

/**
 * Sent SIGNED, to the bootstrap multicast group or the CMA's unicast address, repeated until acknowledged.
 * The keys here must equal the ones in the signed header (the CMA checks), which binds the host name to
 * the key that signed it.
 */
export const announceSchema = z.object({
  hostname: hostnameSchema,
  addresses: z.array(interfaceAddressSchema).max(MAX_ANNOUNCED_ADDRESSES),
  /** UDP port this process receives unicast on. */
  port: portNumber,
  ed25519: publicKey32,
  x25519: publicKey32,
  /** When this process started (ms since epoch); with the session id it tells a restart apart. */
  startTime: epochMs,
  softwareVersion: z.string().min(1).max(64),
  role: z.enum(ROLES),
});

export const announceAckSchema = z
  .object({
    accepted: z.boolean(),
    /** Why the CMA refused (an error catalogue code, e.g. UNI_SEC_007 for a changed host key). */
    code: errorCodeSchema.optional(),
    reason: shortText.optional(),
    /** Echo of the announce's start time, so a stale ack for an earlier run is recognised. */
    startTime: epochMs,
    cma: z.object({ keyId: keyIdSchema, ed25519: publicKey32, x25519: publicKey32 }),
    /**
     * Which of the CMA's acceptances of this host this is (it grows with every join the CMA accepts;
     * a repeated answer to the same join repeats it). Absent from older CMAs.
     */
    joinId: nonNegativeInt.optional(),
  })
  .refine((ack) => ack.accepted || ack.code !== undefined, { message: 'a refusal carries an error code', path: ['code'] });

export const partnerSchema = z.object({
  keyId: keyIdSchema,
  hostname: hostnameSchema.optional(),
  ed25519: publicKey32,
  x25519: publicKey32,
  address: endpointSchema,
  /** The rings on which this partner is a neighbour (e.g. "global", "subnet:10.0.0.0/24"). */
  rings: z.array(safeName).min(1).max(MAX_RINGS_PER_PARTNER),
});

export const configSchema = z
  .object({
    /** Increases with every config the CMA sends this host; an older one arriving late is ignored. */
    configVersion: nonNegativeInt,
    heartbeatIntervalMs: positiveInt,
    warnTimeMs: positiveInt,
    deadTimeMs: positiveInt,
    partners: z.array(partnerSchema).max(MAX_PARTNERS),
  })
  .refine((c) => c.warnTimeMs >= c.heartbeatIntervalMs && c.deadTimeMs > c.warnTimeMs, {
    message: 'expected heartbeatIntervalMs <= warnTimeMs < deadTimeMs',
  });

/** Graceful departure (SIGTERM): the CMA re-links the rings without raising an alert. */
export const leaveSchema = z.object({
  reason: shortText,
  startTime: epochMs,
});

/**
 * The CMA does not hold the sender as a member (it declared the host dead, or restarted without it on
 * its rings) but hears from it: announce again. Sealed, from the CMA only; a nanoprobe that is not
 * joined just announces sooner. Joining stays the one way in (ANNOUNCE, then CONFIG).
 */
export const rejoinSchema = z.object({
  /** Why, for the nanoprobe's log (e.g. "declared dead"). */
  reason: shortText,
  /**
   * The last join of this host the CMA had accepted when it asked (its ANNOUNCE_ACK's joinId; 0 when
   * it has accepted none). A REJOIN is reliable, so it can arrive late, after the host joined again:
   * a nanoprobe whose current join is newer ignores it. Absent from older CMAs (always obeyed).
   */
  joinId: nonNegativeInt.optional(),
});
