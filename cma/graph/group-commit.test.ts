/**
 * Group commit's batching rules, against a store that records transactions instead of a database
 * (pure logic; the real-Neo4j behaviour is in test/discovery/group-commit.test.ts). Every order is
 * forced with gates in the fake store, none is timed.
 */
import type { ManagedTransaction } from 'neo4j-driver';
import { GroupCommitter, type Prepared } from './group-commit';
import { GraphUnavailableError } from './graph-health';

type Entry = { key: string; rows?: number; serial?: boolean; bad?: boolean };
type Tx = Array<{ cypher: string; rows: Array<Record<string, unknown>> }>;

/** A store whose transactions are recorded; a transaction may be held at a gate before it runs. */
class FakeStore {
  readonly committed: Tx[] = [];
  readonly options = { batchSize: 1_000, maxRowsPerTransaction: 10 };
  private gates: Array<{ release: Promise<void>; reached: () => void }> = [];
  failWith: Error | null = null;

  hold(): { reached: Promise<void>; open: () => void } {
    let reached!: () => void;
    let open!: () => void;
    const r = new Promise<void>((res) => (reached = res));
    const release = new Promise<void>((res) => (open = res));
    this.gates.push({ release, reached });
    return { reached: r, open };
  }

  async inWriteTransaction<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const gate = this.gates.shift();
    if (gate !== undefined) {
      gate.reached();
      await gate.release;
    }
    if (this.failWith !== null) throw this.failWith;
    const tx: Tx = [];
    const fake = {
      run: async (cypher: string, params: { rows: Array<Record<string, unknown>> }) => {
        if (params.rows.some((r) => r.bad === true)) throw new Error('Property values can only be of primitive types');
        tx.push({ cypher, rows: params.rows });
        return { records: [] };
      },
    } as unknown as ManagedTransaction;
    const out = await work(fake);
    this.committed.push(tx);
    return out;
  }
}

function committer(store: FakeStore, lanes = 1) {
  let now = 0;
  return new GroupCommitter<Entry, string>({
    store: store as never,
    prepare: async (_tx, entries): Promise<Array<Prepared<string>>> =>
      entries.map((e) => ({
        plan: [{ cypher: 'write', rows: Array.from({ length: e.rows ?? 1 }, (_, i) => ({ key: e.key, i, ...(e.bad === true ? { bad: true } : {}) })) }],
        result: e.key,
      })),
    conflictKey: (e) => e.key.split('/')[0]!,
    serial: (e) => e.serial === true,
    nextNow: () => ++now,
    lanes,
  });
}

const keysOf = (tx: Tx) => tx.flatMap((s) => s.rows.filter((r) => r.i === 0).map((r) => r.key));

describe('GroupCommitter', () => {
  test('entries queued during a commit go together in the next transaction, as one statement', async () => {
    const store = new FakeStore();
    const c = committer(store);
    const held = store.hold();
    const first = c.submit({ key: 'a' });
    await held.reached;
    const rest = ['b', 'c', 'd'].map((key) => c.submit({ key }));
    held.open();
    expect(await Promise.all([first, ...rest])).toEqual(['a', 'b', 'c', 'd']);
    expect(store.committed.map(keysOf)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(store.committed[1]).toHaveLength(1);
    expect(c.counters).toMatchObject({ batches: 2, entries: 4, largestBatch: 3, splits: 0 });
  });

  test('entries with the same conflict key go in separate transactions, in submission order', async () => {
    const store = new FakeStore();
    const c = committer(store);
    const held = store.hold();
    const first = c.submit({ key: 'x' });
    await held.reached;
    const rest = [c.submit({ key: 'h/1' }), c.submit({ key: 'h/2' }), c.submit({ key: 'g/1' }), c.submit({ key: 'h/3' })];
    held.open();
    await Promise.all([first, ...rest]);
    expect(store.committed.map(keysOf)).toEqual([['x'], ['h/1', 'g/1'], ['h/2'], ['h/3']]);
  });

  test('no more rows than a transaction holds: the rest goes in the next batch', async () => {
    const store = new FakeStore();
    const c = committer(store);
    const held = store.hold();
    const first = c.submit({ key: 'x' });
    await held.reached;
    const rest = ['a', 'b', 'c'].map((key) => c.submit({ key, rows: 4 }));
    held.open();
    await Promise.all([first, ...rest]);
    expect(store.committed.map(keysOf)).toEqual([['x'], ['a', 'b'], ['c']]);
  });

  test('serial entries are in one batch at a time; others run beside them', async () => {
    const store = new FakeStore();
    const c = committer(store, 2);
    const held = store.hold();
    let secondSerialDone = false;
    const s1 = c.submit({ key: 's1', serial: true });
    await held.reached;
    const s2 = c.submit({ key: 's2', serial: true }).then((r) => ((secondSerialDone = true), r));
    expect(await c.submit({ key: 'plain' })).toBe('plain');
    expect(secondSerialDone).toBe(false);
    held.open();
    await Promise.all([s1, s2]);
    expect(store.committed.map(keysOf)).toEqual([['plain'], ['s1'], ['s2']]);
  });

  test('a failed batch is retried entry by entry: only the bad entry fails', async () => {
    const store = new FakeStore();
    const c = committer(store);
    const held = store.hold();
    const first = c.submit({ key: 'x' });
    await held.reached;
    const good = c.submit({ key: 'good' });
    const bad = c.submit({ key: 'bad', bad: true }).catch((e: Error) => e.message);
    const after = c.submit({ key: 'after' });
    held.open();
    expect(await Promise.all([first, good, bad, after])).toEqual(['x', 'good', 'Property values can only be of primitive types', 'after']);
    expect(c.counters.splits).toBe(1);
    expect(store.committed.map(keysOf)).toEqual([['x'], ['good'], ['after']]);
  });

  test('when the database is unavailable every entry of the batch fails at once, none retried', async () => {
    const store = new FakeStore();
    const c = committer(store);
    const held = store.hold();
    const first = c.submit({ key: 'x' });
    await held.reached;
    store.failWith = new GraphUnavailableError('down');
    const queued = ['a', 'b'].map((key) => c.submit({ key }).catch((e: Error) => e.constructor.name));
    held.open();
    expect(await first.catch((e: Error) => e.constructor.name)).toBe('GraphUnavailableError');
    expect(await Promise.all(queued)).toEqual(['GraphUnavailableError', 'GraphUnavailableError']);
    expect(c.counters.splits).toBe(0);
  });
});
