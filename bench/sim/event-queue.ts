/**
 * The simulation's priority queue: a binary min-heap over parallel typed arrays (time, kind, argument),
 * so a million per-host timers cost 13 bytes each and no garbage. Ties in time pop in an unspecified
 * but deterministic order (the same pushes give the same pops).
 */
export class EventQueue {
  private times: Float64Array;
  private kinds: Uint8Array;
  private args: Int32Array;
  private count = 0;
  /** Fields of the event last popped. */
  time = 0;
  kind = 0;
  arg = 0;

  constructor(capacity = 1024) {
    this.times = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.args = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  peekTime(): number {
    return this.count > 0 ? (this.times[0] as number) : Number.POSITIVE_INFINITY;
  }

  push(time: number, kind: number, arg: number): void {
    if (this.count === this.times.length) this.grow();
    let i = this.count++;
    const times = this.times;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt <= time) break;
      times[i] = pt;
      this.kinds[i] = this.kinds[parent] as number;
      this.args[i] = this.args[parent] as number;
      i = parent;
    }
    times[i] = time;
    this.kinds[i] = kind;
    this.args[i] = arg;
  }

  /** Removes the earliest event into time/kind/arg; returns false when empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    const times = this.times;
    const kinds = this.kinds;
    const args = this.args;
    this.time = times[0] as number;
    this.kind = kinds[0] as number;
    this.arg = args[0] as number;
    const last = --this.count;
    if (last === 0) return true;
    const t = times[last] as number;
    const k = kinds[last] as number;
    const a = args[last] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last && (times[right] as number) < (times[child] as number)) child = right;
      if ((times[child] as number) >= t) break;
      times[i] = times[child] as number;
      kinds[i] = kinds[child] as number;
      args[i] = args[child] as number;
      i = child;
    }
    times[i] = t;
    kinds[i] = k;
    args[i] = a;
    return true;
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    const kinds = new Uint8Array(size);
    const args = new Int32Array(size);
    times.set(this.times);
    kinds.set(this.kinds);
    args.set(this.args);
    this.times = times;
    this.kinds = kinds;
    this.args = args;
  }
}
