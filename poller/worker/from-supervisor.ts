import type { PayloadOf } from '../../protocol/message-types';
import { pollerAssignSchema } from '../../protocol/messages/poller';

/** An assignment the supervisor relayed, validated (the worker trusts nothing it did not check). */
export function fromSupervisor(m: unknown): PayloadOf<'POLLER_ASSIGN'> | null {
  if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'assign') return null;
  const parsed = pollerAssignSchema.safeParse((m as { payload?: unknown }).payload);
  return parsed.success ? parsed.data : null;
}
