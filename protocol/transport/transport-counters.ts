/**
 * The transport's counters: everything sent, received, retransmitted and dropped, by reason. Built
 * on the protocol's shared CounterSet, so the guard's drop reasons and the transport's own appear
 * under one naming scheme (`dropped_<reason>`), ready to be exported as metrics.
 */
import { CounterSet, DROP_REASONS, dropCounterNames } from '../counters';

/** Drop reasons that only the transport produces (the shared list covers guard and codec). */
export const TRANSPORT_DROP_REASONS = [
  'too_many_fragments',
  'beyond_window',
  'stale_epoch',
  'reassembly_timeout',
  'decompress_failed',
  'unexpected_frame',
  'bad_ack',
] as const;
export type TransportDropReason = (typeof TRANSPORT_DROP_REASONS)[number];

export const TRANSPORT_COUNTER_NAMES = [
  'sent_datagrams',
  'sent_bytes',
  'received_datagrams',
  'received_bytes',
  'send_errors',
  'reliable_messages_sent',
  'reliable_messages_acknowledged',
  'reliable_messages_delivered',
  'reliable_messages_committed',
  'unreliable_sent',
  'unreliable_received',
  'signed_sent',
  'signed_received',
  'data_frames_sent',
  'data_frames_received',
  'retransmitted',
  'retransmitted_fast',
  'retransmitted_timeout',
  'spurious_retransmissions',
  'probes_sent',
  'acks_sent',
  'acks_received',
  'resets_sent',
  'resets_received',
  'duplicates_suppressed',
  'compressed_messages',
  'give_ups',
  'peer_restarts',
  'closes_received',
  'handler_errors',
  'internal_errors',
  ...dropCounterNames(DROP_REASONS),
  ...TRANSPORT_DROP_REASONS.map((r) => `dropped_${r}` as const),
] as const;
export type TransportCounterName = (typeof TRANSPORT_COUNTER_NAMES)[number];

export type TransportCounters = CounterSet<TransportCounterName>;

export function createTransportCounters(): TransportCounters {
  return new CounterSet<TransportCounterName>(TRANSPORT_COUNTER_NAMES);
}
