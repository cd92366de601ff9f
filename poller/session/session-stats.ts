/**
 * What a CLI session counts, and the short history of its state changes kept for field debugging
 * ("why did this device reconnect at 03:12?"): the last few transitions with their reasons.
 */
import { zeroCounts, type SessionErrorCode } from './errors';

export type SessionState =
  /** Created; connects on the first command or connect(). */
  | 'idle'
  /** Waiting for a connect slot, logging in, learning the prompt, turning paging off. */
  | 'connecting'
  | 'ready'
  /** After consecutive failures: waiting before the next attempt; commands fail fast meanwhile. */
  | 'backing_off'
  /** close() was called, or the session gave up. */
  | 'closed';

export interface StateTransition {
  /** The session clock's time (ms). */
  at: number;
  from: SessionState;
  to: SessionState;
  reason: string;
}

export interface SessionCounters {
  connectAttempts: number;
  /** Connections that reached `ready`. */
  connects: number;
  /** Of those, the ones after the first. */
  reconnects: number;
  /** Commands answered (output returned). */
  commands: number;
  /** Every error raised, by code: failed connects, lost connections, failed or refused commands. */
  failures: Record<SessionErrorCode, number>;
  bytesIn: number;
  bytesOut: number;
  /** Pager prompts answered with a space (paging should be off: non-zero means the device ignored it). */
  pagerPrompts: number;
  /** Bytes that arrived while no command was waiting (log lines, extra prompts): not anyone's output. */
  strayBytes: number;
}

export function newCounters(): SessionCounters {
  return { connectAttempts: 0, connects: 0, reconnects: 0, commands: 0, failures: zeroCounts(), bytesIn: 0, bytesOut: 0, pagerPrompts: 0, strayBytes: 0 };
}

export function copyCounters(c: SessionCounters): SessionCounters {
  return { ...c, failures: { ...c.failures } };
}

/** A fixed-size ring of the latest transitions. */
export class TransitionLog {
  private readonly items: StateTransition[] = [];
  constructor(private readonly size = 16) {}

  add(t: StateTransition): void {
    this.items.push(t);
    if (this.items.length > this.size) this.items.shift();
  }

  list(): readonly StateTransition[] {
    return [...this.items];
  }
}
