/**
 * Runs async jobs one at a time, in order. Membership events must be applied in the order they
 * arrived, and their graph writes must land before the next event's (a death after a join, never the
 * reverse); a failing job is reported and does not stop the queue.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly onError: (err: unknown) => void) {}

  get length(): number {
    return this.pending;
  }

  /** Queues `job`; the returned promise settles with it (and never rejects the queue itself). */
  push<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.tail.then(job);
    this.tail = run.then(
      () => {
        this.pending--;
      },
      (err: unknown) => {
        this.pending--;
        this.onError(err);
      },
    );
    return run;
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}
