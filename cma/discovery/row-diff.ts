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
import type { IngestContext, KeyedRow, RowDiff } from './plugin';

/**
 * Rows of one kind among several in one diff (tcp: services, owners, listeners, dials): each key
 * prefixed with its kind and a newline, which no key holds, so kinds never meet; the row's own key is
 * kept as `id`, and ofKind gives the rows back as they were.
 */
export function tagged<T extends { key: string }>(kind: string, rows: readonly T[]): KeyedRow[] {
  return rows.map((r) => ({ ...r, key: `${kind}\n${r.key}`, id: r.key, kind }));
}

/** The rows of one kind of a tagged diff, with their own keys back. */
export function ofKind(rows: readonly KeyedRow[], kind: string): KeyedRow[] {
  return rows.filter((r) => r.kind === kind).map(({ id, kind: _kind, ...rest }) => ({ ...rest, key: id as string }));
}

/** A document's rows as the diff compares them: key → the row's JSON text. */
export type RowPrints = ReadonlyMap<string, string>;

/** The rows of `data` and their prints (what the next diff compares with). */
export function rowPrints<T>(diff: RowDiff<T>, data: T, ctx: IngestContext): { rows: KeyedRow[]; prints: Map<string, string> } {
  const rows = diff.rows(data, ctx);
  return { rows, prints: new Map(rows.map((r) => [r.key, JSON.stringify(r)])) };
}

/** Characters of a document's prints: what holding them costs, roughly. */
export function printChars(prints: RowPrints): number {
  let n = 0;
  for (const [k, v] of prints) n += k.length + v.length;
  return n;
}

/** `added`: rows whose key the previous document did not list (0: the write creates nothing). */
export type RowDiffPlan = { plan: WritePlan; changed: number; removed: number; added: number };

/** The diff's plan against the previous document's prints, or null when the plugin wants this change written in full. */
export function rowDiffPlan<T>(diff: RowDiff<T>, before: RowPrints, current: { rows: KeyedRow[]; prints: RowPrints }, ctx: IngestContext): RowDiffPlan | null {
  const changed = current.rows.filter((r) => before.get(r.key) !== current.prints.get(r.key));
  const removed: KeyedRow[] = [];
  for (const [key, print] of before) if (!current.prints.has(key)) removed.push(JSON.parse(print) as KeyedRow);
  const added = changed.filter((r) => !before.has(r.key));
  const plan = diff.plan({ rows: current.rows, changed, added, removed }, ctx);
  if (plan === null) return null;
  // A statement without rows would still run once (chunking keeps it): leave out empty upserts.
  return { plan: plan.filter((s) => s.rows.length > 0), changed: changed.length, removed: removed.length, added: added.length };
}
