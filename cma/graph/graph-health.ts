/**
 * Whether Neo4j answers, known by the next check (one a second) instead of after the driver's 30 s
 * of transaction retries.
 * A check (a trivial auto-commit query, no retries, bounded by a timeout) runs every second. A check
 * that fails (connection refused, database unavailable) marks Neo4j down at once; one that only runs
 * past its timeout does so after `slowChecks` in a row (a busy machine answers late, a hung or
 * stopped Neo4j never). While down, reads and new writes fail at once with GraphUnavailableError (the
 * REST API answers 503), and reads already waiting are let go with the same error. Writes already running are left to finish or
 * fail by themselves: one may yet commit, and every writer retries idempotently.
 */
export class GraphUnavailableError extends Error {
  /** The REST API's code for Neo4j not answering, on every route. */
  readonly code = 'UNI_API_GRAPH_UNAVAILABLE';
  /** For the REST API's error handler. */
  readonly status = 503;
  constructor(detail: string) {
    super(`Neo4j does not answer: ${detail}`);
    this.name = 'GraphUnavailableError';
  }
}

export type GraphHealthOptions = { everyMs: number; timeoutMs: number; slowChecks: number };

class CheckTimeout extends Error {}

/** `work`, or a CheckTimeout once `ms` pass without an answer (the work itself is not cancelled). */
export async function answerWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export class GraphHealth {
  private upNow = true;
  private lastError = '';
  private readonly waiting = new Set<(err: Error) => void>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private slowInARow = 0;

  constructor(
    private readonly check: () => Promise<void>,
    private readonly options: GraphHealthOptions = { everyMs: 1_000, timeoutMs: 3_000, slowChecks: 3 },
    private readonly onChange: (up: boolean, error: string) => void = () => undefined,
  ) {
    this.schedule();
  }

  get up(): boolean {
    return this.upNow;
  }

  /** Fails at once while Neo4j is known down; with `abortable`, also when it goes down meanwhile. */
  run<T>(work: () => Promise<T>, abortable: boolean): Promise<T> {
    if (!this.upNow) return Promise.reject(new GraphUnavailableError(this.lastError));
    if (!abortable) return work();
    return new Promise<T>((resolve, reject) => {
      const abort = (err: Error): void => reject(err);
      this.waiting.add(abort);
      work().then(
        (v) => {
          this.waiting.delete(abort);
          resolve(v);
        },
        (err: unknown) => {
          this.waiting.delete(abort);
          reject(err);
        },
      );
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.probe(), this.options.everyMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    try {
      await answerWithin(this.check(), this.options.timeoutMs);
      this.slowInARow = 0;
      this.set(true, '');
    } catch (err) {
      const slow = err instanceof CheckTimeout;
      this.slowInARow = slow ? this.slowInARow + 1 : 0;
      if (!slow || this.slowInARow >= this.options.slowChecks) {
        this.set(false, slow ? `no answer to ${this.slowInARow} checks in a row (${this.options.timeoutMs} ms each)` : err instanceof Error ? err.message : String(err));
      }
    } finally {
      this.schedule();
    }
  }

  private set(up: boolean, error: string): void {
    if (this.closed) return;
    const changed = up !== this.upNow;
    this.upNow = up;
    this.lastError = error;
    if (!up) {
      const err = new GraphUnavailableError(error);
      for (const abort of [...this.waiting]) abort(err);
      this.waiting.clear();
    }
    if (changed) this.onChange(up, error);
  }
}
