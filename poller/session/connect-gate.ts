/**
 * A bound on how many sessions log in at once. SSH handshakes cost CPU on both sides (key exchange,
 * signatures); 2,000 devices opened at one moment would make every one of them slow enough to time
 * out. Sessions take a slot for the whole of connect + prompt + paging setup and give it back after.
 * Waiters are served in arrival order; one that is aborted leaves the line.
 */

export type Release = () => void;

export class ConnectGate {
  private activeCount = 0;
  private readonly waiters: Array<{ grant: (release: Release) => void }> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('connect concurrency must be an integer ≥ 1');
  }

  get active(): number {
    return this.activeCount;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free; rejects with `signal.reason` if aborted first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.activeCount < this.max) {
      this.activeCount += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        grant: (release: Release): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter: the count never dips, so no one can jump the line.
      if (next) next.grant(this.releaser());
      else this.activeCount -= 1;
    };
  }
}
