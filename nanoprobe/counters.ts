/**
 * What a nanoprobe counts (status().counters): its link with the CMA's (agent/counters.ts) and its own. Every drop and every refusal has a counter, so a problem
 * that is only logged once per minute still shows its true size.
 */
import { AGENT_COUNTER_NAMES } from '../agent/counters';
import { CounterSet } from '../protocol/counters';

export const NANOPROBE_COUNTER_NAMES = [
  ...AGENT_COUNTER_NAMES,
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
  'probes_answered',
  'probes_ignored',
  'discovery_requests',
  'messages_received',
  'decode_errors',
  /** a message type a nanoprobe has no use for (or from a sender that may not send it) */
  'messages_unexpected',
  'app_naks',
  'transport_errors',
  'internal_errors',
] as const;

export type NanoprobeCounterName = (typeof NANOPROBE_COUNTER_NAMES)[number];

export function createNanoprobeCounters(): CounterSet<NanoprobeCounterName> {
  return new CounterSet<NanoprobeCounterName>(NANOPROBE_COUNTER_NAMES);
}
