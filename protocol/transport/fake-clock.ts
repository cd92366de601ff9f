/**
 * A clock that only moves when a test says so. Timers fire in deadline order (ties in the order they
 * were set), and a timer set while others run fires in the same advance if its deadline is reached.
 * For unit tests and the in-memory network; never used in production.
 */
import type { Clock, TimerHandle } from './clock';

type PendingTimer = { id: number; at: number; order: number; fn: () => void };

export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private nextOrder = 0;
  private readonly timers = new Map<number, PendingTimer>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, delayMs), order: this.nextOrder++, fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer whose deadline is reached on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.at > target) break;
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  /** Fires timers (moving time) until `done()` holds or nothing is left before `limitMs` from now. */
  runUntil(done: () => boolean, limitMs = 600_000): boolean {
    const limit = this.current + limitMs;
    while (!done()) {
      const next = this.earliest();
      if (next === undefined || next.at > limit) return done();
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    return true;
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers.values()) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }
}
