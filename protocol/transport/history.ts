/**
 * A short ring buffer of a connection's state transitions, with timestamps, for field debugging
 * ("why did this peer's messages stall at 10:42?"). Fixed size: old entries are overwritten.
 */

export type TransitionEntry = {
  atMs: number;
  from: string;
  to: string;
  /** What caused it, in a few words (e.g. "rto expired", "peer session changed"). */
  why: string;
};

export class TransitionHistory {
  private readonly entries: (TransitionEntry | undefined)[];
  private next = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    this.entries = new Array<TransitionEntry | undefined>(capacity).fill(undefined);
  }

  record(entry: TransitionEntry): void {
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.total++;
  }

  /** Oldest first. */
  list(): TransitionEntry[] {
    const out: TransitionEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.entries[(this.next + i) % this.capacity];
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** How many transitions were ever recorded (more than `list()` shows once it wrapped). */
  recorded(): number {
    return this.total;
  }
}
