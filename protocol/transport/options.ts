/**
 * Tunables of the reliable transport, with defaults, validated with zod because they come from
 * configuration files and command lines.
 */
import { z } from 'zod';

export const MIB = 1024 * 1024;

const positiveInt = z.number().int().positive();

export const transportOptionsSchema = z
  .object({
    /** Largest UDP payload we send, guard header and transport header included (QUIC's floor). */
    maxDatagramBytes: positiveInt.min(256).max(65_507).default(1200),
    /** Datagrams in flight (sent, not yet acknowledged as received) per connection. */
    windowDatagrams: positiveInt.max(4096).default(64),
    initialRtoMs: positiveInt.default(333),
    minRtoMs: positiveInt.default(20),
    maxRtoMs: positiveInt.default(4000),
    granularityMs: positiveInt.default(1),
    /** A datagram counts as lost once this many datagrams sent after it were acknowledged. */
    reorderThreshold: positiveInt.default(3),
    /** The threshold doubles after each spurious fast retransmission, up to this. */
    maxReorderThreshold: positiveInt.default(48),
    /** Give up on a peer after this many consecutive unanswered timeouts… */
    giveUpAfterTries: positiveInt.default(12),
    /** …or after this long without an answer, whichever comes first. */
    giveUpAfterMs: positiveInt.default(30_000),
    maxMessageBytes: positiveInt.max(64 * MIB).default(16 * MIB),
    /** Fragments one message may have; a DATA frame announcing more is refused and counted. */
    maxFragmentsPerMessage: positiveInt.max(65_535).default(16_384),
    /** Out-of-order datagrams a receiver buffers per connection; beyond this it drops and counts. */
    maxBufferedFragments: positiveInt.max(65_535).default(256),
    /** A half-assembled message that makes no progress for this long is dropped (stream reset). */
    reassemblyTimeoutMs: positiveInt.default(30_000),
    /** Messages at least this large are compressed (deflateRaw) when that makes them smaller. */
    compressThresholdBytes: z.number().int().nonnegative().default(1024),
    compressionLevel: z.number().int().min(0).max(9).default(1),
    /** Delivered but not yet acknowledged (committed) messages a receiver allows per connection. */
    maxUncommittedMessages: positiveInt.default(64),
    /** Bytes of complete messages a receiver holds for its application before closing its window. */
    maxHeldBytes: positiveInt.default(32 * MIB),
    /** Transitions kept per connection for debugging. */
    historySize: positiveInt.max(1024).default(32),
    /** A connection with nothing outstanding and no traffic for this long is forgotten. */
    idleTimeoutMs: positiveInt.default(600_000),
    /** Restarted sessions remembered per peer, so late datagrams of an old session are refused. */
    retiredSessionsPerPeer: positiveInt.max(64).default(4),
  })
  .refine((o) => o.minRtoMs <= o.maxRtoMs, { message: 'minRtoMs must not exceed maxRtoMs' })
  .refine((o) => o.maxBufferedFragments >= o.windowDatagrams, {
    message: 'maxBufferedFragments must be at least windowDatagrams',
  });

export type TransportOptions = z.output<typeof transportOptionsSchema>;
export type TransportOptionsInput = z.input<typeof transportOptionsSchema>;

/** Validates user-supplied options and fills in defaults; throws a zod error naming the bad field. */
export function resolveTransportOptions(input: unknown = {}): TransportOptions {
  return transportOptionsSchema.parse(input ?? {});
}
