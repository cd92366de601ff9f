/**
 * One lazily re-armed timer for a state machine that moves its deadline on nearly every packet.
 * Moving the deadline later only records it (the native timer, when it fires early, re-arms itself),
 * because clearing and re-creating a timer per ACK would cost more than handling the ACK.
 *
 * When the deadline is reached, the callback runs one zero-delay tick later, after pending I/O: after
 * a long synchronous stretch (compressing 1 MiB, say) Node's timer phase runs before the poll phase,
 * so acting at once would retransmit datagrams whose ACKs are already waiting in the socket.
 */
import type { Clock, TimerHandle } from './clock';

export class WakeTimer {
  private handle: TimerHandle | undefined;
  private handleAt = Infinity;
  private target = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (now: number) => void,
  ) {}

  /** Fire at `at` (Infinity: never). Replaces any earlier target. */
  schedule(at: number): void {
    this.target = at;
    if (at === Infinity) {
      this.cancelNative();
      return;
    }
    if (this.handle !== undefined && this.handleAt <= at) return;
    this.cancelNative();
    this.start(at);
  }

  clear(): void {
    this.schedule(Infinity);
  }

  private start(at: number): void {
    this.handleAt = at;
    this.handle = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.handle = undefined;
      this.handleAt = Infinity;
      if (this.target === Infinity) return;
      const now = this.clock.now();
      if (now < this.target) {
        this.start(this.target);
        return;
      }
      this.handleAt = now;
      this.handle = this.clock.setTimer(0, () => {
        this.handle = undefined;
        this.handleAt = Infinity;
        if (this.target === Infinity) return;
        const later = this.clock.now();
        if (later < this.target) {
          this.start(this.target);
          return;
        }
        this.target = Infinity;
        this.fire(later);
      });
    });
  }

  private cancelNative(): void {
    if (this.handle === undefined) return;
    this.clock.clearTimer(this.handle);
    this.handle = undefined;
    this.handleAt = Infinity;
  }
}
