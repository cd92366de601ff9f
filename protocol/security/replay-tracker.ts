/**
 * Replay state for every sender: its current session with a replay window, and the sessions it left
 * behind. A packet from a session we saw replaced is `stale_session` (a restarted peer's old packets, or
 * a recorded one replayed); a packet from a session we never saw means the peer restarted, and that
 * session becomes current.
 *
 * Only authenticated packets may change state: callers `check` before the expensive cryptography and
 * `commit` after it succeeds.
 *
 * Limits (documented in docs/architecture.md): state is in memory and bounded (least recently active
 * senders are forgotten beyond `maxSenders`; each sender remembers `retiredSessions` old sessions), so a
 * packet recorded from a session this process never saw can be replayed once per counter after the
 * receiver restarts. Freshness across restarts is proven above this layer (signed announces carry the
 * start time, the CMA compares it).
 */
import type { KeyId, SessionId } from '../guard';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay-window';

/**
 * fresh: next packet of the current session; new_sender: first packet we hold state for;
 * new_session: a known sender restarted; replay / stale_session: refuse.
 */
export type ReplayVerdict = 'fresh' | 'new_sender' | 'new_session' | 'replay' | 'stale_session';

export type ReplayTrackerOptions = {
  windowSize?: number;
  maxSenders?: number;
  retiredSessions?: number;
};

type SenderState = { session: SessionId; window: ReplayWindow; retired: SessionId[] };

export class ReplayTracker {
  private readonly senders = new Map<KeyId, SenderState>();
  private readonly windowSize: number;
  private readonly maxSenders: number;
  private readonly retiredSessions: number;

  constructor(options: ReplayTrackerOptions = {}) {
    this.windowSize = options.windowSize ?? DEFAULT_REPLAY_WINDOW;
    this.maxSenders = options.maxSenders ?? 65_536;
    this.retiredSessions = options.retiredSessions ?? 16;
    new ReplayWindow(this.windowSize); // validates the size now rather than on the first packet
    if (!Number.isInteger(this.maxSenders) || this.maxSenders < 1) throw new RangeError('maxSenders must be >= 1');
    if (!Number.isInteger(this.retiredSessions) || this.retiredSessions < 1) throw new RangeError('retiredSessions must be >= 1');
  }

  /** What `commit` would say, without changing anything. */
  check(sender: KeyId, session: SessionId, counter: bigint): ReplayVerdict {
    const state = this.senders.get(sender);
    if (state === undefined) return 'new_sender';
    if (state.session === session) return state.window.check(counter) === 'fresh' ? 'fresh' : 'replay';
    return state.retired.includes(session) ? 'stale_session' : 'new_session';
  }

  /** Records an authenticated packet. Returns the same verdict as `check` would have. */
  commit(sender: KeyId, session: SessionId, counter: bigint): ReplayVerdict {
    const verdict = this.check(sender, session, counter);
    if (verdict === 'replay' || verdict === 'stale_session') return verdict;
    let state = this.senders.get(sender);
    if (state === undefined) {
      state = { session, window: new ReplayWindow(this.windowSize), retired: [] };
    } else if (verdict === 'new_session') {
      state.retired.push(state.session);
      if (state.retired.length > this.retiredSessions) state.retired.shift();
      state.session = session;
      state.window = new ReplayWindow(this.windowSize);
    }
    state.window.accept(counter);
    // Re-inserting keeps the Map in least-recently-active order for eviction.
    this.senders.delete(sender);
    this.senders.set(sender, state);
    if (this.senders.size > this.maxSenders) {
      const oldest = this.senders.keys().next();
      if (oldest.done !== true) this.senders.delete(oldest.value);
    }
    return verdict;
  }

  currentSession(sender: KeyId): SessionId | undefined {
    return this.senders.get(sender)?.session;
  }

  get senderCount(): number {
    return this.senders.size;
  }
}
