/** Rate-limited logging: a broken network must not flood the log with one line per packet. */
import type { Logger } from './logger';

/**
 * Lets one log line per key through every `intervalMs`; the lines held back are counted and the count
 * goes out with the next line for that key (`suppressed`).
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = 60_000,
    private readonly maxKeys = 256,
  ) {}

  /** Returns the number of lines suppressed since the last one let through, or null to stay quiet. */
  admit(key: string): number | null {
    const t = this.now();
    const entry = this.last.get(key);
    if (entry !== undefined && t - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return null;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (entry === undefined && this.last.size >= this.maxKeys) {
      const oldest = this.last.keys().next();
      if (oldest.done !== true) this.last.delete(oldest.value);
    }
    this.last.set(key, { at: t, suppressed: 0 });
    return suppressed;
  }
}

/** Logs `message` at `level` when `throttle` lets the line for `key` through, with the count held back. */
export function logThrottled(
  log: Logger,
  throttle: LogThrottle,
  level: 'warn' | 'info',
  key: string,
  fields: Record<string, unknown>,
  message: string,
): void {
  const suppressed = throttle.admit(key);
  if (suppressed !== null) log[level]({ ...fields, suppressed }, message);
}
