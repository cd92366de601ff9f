/**
 * Row-level diff: a changed result writes only what changed. When the graph was derived from a
 * previous document of the same plugin version (its raw JSON is kept whole on the DiscoveryResult),
 * the plugin's keyed rows of both documents are compared; only rows that are new or differ are
 * upserted, and the host's nodes whose key the new document no longer lists are removed by key. One
 * process started costs one process's write, not the whole table's.
 *
 * Rows are compared as the plugin builds them, so two rows are equal exactly when the full plan would
 * write the same values. Unchanged rows keep their `lastupdated` (the time they were last written);
 * the DiscoveryResult's `okat` says when the document as a whole was last confirmed.
 */
import type { WritePlan } from '../graph/write-plan';
import type { IngestContext, RowDiff } from './plugin';

export type RowDiffPlan = { plan: WritePlan; changed: number; removed: number };

export function rowDiffPlan<T>(diff: RowDiff<T>, previous: T, current: T, ctx: IngestContext): RowDiffPlan {
  const before = new Map(diff.rows(previous, ctx).map((r) => [r.key, JSON.stringify(r)]));
  const rows = diff.rows(current, ctx);
  const keys = rows.map((r) => r.key);
  const changed = rows.filter((r) => before.get(r.key) !== JSON.stringify(r));
  const listed = new Set(keys);
  let removed = 0;
  for (const key of before.keys()) if (!listed.has(key)) removed += 1;
  // A statement without rows would still run once (chunking keeps it): leave out empty upserts.
  const plan = diff.plan(changed, keys, ctx).filter((s) => s.rows.length > 0);
  return { plan, changed: changed.length, removed };
}
