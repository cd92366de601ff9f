/**
 * The few statement shapes every plugin is built from, so that the graph conventions hold everywhere:
 * stable keys, `firstseen` on create and `lastupdated` on every write (integer ms from `$now`),
 * relationships that MATCH their far end instead of creating it, and cleanup that removes what a
 * newer result no longer contains, a bounded number of rows per statement.
 *
 * Labels and relationship types are spliced into Cypher, so they come only from the constants in
 * the plugins and are checked here; all values travel as parameters.
 */
import type { BatchStatement, Row } from '../graph/write-plan';
import { int } from '../graph/values';
import type { IngestContext } from './plugin';

/** Most nodes or relationships one cleanup statement deletes; the rest go at the next write. */
export const CLEANUP_LIMIT = 10_000;

const IDENTIFIER = /^[A-Z][A-Za-z0-9_]*$/;

export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a safe label or relationship type: ${name}`);
  return name;
}

/**
 * Parameters every statement of a plan shares. The host is not one of them: it travels in every row
 * (`row.host`), so that the same statement of several hosts' plans runs once with all their rows
 * (group commit, cma/graph/plan-merge.ts).
 */
export function baseParams(ctx: IngestContext): Record<string, unknown> {
  return { now: int(ctx.now), limit: int(ctx.cleanupLimit ?? CLEANUP_LIMIT) };
}

/** A statement of the host's plan; every row gets `host` (rows are the plugin's own fresh objects). */
export function stmt(cypher: string, rows: Row[], ctx: IngestContext): BatchStatement {
  for (const row of rows) {
    if (row.host === undefined) row.host = ctx.host;
    else if (row.host !== ctx.host) throw new Error(`internal: a row of ${ctx.host}'s plan names host ${String(row.host)}`);
  }
  return { cypher: cypher.trim().replace(/\n\s+/g, '\n  '), rows, params: baseParams(ctx) };
}

/** Statements that work on the host as a whole run once: one row naming the host. */
export function hostRow(ctx: IngestContext): Row[] {
  return [{ host: ctx.host }];
}

/**
 * A statement that works on the host as a whole (a cleanup), its body run once per host row in a
 * subquery: `LIMIT $limit` then bounds each host's work, also when group commit runs the statement
 * with the rows of many hosts.
 */
export function perHostStmt(body: string, ctx: IngestContext, extra: Row = {}): BatchStatement {
  return stmt(`UNWIND $rows AS row\nCALL (row) {\n${body.trim()}\n}`, [{ ...extra, host: ctx.host }], ctx);
}

/** An integer for the graph, or null. JS numbers would land in Neo4j as floats. */
export function intOrNull(v: number | null | undefined): ReturnType<typeof int> | null {
  return v === null || v === undefined ? null : int(v);
}

/** Sorted by key, so concurrent writers lock shared nodes in one order (fewer deadlocks). */
export function byKey<T extends { key: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Keeps the first row of each key: a result may list one thing twice, a MERGE must see it once. */
export function uniqueByKey<T extends { key: string }>(rows: T[]): T[] {
  const seen = new Map<string, T>();
  for (const r of rows) if (!seen.has(r.key)) seen.set(r.key, r);
  return byKey([...seen.values()]);
}

/**
 * Nodes the host owns: MERGE each by key, refresh its properties (`row.props`), and MERGE the
 * relationship from the Host. Rows: `{key, props}`.
 */
export function upsertOwned(label: string, rel: string, rows: Row[], ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (h:Host {key: row.host})
     MERGE (n:${identifier(label)} {key: row.key})
       ON CREATE SET n.firstseen = $now
     SET n += row.props, n.lastupdated = $now
     MERGE (h)-[r:${identifier(rel)}]->(n)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`,
    rows,
    ctx,
  );
}

/**
 * Deletes the host's owned nodes of one kind that this write did not refresh (their relationship
 * from the Host is older than `$now`), with everything attached to them.
 */
export function cleanupOwned(label: string, rel: string, ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (:Host {key: row.host})-[r:${identifier(rel)}]->(n:${identifier(label)})
     WHERE r.lastupdated < $now
     WITH n LIMIT $limit
     DETACH DELETE n`,
    ctx,
  );
}

/**
 * The row-level diff's cleanup (row-diff.ts): deletes the host's owned nodes of one kind whose key is
 * not in `keys` (the keys of the current document), with everything attached to them. Unlike
 * cleanupOwned it does not look at times, since rows that did not change are not written.
 */
export function removeOwnedNotListed(label: string, rel: string, keys: string[], ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (:Host {key: row.host})-[:${identifier(rel)}]->(n:${identifier(label)})
     WHERE ${NOT_LISTED('n')}
     WITH n LIMIT $limit
     DETACH DELETE n`,
    ctx,
    listedKeys(keys),
  );
}

/** The keys of keyed rows. */
export function keysOf(rows: ReadonlyArray<{ key: string }>): string[] {
  return rows.map((r) => r.key);
}

/**
 * The current document's keys as a map (`row.listed`), for the row diff's removals: a map lookup per
 * node where `NOT n.key IN list` compares with every key (400 packages: 160,000 comparisons per host).
 */
export function listedKeys(keys: readonly string[]): { listed: Record<string, true> } {
  // A prototype-free object: no key (even `__proto__`) reaches a prototype, and a loop is cheaper than fromEntries.
  const listed = Object.create(null) as Record<string, true>;
  for (const k of keys) listed[k] = true;
  return { listed };
}

/** Cypher: node `n`'s key is not among the listed ones (a row built with listedKeys). */
export const NOT_LISTED = (n: string): string => `row.listed[${n}.key] IS NULL`;

/**
 * Deletes stale relationships of one type that start at the host's owned nodes
 * (`(Host)-[owner]->(x)-[rel]->()`), leaving both ends in place.
 */
export function cleanupOwnedLinks(ownerRel: string, ownerLabel: string, rel: string, ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (:Host {key: row.host})-[:${identifier(ownerRel)}]->(:${identifier(ownerLabel)})-[r:${identifier(rel)}]->()
     WHERE r.lastupdated < $now
     WITH r LIMIT $limit
     DELETE r`,
    ctx,
  );
}

/** Sets properties on the Host itself. Rows: one `{props}`. */
export function setHostProps(props: Record<string, unknown>, ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (h:Host {key: row.host})
     SET h += row.props, h.lastupdated = $now`,
    [{ props }],
    ctx,
  );
}
