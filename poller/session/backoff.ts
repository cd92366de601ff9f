/**
 * When to try again after failures. The first failure after a success is retried at once (a device
 * that dropped one connection, or a command that timed out, usually answers the next one); from the
 * second consecutive failure on, the n-th waits min(initial·2^(n−2), max), scaled by a random
 * factor in [1 − jitter, 1 + jitter] so that a fleet that lost its network at one moment does not
 * reconnect in lockstep. Pure: the random source is passed in.
 */

export interface BackoffOptions {
  /** Delay after the second consecutive failure. */
  initialMs: number;
  /** The cap: no delay is longer (before jitter). */
  maxMs: number;
  /** 0 ≤ jitter < 1. */
  jitter: number;
  /** Retry the first failure at once (default true). */
  immediateFirstRetry: boolean;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, jitter: 0.2, immediateFirstRetry: true };

export function checkBackoff(options: BackoffOptions): BackoffOptions {
  if (!(options.jitter >= 0 && options.jitter < 1)) throw new RangeError('backoff jitter must be in [0, 1)');
  if (!(options.initialMs > 0 && options.initialMs <= options.maxMs && Number.isFinite(options.maxMs))) {
    throw new RangeError('backoff needs 0 < initialMs <= maxMs < Infinity');
  }
  return options;
}

/**
 * The delay before the next attempt after `failures` consecutive failures (≥ 1). `random` is uniform
 * in [0, 1).
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number): number {
  if (!Number.isInteger(failures) || failures < 1) throw new RangeError('failures must be an integer ≥ 1');
  const step = options.immediateFirstRetry ? failures - 2 : failures - 1;
  if (step < 0) return 0;
  // 2^step overflows to Infinity for big streaks; min() then caps it, which is what we want.
  const base = Math.min(options.maxMs, options.initialMs * 2 ** step);
  const r = random();
  return Math.max(0, base * (1 + options.jitter * (2 * r - 1)));
}
