/**
 * What the poller's supervisor and its workers say over IPC. Both ends are this project's code; the
 * supervisor still checks what a worker sends before it goes to the CMA (the CMA checks it again).
 */
import type { PayloadOf } from '../../protocol/message-types';
import { pollerConfirmSchema, pollResultSchema } from '../../protocol/messages/poller';

export type ToWorker = { type: 'assign'; payload: PayloadOf<'POLLER_ASSIGN'> };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'confirm'; payload: PayloadOf<'POLLER_CONFIRM'> }
  | { type: 'result'; payload: PayloadOf<'POLL_RESULT'> }
  | { type: 'stats'; sessions: number; polls: number; failures: number };

/** A worker's confirm or result, validated; null for anything else. */
export function fromWorker(m: unknown): Extract<FromWorker, { type: 'confirm' | 'result' }> | null {
  if (typeof m !== 'object' || m === null) return null;
  const { type, payload } = m as { type?: unknown; payload?: unknown };
  if (type === 'confirm') {
    const p = pollerConfirmSchema.safeParse(payload);
    return p.success ? { type, payload: p.data } : null;
  }
  if (type === 'result') {
    const p = pollResultSchema.safeParse(payload);
    return p.success ? { type, payload: p.data } : null;
  }
  return null;
}
