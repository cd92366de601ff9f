/**
 * A sliding-window replay filter for the counters of one (sender, session), as in IPsec/DTLS: it remembers
 * the highest counter accepted and a bitmap of which of the `size` counters below it were seen. A counter
 * above the highest is new; one inside the window is new only if its bit is clear; one below the window
 * is refused as too old (it may be a genuine late packet, but we can no longer tell it from a replay).
 *
 * Duplicates are identified by the counter, never by packet or signature bytes: Ed25519 signatures are
 * malleable in some implementations, and a re-encrypted or re-signed copy must still count as a replay.
 */
export type WindowVerdict = 'fresh' | 'duplicate' | 'too_old';

export const DEFAULT_REPLAY_WINDOW = 1024;

export class ReplayWindow {
  readonly size: number;
  private readonly bits: Uint32Array;
  private readonly sizeBig: bigint;
  /** Highest counter accepted; -1 before the first. */
  private highest = -1n;

  constructor(size = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 64 || size % 32 !== 0 || size > 1 << 20) {
      throw new RangeError(`replay window size must be a multiple of 32 between 64 and 2^20, got ${size}`);
    }
    this.size = size;
    this.sizeBig = BigInt(size);
    this.bits = new Uint32Array(size / 32);
  }

  check(counter: bigint): WindowVerdict {
    if (counter < 0n) return 'too_old';
    if (counter > this.highest) return 'fresh';
    if (this.highest - counter >= this.sizeBig) return 'too_old';
    return this.testBit(counter) ? 'duplicate' : 'fresh';
  }

  /** Marks a counter as seen if it is fresh; returns the verdict it had before. */
  accept(counter: bigint): WindowVerdict {
    const verdict = this.check(counter);
    if (verdict !== 'fresh') return verdict;
    if (counter > this.highest) this.advanceTo(counter);
    this.setBit(counter);
    return verdict;
  }

  get highestAccepted(): bigint {
    return this.highest;
  }

  /** Clears the bits of the counters the window slides over, so they read as unseen. */
  private advanceTo(counter: bigint): void {
    const gap = counter - this.highest;
    if (gap >= this.sizeBig || this.highest < 0n) {
      this.bits.fill(0);
    } else {
      // A sender's counter is shared by all its peers, so gaps of hundreds are normal: plain numbers here.
      let position = Number((this.highest + 1n) % this.sizeBig);
      for (let n = Number(gap); n > 0; n -= 1) {
        this.bits[position >>> 5] = (this.bits[position >>> 5] ?? 0) & ~(1 << (position & 31));
        position = position + 1 === this.size ? 0 : position + 1;
      }
    }
    this.highest = counter;
  }

  private slot(counter: bigint): [word: number, mask: number] {
    const position = Number(counter % this.sizeBig);
    return [position >>> 5, 1 << (position & 31)];
  }

  private testBit(counter: bigint): boolean {
    const [word, mask] = this.slot(counter);
    return ((this.bits[word] ?? 0) & mask) !== 0;
  }

  private setBit(counter: bigint): void {
    const [word, mask] = this.slot(counter);
    this.bits[word] = (this.bits[word] ?? 0) | mask;
  }
}
