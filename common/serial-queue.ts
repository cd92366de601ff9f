/**
 * Runs async jobs one at a time, in order: each starts once every earlier one has settled. A failing
 * job is reported (to `onError`, and to its own caller) and does not stop the queue. Membership events
 * use it (applied in arrival order), and the discovery writes that must commit one at a time.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

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
