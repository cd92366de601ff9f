/**
 * The Clock interface (protocol/transport/clock.ts) over the simulation's event queue, so the real
 * membership code sets its timers in virtual time, interleaved exactly with simulated packets.
 */
import type { Clock, TimerHandle } from '../../protocol/transport/clock';
import type { EventQueue } from './event-queue';

export class SimClock implements Clock {
  current = 0;
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();

  constructor(
    private readonly queue: EventQueue,
    private readonly timerKind: number,
  ) {}

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, fn);
    this.queue.push(this.current + Math.max(0, delayMs), this.timerKind, id);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  /** Called by the event loop for a timer event; a cleared timer is skipped. */
  fire(id: number): void {
    const fn = this.pending.get(id);
    if (fn === undefined) return;
    this.pending.delete(id);
    fn();
  }
}
