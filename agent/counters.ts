/**
 * What every agent's link with the CMA counts (nanoprobes now, pollers next): announcing, the
 * acknowledgements believed or refused, joins and losses, and what was sent. Each agent adds its own
 * names to these (nanoprobe/counters.ts).
 */
import { CounterSet } from '../protocol/counters';

export const AGENT_COUNTER_NAMES = [
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
  'unexpected_reports_sent',
  'partner_reports_sent',
  'partner_reports_delivered',
  'partner_reports_failed',
  'leaves_sent',
  'leaves_acknowledged',
] as const;

export type AgentCounterName = (typeof AGENT_COUNTER_NAMES)[number];

export function createAgentCounters(): CounterSet<AgentCounterName> {
  return new CounterSet<AgentCounterName>(AGENT_COUNTER_NAMES);
}
