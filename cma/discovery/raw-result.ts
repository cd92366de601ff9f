/**
 * Every result is also kept as it came, as JSON text on one `DiscoveryResult` node per
 * (host, discovertype), so that a plugin written later can re-derive the graph from it, and an
 * operator can read what a script last said. The text is capped; a longer one is kept truncated and
 * flagged. The same node records the last failure of that script on that host.
 *
 * Times on the node (integer ms, the CMA's clock): `lastseen` any result arrived, `okat` a good one
 * arrived (changed or not), `changedat` its content last changed (the derived graph was last
 * rewritten), `errorat` the last failure. `error_*` describe the last failure and stay after a later
 * success; `status` says whether the latest result failed. `run_started_ms`/`run_duration_ms` are
 * the nanoprobe's own account of the latest run. `plugin_version` is the version of the plugin that
 * derived the graph from it: a result stored by an older plugin is not taken as unchanged.
 * `rederive` is set by another plugin's write that removed part of what this result derived: its
 * next change is then written in full, not by row diff.
 */
import type { BatchStatement } from '../graph/write-plan';
import { int } from '../graph/values';
import type { IngestContext } from './plugin';
import { intOrNull, stmt } from './plan-kit';
import { encodeRawJson } from './raw-json';

/** Characters of raw JSON kept per (host, discovertype). */
export const RAW_JSON_CAP = 1024 * 1024;

export type IngestOutcome =
  /** a plugin turned the data into graph writes */
  | 'derived'
  /** no plugin for this discovertype: kept raw only */
  | 'raw_only'
  /** the script said its tool or facility is missing: kept raw, the graph left as it was */
  | 'unavailable'
  /** the data does not fit the plugin's schema: kept raw with the problem, the graph left as it was */
  | 'invalid_data';

export function discoveryResultKey(host: string, discovertype: string): string {
  return `${host}/${discovertype}`;
}

export type RawResultRow = {
  discovertype: string;
  description: string;
  source: string;
  json: string;
  hash: string;
  outcome: IngestOutcome;
  problem: string | null;
  run?: RunFacts;
  /** the content hash the nanoprobe sent with the result, kept for the cheap unchanged check */
  wireHash?: string | null;
  /** the version of the plugin that derived it (DiscoveryPlugin.version), 1 when none */
  pluginVersion?: number;
};

/** When the latest run started (the host's clock, ms) and how long it took, as the nanoprobe says. */
export type RunFacts = { startedAt: number; durationMs: number };

function runColumns(run: RunFacts | undefined): Record<string, unknown> {
  return { run_started_ms: intOrNull(run?.startedAt), run_duration_ms: intOrNull(run?.durationMs) };
}

/**
 * Upserts the Host (a result may arrive before the membership write that announces it; the Host key
 * is the one thing both agree on) and the DiscoveryResult with the raw JSON. Always the first
 * statement of an ingest plan, so later statements can MATCH the Host.
 */
export function rawResultStatement(row: RawResultRow, ctx: IngestContext, cap = RAW_JSON_CAP): BatchStatement {
  const truncated = row.json.length > cap;
  const kept = encodeRawJson(truncated ? row.json.slice(0, cap) : row.json);
  return stmt(
    `UNWIND $rows AS row
     MERGE (h:Host {key: row.host})
       ON CREATE SET h.firstseen = $now, h.lastupdated = $now, h.name = row.host
     MERGE (d:DiscoveryResult {key: row.key})
       ON CREATE SET d.firstseen = $now
     SET d.host = row.host, d.discovertype = row.discovertype, d.description = row.description,
         d.source = row.source, d.json = row.json, d.json_deflate = row.json_deflate, d.json_chars = row.json_chars, d.truncated = row.truncated,
         d.hash = row.hash, d.wire_hash = row.wire_hash, d.plugin_version = row.plugin_version,
         d.outcome = row.outcome, d.problem = row.problem, d.status = 'ok',
         d.run_started_ms = row.run_started_ms, d.run_duration_ms = row.run_duration_ms,
         d.okat = $now, d.changedat = $now, d.lastseen = $now, d.lastupdated = $now, d.rederive = null
     MERGE (h)-[r:HAS_DISCOVERY]->(d)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`,
    [
      {
        key: discoveryResultKey(ctx.host, row.discovertype),
        discovertype: row.discovertype,
        description: row.description.slice(0, 1000),
        source: row.source.slice(0, 1000),
        json: kept.json,
        json_deflate: kept.jsonDeflate,
        json_chars: int(row.json.length),
        truncated,
        hash: row.hash,
        wire_hash: row.wireHash ?? null,
        plugin_version: int(row.pluginVersion ?? 1),
        outcome: row.outcome,
        problem: row.problem === null ? null : row.problem.slice(0, 2000),
        ...runColumns(row.run),
      },
    ],
    ctx,
  );
}

