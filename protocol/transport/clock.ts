/**
 * Time as the transport sees it. The state machine never reads the wall clock or calls setTimeout
 * itself: it is handed a Clock, so tests drive time with a fake one and stay fast and deterministic.
 */

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds from an arbitrary origin; monotonic; may be fractional. */
  now(): number;
  /** Runs `fn` once after `delayMs` (0 = as soon as the current work is done). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/**
 * The real clock: performance.now() and Node timers. Delayed timers are unref'd so a forgotten timer
 * never keeps a process alive (the socket does that while the endpoint is open). A zero delay uses
 * setImmediate rather than setTimeout, whose floor is 1 ms: acknowledgements are coalesced on a
 * zero-delay timer and a 1 ms floor would cap throughput on a fast path.
 */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly live = new Map<number, { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout }>();

  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const run = (): void => {
      this.live.delete(id);
      fn();
    };
    if (delayMs <= 0) {
      // Not unref'd: an unref'd immediate does not stop the poll phase from blocking, so it would
      // wait for the next unrelated I/O or timer (seconds, on a quiet connection).
      this.live.set(id, { immediate: setImmediate(run) });
    } else {
      const timeout = setTimeout(run, delayMs);
      timeout.unref();
      this.live.set(id, { timeout });
    }
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const native = this.live.get(handle.id);
    if (native === undefined) return;
    this.live.delete(handle.id);
    if ('immediate' in native) clearImmediate(native.immediate);
    else clearTimeout(native.timeout);
  }
}
