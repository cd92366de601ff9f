/**
 * What a nanoprobe counts (status().counters). Every drop and every refusal has a counter, so a problem
 * that is only logged once per minute still shows its true size.
 */
import { CounterSet } from '../protocol/counters';

export const NANOPROBE_COUNTER_NAMES = [
  'announces_sent',
  'announce_send_errors',
  /** addresses left out of ANNOUNCE so that it fits in one datagram */
  'announce_addresses_dropped',
  'acks_accepted',
  'acks_refused',
  'acks_duplicate',
  'acks_rejected_signer_mismatch',
  'acks_rejected_stale_start_time',
  'acks_rejected_not_configured_key',
  'acks_rejected_pin_mismatch',
  'joins',
  'cma_lost_restarted',
  'cma_lost_gave_up',
  /** the CMA holds us as no member (declared dead while we ran on) and asked us to announce again */
  'cma_lost_asked',
  /** REJOIN messages received, joined or not */
  'rejoins_asked',
  /** REJOINs ignored because they were sent before our current join was accepted (stale-rejoin.ts) */
  'rejoins_stale',
  'configs_applied',
  'configs_stale',
  /** partners in a CONFIG whose key id does not match their key (left out) */
  'config_partners_invalid',
  /** times our own process was found stalled or starved (a timer more than 100 ms late); silences judged after reading the socket */
  'stalls',
  'heartbeats_sent',
  'heartbeat_send_errors',
  'heartbeats_received',
  'heartbeats_unexpected',
  'unexpected_reports_sent',
  'partner_reports_sent',
  'partner_reports_delivered',
  'partner_reports_failed',
  'probes_answered',
  'probes_ignored',
  'discovery_requests',
  'messages_received',
  'decode_errors',
  /** a message type a nanoprobe has no use for (or from a sender that may not send it) */
  'messages_unexpected',
  'app_naks',
  'leaves_sent',
  'leaves_acknowledged',
  'transport_errors',
  'internal_errors',
] as const;

export type NanoprobeCounterName = (typeof NANOPROBE_COUNTER_NAMES)[number];

export function createNanoprobeCounters(): CounterSet<NanoprobeCounterName> {
  return new CounterSet<NanoprobeCounterName>(NANOPROBE_COUNTER_NAMES);
}
