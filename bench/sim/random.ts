/**
 * A small seeded generator (a 32-bit multiply-xorshift counter), so every run of the simulation with
 * the same seed makes the same choices. Not for anything but simulation.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x5f3759df) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z ^= z >>> 15;
    return (z >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** `k` distinct integers from [0, n) that `exclude` rejects none of (k must be well below n). */
  sample(n: number, k: number, exclude: (i: number) => boolean = () => false): number[] {
    const chosen = new Set<number>();
    let guard = 0;
    while (chosen.size < k && guard++ < k * 1000) {
      const i = this.int(n);
      if (!exclude(i)) chosen.add(i);
    }
    return [...chosen];
  }
}
