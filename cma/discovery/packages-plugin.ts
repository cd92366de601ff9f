/**
 * `packages`: (Host)-[:HAS_PACKAGE {arch}]->(Package). A Package is `manager:name@version`, shared by
 * every host that has it (so "which hosts run openssl 3.0.11?" is one hop); it never changes once
 * written, so existing Package nodes are matched, not rewritten, which keeps 1,000 hosts that share
 * their packages from contending for the same nodes. Removing the last host of a package removes it.
 */
import { z } from 'zod';
import type { BatchStatement, Row, WritePlan } from '../graph/write-plan';
import { definePlugin, type IngestContext, type KeyedRow } from './plugin';
import { keysOf, perHostStmt, stmt, uniqueByKey } from './plan-kit';
import { markRederive } from './rederive';
import { discoveryResultKey } from './raw-result';

export const packagesDataSchema = z.object({
  packages: z
    .array(
      z.object({
        manager: z.string().min(1).max(32),
        name: z.string().min(1).max(512),
        version: z.string().max(256),
        arch: z.string().max(64).nullable().optional(),
      }),
    )
    .max(500_000),
  managers: z
    .array(z.object({ name: z.string(), available: z.boolean(), count: z.number().int(), reason: z.string().nullable() }))
    .optional(),
});

export type PackagesData = z.infer<typeof packagesDataSchema>;

export function packageKey(manager: string, name: string, version: string): string {
  return `${manager}:${name}@${version}`;
}

function packageRows(data: PackagesData): KeyedRow[] {
  return uniqueByKey(
    data.packages.map((p) => ({
      key: packageKey(p.manager, p.name, p.version),
      manager: p.manager,
      name: p.name,
      version: p.version,
      arch: p.arch ?? null,
    })),
  );
}

/**
 * The host's packages: existing Package nodes matched, new ones created; the host's link merged and
 * refreshed, or, for links the row diff knows the graph lacks, created (MERGE would look through one
 * side's links for every row: the host's hundreds of packages, or a package's thousands of hosts).
 */
function linkPackages(rows: KeyedRow[], link: 'merge' | 'create', ctx: IngestContext): BatchStatement {
  const relationship =
    link === 'merge'
      ? `MERGE (h)-[r:HAS_PACKAGE]->(p)
         ON CREATE SET r.firstseen = $now
       SET r.lastupdated = $now, r.arch = row.arch`
      : `CREATE (h)-[r:HAS_PACKAGE]->(p)
       SET r.firstseen = $now, r.lastupdated = $now, r.arch = row.arch`;
  return stmt(
    `UNWIND $rows AS row
     MATCH (h:Host {key: row.host})
     MERGE (p:Package {key: row.key})
       ON CREATE SET p.firstseen = $now, p.lastupdated = $now, p.manager = row.manager,
                     p.name = row.name, p.version = row.version
     ${relationship}`,
    rows,
    ctx,
  );
}

/**
 * Unlinks the host's packages that `pick` finds (Cypher that binds the link as `r` and the package as
 * `p`), and deletes those no host has left. A cleanup
 * that stopped at its bound marks the result `rederive`: the row diff removes by the keys the
 * previous document listed, and the rest would never be.
 */
function removePackages(pick: string, ctx: IngestContext, extra: Row = {}): BatchStatement {
  return perHostStmt(
    `${pick}
     WITH row, r, p LIMIT $limit
     DELETE r
     WITH row, collect(DISTINCT p) AS unlinked, count(*) AS removed
     FOREACH (p IN [x IN unlinked WHERE NOT EXISTS { (x)<-[:HAS_PACKAGE]-() }] | DELETE p)
     WITH row, removed >= $limit AS bounded
     ${markRederive('bounded', 'row.packagesResult', 'packagesResult')}`,
    ctx,
    { ...extra, packagesResult: discoveryResultKey(ctx.host, 'packages') },
  );
}

function planPackages(data: PackagesData, ctx: IngestContext): WritePlan {
  return [linkPackages(packageRows(data), 'merge', ctx), removePackages('MATCH (:Host {key: row.host})-[r:HAS_PACKAGE]->(p:Package) WHERE r.lastupdated < $now', ctx)];
}

/** `rows` without those whose key is in `other`. */
function withoutKeys(rows: KeyedRow[], other: KeyedRow[]): KeyedRow[] {
  const drop = new Set(keysOf(other));
  return rows.filter((r) => !drop.has(r.key));
}

export const packagesPlugin = definePlugin({
  discovertype: 'packages',
  description: '(Host)-[:HAS_PACKAGE {arch}]->(Package {manager, name, version})',
  dataSchema: packagesDataSchema,
  plan: planPackages,
  diff: {
    rows: packageRows,
    // Removed by key: no other plugin links packages, and a bounded cleanup marks the result.
    // New links are created, not merged; a host's first document is a diff against an empty one
    // when it has no packages yet.
    nothingYet: 'NOT EXISTS { (h)-[:HAS_PACKAGE]->() }',
    plan: ({ changed, added, removed }, ctx) => [
      linkPackages(added, 'create', ctx),
      linkPackages(withoutKeys(changed, added), 'merge', ctx),
      ...(removed.length === 0
        ? []
        : [removePackages('UNWIND row.gone AS key MATCH (:Host {key: row.host})-[r:HAS_PACKAGE]->(p:Package {key: key})', ctx, { gone: keysOf(removed) })]),
    ],
  },
});
