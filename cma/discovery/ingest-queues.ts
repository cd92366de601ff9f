/**
 * Results of one (host, discovertype) one after another (ingest-service.ts; the writes of crossHost
 * plugins one at a time use common/serial-queue.ts). A job that fails does not stop the ones queued
 * after it.
 */

/** Jobs with the same key run one after another, in the order they were queued. */
export class KeyedQueue {
  /** the last pending job per key: the next one with that key waits for it */
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with a job pending (bounded by what is in flight, not by what was ever seen). */
  get size(): number {
    return this.tails.size;
  }
}
