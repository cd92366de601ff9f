/**
 * Where a write path's database time goes: every statement run in a profiled transaction is timed
 * (from `run` until its records are consumed) and summed per statement shape. Benchmarks print the
 * summary (`--profile`); nothing in production turns it on.
 *
 * Statements are grouped by their Cypher text with whitespace squeezed, cut to `shapeChars`: plans
 * merged across results share their text, so one shape is one kind of write.
 */
import type { ManagedTransaction } from 'neo4j-driver';

export type StatementShape = { shape: string; statements: number; rows: number; ms: number };

export class StatementProfile {
  private readonly byShape = new Map<string, StatementShape>();
  /** whole transactions, session open to commit: what statements leave out is begin, commit and the client's own work between */
  readonly transactions = { count: 0, ms: 0 };

  constructor(private readonly shapeChars = 90) {}

  record(cypher: string, rows: number, ms: number): void {
    const shape = cypher.replace(/\s+/g, ' ').trim().slice(0, this.shapeChars);
    const s = this.byShape.get(shape) ?? { shape, statements: 0, rows: 0, ms: 0 };
    s.statements += 1;
    s.rows += rows;
    s.ms += ms;
    this.byShape.set(shape, s);
  }

  recordTransaction(ms: number): void {
    this.transactions.count += 1;
    this.transactions.ms += ms;
  }

  /** Shapes by time spent, largest first; `ms` rounded to 0.1. */
  summary(top = 15): StatementShape[] {
    return [...this.byShape.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((s) => ({ ...s, ms: Math.round(s.ms * 10) / 10 }));
  }

  /** Forgets what was recorded (a benchmark profiles each pass on its own). */
  reset(): void {
    this.byShape.clear();
    this.transactions.count = 0;
    this.transactions.ms = 0;
  }

  /** Milliseconds of all statements together. */
  get totalMs(): number {
    let ms = 0;
    for (const s of this.byShape.values()) ms += s.ms;
    return ms;
  }
}

/**
 * The transaction with each `run` timed into `profile`. Awaiting the result (its records) is what
 * every caller in the write path does, so the time is that of the statement's round trip.
 */
export function profiledTransaction(tx: ManagedTransaction, profile: StatementProfile): ManagedTransaction {
  const run = (async (cypher: string, params?: Record<string, unknown>) => {
    const started = performance.now();
    const result = await tx.run(cypher, params);
    const rows = Array.isArray(params?.rows) ? params.rows.length : 0;
    profile.record(cypher, rows, performance.now() - started);
    return result;
  }) as unknown as ManagedTransaction['run'];
  return new Proxy(tx, { get: (target, prop, receiver) => (prop === 'run' ? run : Reflect.get(target, prop, receiver)) });
}
