/**
 * Group commit: writes that arrive while a transaction is in flight wait for it and then go
 * together, in one transaction whose statements are merged across them (plan-merge.ts). There is
 * no timer: a batch is whatever queued up during the previous commit, so a lone write goes at once
 * and a busy CMA writes in large transactions. Each entry's promise resolves only after the
 * transaction holding it committed (a discovery result is acknowledged after its commit).
 *
 * Rules a batch keeps:
 *  - entries with the same conflict key (the host) are never in one batch, nor in two batches at
 *    once, and keep their submission order: one host's writes are applied one after another;
 *  - `serial` entries (writes that link hosts to each other, connections.ts) go in one batch at a
 *    time, and each batch takes its write time when it starts: their commit order is their write
 *    time order, as the cleanups that compare `lastupdated < $now` need;
 *  - at most `maxEntries` entries per batch, and no more rows than one transaction may hold: entries
 *    past that go in the next batch;
 *  - a batch that fails for a reason other than the database being unavailable is split and each
 *    entry retried alone, so one bad write fails only its own entry.
 *
 * `prepare` builds the plans inside the batch's transaction (it may read, e.g. the stored state the
 * entries are compared with); the managed transaction may run it again after a transient error.
 */
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { GraphStore } from './graph-store';
import { runPlanIn } from './graph-store';
import { GraphUnavailableError } from './graph-health';
import { mergePlans } from './plan-merge';
import type { WritePlan } from './write-plan';
import { profiledTransaction, type StatementProfile } from './statement-profile';

export type Prepared<R> = { plan: WritePlan; result: R };

export type GroupCommitOptions<E, R> = {
  store: Pick<GraphStore, 'inWriteTransaction' | 'options'>;
  prepare(tx: ManagedTransaction, entries: readonly E[], now: number): Promise<Array<Prepared<R>>>;
  conflictKey(entry: E): string;
  serial(entry: E): boolean;
  /** write time of a batch; strictly increasing */
  nextNow(): number;
  maxEntries?: number;
  /** batches in flight at once */
  lanes?: number;
  /** awaited before a batch's transaction starts: a seam for tests that hold a batch back */
  admit?(entries: readonly E[]): Promise<void>;
  /** times every statement of every batch (benchmarks' `--profile`) */
  profile?: StatementProfile;
};

export type GroupCommitCounters = {
  batches: number;
  entries: number;
  largestBatch: number;
  splits: number;
  /** transaction functions run again by the driver (deadlocks, transient errors) */
  reruns: number;
};

type Pending<E, R> = {
  entry: E;
  key: string;
  serial: boolean;
  /** retried on its own after its batch failed */
  alone?: boolean;
  resolve(r: R): void;
  reject(e: unknown): void;
};

export const GROUP_COMMIT_DEFAULTS = { maxEntries: 64, lanes: 2 };

export class GroupCommitter<E, R> {
  private readonly queue: Array<Pending<E, R>> = [];
  private readonly busyKeys = new Set<string>();
  private serialBusy = false;
  private running = 0;
  private readonly maxEntries: number;
  private readonly lanes: number;
  readonly counters: GroupCommitCounters = { batches: 0, entries: 0, largestBatch: 0, splits: 0, reruns: 0 };

  constructor(private readonly options: GroupCommitOptions<E, R>) {
    this.maxEntries = options.maxEntries ?? GROUP_COMMIT_DEFAULTS.maxEntries;
    this.lanes = options.lanes ?? GROUP_COMMIT_DEFAULTS.lanes;
  }

  /** Resolves with the entry's result once its transaction committed. */
  submit(entry: E): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const o = this.options;
      this.queue.push({ entry, key: o.conflictKey(entry), serial: o.serial(entry), resolve, reject });
      this.pump();
    });
  }

  /** Entries waiting for a batch. */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.running < this.lanes) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.running += 1;
      void this.runBatch(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  /** Takes the next batch out of the queue (see the rules at the top of this file). */
  private take(): Array<Pending<E, R>> {
    const batch: Array<Pending<E, R>> = [];
    const keys = new Set<string>();
    let serial = false;
    for (let i = 0; i < this.queue.length && batch.length < this.maxEntries; ) {
      const p = this.queue[i]!;
      const blocked =
        keys.has(p.key) ||
        this.busyKeys.has(p.key) ||
        (p.serial && this.serialBusy) ||
        (batch.length > 0 && p.alone === true);
      if (blocked) {
        // Later entries of the same key must not overtake this one.
        keys.add(p.key);
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      batch.push(p);
      keys.add(p.key);
      serial ||= p.serial;
      if (p.alone === true) break;
    }
    for (const p of batch) this.busyKeys.add(p.key);
    if (serial) this.serialBusy = true;
    return batch;
  }

  private release(batch: Array<Pending<E, R>>): void {
    for (const p of batch) this.busyKeys.delete(p.key);
    if (batch.some((p) => p.serial)) this.serialBusy = false;
  }

  private async runBatch(batch: Array<Pending<E, R>>): Promise<void> {
    const maxRows = Math.max(1, this.options.store.options.maxRowsPerTransaction);
    const batchSize = this.options.store.options.batchSize;
    let kept = batch.length;
    let prepared: Array<Prepared<R>>;
    try {
      await this.options.admit?.(batch.map((p) => p.entry));
      const now = this.options.nextNow();
      const profile = this.options.profile;
      let attempts = 0;
      const started = performance.now();
      prepared = await this.options.store.inWriteTransaction(async (managed) => {
        if (attempts++ > 0) this.counters.reruns += 1;
        const tx = profile === undefined ? managed : profiledTransaction(managed, profile);
        const all = await this.options.prepare(tx, batch.map((p) => p.entry), now);
        kept = fitting(all, maxRows);
        const plans = all.slice(0, kept).map((p) => p.plan);
        await runPlanIn(tx, mergePlans(plans), batchSize);
        return all.slice(0, kept);
      });
      profile?.recordTransaction(performance.now() - started);
    } catch (err) {
      this.release(batch);
      if (batch.length === 1 || isUnavailable(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // One bad write must not fail the others: each goes again on its own, in order.
      this.counters.splits += 1;
      this.queue.unshift(...batch.map((p) => ({ ...p, alone: true })));
      return;
    }
    this.release(batch);
    this.counters.batches += 1;
    this.counters.entries += kept;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, kept);
    prepared.forEach((p, i) => batch[i]!.resolve(p.result));
    // Entries past the row limit go first in the next batch, in their order.
    if (kept < batch.length) this.queue.unshift(...batch.slice(kept));
  }
}

/** How many of the prepared entries fit in one transaction (at least one: a result's own cap applies). */
function fitting<R>(prepared: Array<Prepared<R>>, maxRows: number): number {
  let rows = 0;
  for (let i = 0; i < prepared.length; i++) {
    rows += prepared[i]!.plan.reduce((n, s) => n + s.rows.length, 0);
    if (i > 0 && rows > maxRows) return i;
  }
  return prepared.length;
}

/** The database did not answer (the driver already retried): every entry of the batch fails alike. */
function isUnavailable(err: unknown): boolean {
  if (err instanceof GraphUnavailableError) return true;
  return err instanceof Error && neo4j.isRetryableError(err);
}
