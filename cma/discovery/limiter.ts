/**
 * How many graph reads for switch placements the CMA runs at once after discovery results
 * (`discovery.concurrency`). Results themselves are bounded by group commit (ingest-service.ts).
 */

/** Runs a job in a slot: the job starts once a slot is free, and frees it when it settles. */
export interface ConcurrencyLimit {
  run<T>(job: () => Promise<T>): Promise<T>;
}

/** No limit: every job starts at once (tests, benchmarks, callers that limit by other means). */
export const UNLIMITED: ConcurrencyLimit = { run: (job) => job() };

/** Runs at most `limit` jobs at once; the rest wait in arrival order. */
export class Limiter implements ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a concurrency limit is a positive integer, not ${limit}`);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    // A finishing job hands its slot straight to the first waiter (the count does not drop), so a
    // job arriving in between cannot take it as well.
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }

  /** Jobs running now, and jobs waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