export type DiscoveryFailure = {
  /** the discovery name that was run (a script is expected to print its own name as discovertype) */
  name: string;
  code: string;
  message: string;
  exitCode: number | null;
  stderr: string;
  run?: RunFacts;
};

/**
 * Records a failed run: the error on the DiscoveryResult of that host and name, keeping the last good
 * JSON and leaving the derived graph as it was (a failing script says nothing about the host).
 */
export function failurePlan(failure: DiscoveryFailure, ctx: IngestContext): BatchStatement[] {
  return [
    stmt(
      `UNWIND $rows AS row
       MERGE (h:Host {key: row.host})
         ON CREATE SET h.firstseen = $now, h.lastupdated = $now, h.name = row.host
       MERGE (d:DiscoveryResult {key: row.key})
         ON CREATE SET d.firstseen = $now, d.host = row.host, d.discovertype = row.name
       SET d.status = 'error', d.error_code = row.code, d.error_message = row.message,
           d.error_exit_code = row.exit_code, d.error_stderr = row.stderr, d.errorat = $now,
           d.run_started_ms = row.run_started_ms, d.run_duration_ms = row.run_duration_ms,
           d.lastseen = $now, d.lastupdated = $now
       MERGE (h)-[r:HAS_DISCOVERY]->(d)
         ON CREATE SET r.firstseen = $now
       SET r.lastupdated = $now`,
      [
        {
          key: discoveryResultKey(ctx.host, failure.name),
          name: failure.name,
          code: failure.code,
          message: failure.message.slice(0, 2000),
          exit_code: intOrNull(failure.exitCode),
          stderr: failure.stderr.slice(0, 4096),
          ...runColumns(failure.run),
        },
      ],
      ctx,
    ),
  ];
}

/**
 * A result whose content equals the stored one: nothing to derive, only the times move (and a failure
 * before it is over). Matched by the CMA's own hash of the canonical document, or by the hash the
 * nanoprobe sent (`wire_hash`), which spares the CMA reading the document at all. Matches nothing when
 * neither is equal, the node is new, or it was derived by an older version of the plugin
 * (`pluginVersion`); the caller then plans the result in full. Records the wire hash it was given, so
 * the next identical result matches cheaply. Returns `matched`.
 */
export function unchangedResultStatement(
  key: string,
  hashes: { hash?: string; wireHash?: string },
  run: RunFacts | undefined,
  ctx: IngestContext,
  pluginVersion = 1,
): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (d:DiscoveryResult {key: row.key})
     WHERE (d.hash = row.hash OR d.wire_hash = row.wire_hash) AND coalesce(d.plugin_version, 1) = row.plugin_version
     SET d.status = 'ok', d.okat = $now, d.lastseen = $now, d.lastupdated = $now,
         d.wire_hash = coalesce(row.wire_hash, d.wire_hash),
         d.run_started_ms = row.run_started_ms, d.run_duration_ms = row.run_duration_ms
     RETURN count(d) AS matched`,
    [{ key, hash: hashes.hash ?? null, wire_hash: hashes.wireHash ?? null, plugin_version: int(pluginVersion), ...runColumns(run) }],
    ctx,
  );
}
