/**
 * The local session: a random 64-bit id chosen at every process start, and the packet counter that
 * goes with it. A peer that sees a new session id from us knows we restarted and drops old state.
 *
 * (session id, counter) is also what makes every sealing nonce unique under a pair key, so the counter
 * only ever goes up, and one process normally has exactly one session (`processSession()`), shared by
 * every guard it creates.
 */
import { randomBytes } from 'node:crypto';
import type { SessionId } from '../guard';

const U64_MAX = (1n << 64n) - 1n;

/** A random non-zero 64-bit id (0 is kept free to mean "no session"). */
export function newSessionId(): SessionId {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE(0);
    if (id !== 0n) return id;
  }
}

export function sessionIdToHex(id: SessionId): string {
  return id.toString(16).padStart(16, '0');
}

export class LocalSession {
  readonly id: SessionId;
  private counter = 0n;

  constructor(id: SessionId = newSessionId()) {
    if (id <= 0n || id > U64_MAX) throw new RangeError('session id must be a non-zero unsigned 64-bit value');
    this.id = id;
  }

  /** The next packet counter: 1, 2, 3, … never repeated within this session. */
  nextCounter(): bigint {
    if (this.counter === U64_MAX) throw new RangeError('packet counter exhausted; start a new session');
    this.counter += 1n;
    return this.counter;
  }

  /** The last counter handed out (0 before the first packet). */
  get lastCounter(): bigint {
    return this.counter;
  }
}

let processWide: LocalSession | undefined;

/** This process's session, created on first use. */
export function processSession(): LocalSession {
  processWide ??= new LocalSession();
  return processWide;
}
