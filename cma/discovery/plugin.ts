/**
 * An ingest plugin turns the `data` of one discovertype into a WritePlan: a pure function, no
 * database, no clock (the write time comes in the context), so every plan is unit-tested as data.
 */
import type { z } from 'zod';
import type { WritePlan } from '../graph/write-plan';

export type IngestContext = {
  /** the Host key (its name) the result belongs to, as the CMA knows the sender, not as the script says */
  host: string;
  /** write time, integer ms since the epoch: becomes `firstseen`/`lastupdated`, and what cleanup compares */
  now: number;
  /** most rows one cleanup statement deletes (bounded cleanup); default CLEANUP_LIMIT */
  cleanupLimit?: number;
};

export interface DiscoveryPlugin<T = unknown> {
  readonly discovertype: string;
  /** what it writes, for operators listing plugins */
  readonly description: string;
  readonly dataSchema: z.ZodType<T>;
  /**
   * Raise it when the plugin derives more or other things from the same data: a stored result of an
   * older version is not "unchanged" and is derived again the next time it arrives (default 1).
   */
  readonly version?: number;
  /**
   * The plan links this host's data to other hosts' (connections.ts). Writes of such plugins are
   * applied one at a time, so that two of them never miss each other's uncommitted rows.
   */
  readonly crossHost?: boolean;
  plan(data: T, ctx: IngestContext): WritePlan;
  /**
   * Row-level diff (row-diff.ts), for plugins whose plan upserts keyed rows the host owns: when the
   * previous document the graph was derived from is at hand, only the rows that are new or changed
   * against it are written, and what is no longer listed is removed by key. Must leave the graph as
   * `plan` would (proven by test/discovery/row-diff-equivalence.test.ts).
   */
  readonly diff?: RowDiff<T>;
}

/** A row the plan upserts, identified by its key. */
export type KeyedRow = { key: string } & Record<string, unknown>;

/**
 * What a row diff found: the current document's rows, those of them new or changed, and the previous
 * document's rows whose key is no longer listed (as they were then).
 */
export type RowChange = {
  rows: KeyedRow[];
  changed: KeyedRow[];
  /** the changed rows whose key the previous document did not list (the graph holds nothing of them) */
  added: KeyedRow[];
  removed: KeyedRow[];
};

export interface RowDiff<T> {
  /** The keyed rows `plan` upserts, built the same way (fresh objects: the plan adds `host` to them). */
  rows(data: T, ctx: IngestContext): KeyedRow[];
  /**
   * Writes the changed rows and removes what is no longer listed; or null when this change needs the
   * full write after all (netconfig: an address moved, which other hosts' connections follow).
   */
  plan(change: RowChange, ctx: IngestContext): WritePlan | null;
  /**
   * Cypher predicate on the Host `h`: the host has nothing this plugin derives. When it holds and no
   * result is stored yet, the first document is a diff against an empty one (everything added), so
   * the plan may create instead of merge. Only for plugins no other write adds rows of the same kind to.
   */
  readonly nothingYet?: string;
}

/** Lets the registry hold plugins of different data types in one list. */
export function definePlugin<T>(plugin: DiscoveryPlugin<T>): DiscoveryPlugin<unknown> {
  return plugin as unknown as DiscoveryPlugin<unknown>;
}
