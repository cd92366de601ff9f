/**
 * When to announce: a small state machine with an injected clock and random source.
 *
 *   idle --start--> announcing ----accepted----> joined --lost--> announcing (again; hurry: sooner)
 *                       |                          ^
 *                       +--refused--> refused -----+ accepted
 *                                  (slow retries)
 *
 * While announcing, the n-th retry waits min(initial·2^n, max), multiplied by a random factor in
 * [1 − jitter, 1 + jitter] so that a fleet that lost its CMA at the same moment does not announce in
 * lock-step. The first announcement after a start goes out at once; the first one after losing the
 * CMA waits a random part of the initial delay, for the same reason (every host notices a restarted
 * CMA at about the same time). A refusal switches to slow retries (the CMA may change its mind, e.g.
 * once an operator registers the host) until an acceptance arrives.
 *
 * It never touches a socket: `send` is called when an announcement is due.
 */
import type { Clock, TimerHandle } from '../protocol/transport/clock';

export type AnnouncerState = 'idle' | 'announcing' | 'refused' | 'joined' | 'stopped';

export type BackoffOptions = {
  initialMs: number;
  maxMs: number;
  /** 0 ≤ jitter < 1: each delay is scaled by a random factor in [1 − jitter, 1 + jitter]. */
  jitter: number;
  refusedRetryMs: number;
};

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, jitter: 0.25, refusedRetryMs: 30_000 };

export type AnnouncerOptions = {
  clock: Clock;
  send: () => void;
  backoff?: Partial<BackoffOptions>;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
  onStateChange?: (from: AnnouncerState, to: AnnouncerState, why: string) => void;
  /** Told when `send` throws; the retries go on regardless. */
  onSendError?: (err: unknown) => void;
};

/** The un-jittered delay after the `attempt`-th announcement (0-based). */
export function baseDelay(attempt: number, b: Pick<BackoffOptions, 'initialMs' | 'maxMs'>): number {
  // 2^attempt overflows nothing useful past ~30 doublings; cap the exponent first.
  return Math.min(b.initialMs * 2 ** Math.min(attempt, 30), b.maxMs);
}

export function jittered(delay: number, jitter: number, random: number): number {
  return delay * (1 + jitter * (2 * random - 1));
}

export class Announcer {
  private readonly clock: Clock;
  private readonly sendNow: () => void;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly onStateChange: AnnouncerOptions['onStateChange'];
  private readonly onSendError: AnnouncerOptions['onSendError'];
  private current: AnnouncerState = 'idle';
  private attempt = 0;
  private timer: TimerHandle | undefined;
  private dueAt: number | undefined;
  private sent = 0;

  constructor(options: AnnouncerOptions) {
    this.clock = options.clock;
    this.sendNow = options.send;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    if (!(this.backoff.jitter >= 0 && this.backoff.jitter < 1)) throw new RangeError('jitter must be in [0, 1)');
    if (!(this.backoff.initialMs > 0 && this.backoff.initialMs <= this.backoff.maxMs)) throw new RangeError('need 0 < initialMs <= maxMs');
    this.random = options.random ?? Math.random;
    this.onStateChange = options.onStateChange;
    this.onSendError = options.onSendError;
  }

  get state(): AnnouncerState {
    return this.current;
  }

  /** Announcements sent so far. */
  get announcements(): number {
    return this.sent;
  }

  /** When the next announcement is due (clock time), if one is scheduled. */
  get nextAnnounceAt(): number | undefined {
    return this.dueAt;
  }

  start(): void {
    if (this.current !== 'idle') return;
    this.move('announcing', 'start');
    this.attempt = 0;
    this.fire();
  }

  /** A valid acceptance arrived: stop announcing. */
  accepted(): void {
    if (this.current !== 'announcing' && this.current !== 'refused') return;
    this.cancel();
    this.move('joined', 'accepted');
  }

  /** A valid refusal arrived: keep trying, slowly. */
  refused(): void {
    if (this.current !== 'announcing' && this.current !== 'refused') return;
    this.move('refused', 'refused');
    this.cancel();
    this.schedule(jittered(this.backoff.refusedRetryMs, this.backoff.jitter, this.random()));
  }

  /** The CMA is gone (it restarted, or stopped acknowledging): announce again, from the short delay. */
  lost(why: string): void {
    if (this.current !== 'joined') return;
    this.move('announcing', why);
    this.attempt = 0;
    this.cancel();
    this.schedule(this.backoff.initialMs * this.random());
  }

  /**
   * The CMA wants us back (it said so while we were still announcing, e.g. after our retries had
   * backed off to the maximum): the next announcement goes out within the short delay.
   */
  hurry(): void {
    if (this.current !== 'announcing') return;
    const soon = this.backoff.initialMs * this.random();
    if (this.dueAt !== undefined && this.dueAt - this.clock.now() <= soon) return;
    this.attempt = 0;
    this.cancel();
    this.schedule(soon);
  }

  stop(): void {
    this.cancel();
    if (this.current !== 'stopped') this.move('stopped', 'stop');
  }

  private fire(): void {
    this.timer = undefined;
    this.dueAt = undefined;
    if (this.current !== 'announcing' && this.current !== 'refused') return;
    this.sent += 1;
    // A throwing sender (a socket error) must not end the retries, nor escape a timer: the next may work.
    try {
      this.sendNow();
    } catch (err) {
      this.onSendError?.(err);
    }
    if (this.current === 'announcing') {
      this.schedule(jittered(baseDelay(this.attempt, this.backoff), this.backoff.jitter, this.random()));
      this.attempt += 1;
    } else if (this.current === 'refused') {
      this.schedule(jittered(this.backoff.refusedRetryMs, this.backoff.jitter, this.random()));
    }
  }

  private schedule(delayMs: number): void {
    this.dueAt = this.clock.now() + delayMs;
    this.timer = this.clock.setTimer(delayMs, () => this.fire());
  }

  private cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.dueAt = undefined;
  }

  private move(to: AnnouncerState, why: string): void {
    const from = this.current;
    this.current = to;
    if (from !== to) this.onStateChange?.(from, to, why);
  }
}
