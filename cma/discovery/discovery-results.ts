/**
 * Reading back what discovery recorded per host: one DiscoveryResult node per (host, discovertype)
 * with the times of the last result, its content hash, the last failure, and the raw document.
 */
import type { GraphStore } from '../graph/graph-store';
import { toPlain } from '../graph/values';
import { decodeRawJson } from './raw-json';
import { discoveryResultKey } from './raw-result';

export type DiscoveryError = { code: string; message: string; exitCode: number | null; stderr: string; at: string | null };

export type DiscoveryStatus = {
  discovertype: string;
  /** `ok` or `error`: whether the latest result failed */
  status: string;
  /** how the last good result was used: derived, raw_only, unavailable (null when none arrived yet) */
  outcome: string | null;
  problem: string | null;
  hash: string | null;
  /** ISO times (CMA clock): any result, a good result, a change of content */
  lastSeen: string | null;
  okAt: string | null;
  changedAt: string | null;
  /** the latest run as the nanoprobe reported it (its clock) */
  lastRun: { startedAt: string; durationMs: number | null } | null;
  /** the last failure, kept after later successes (compare `status`) */
  lastError: DiscoveryError | null;
  jsonChars: number | null;
  truncated: boolean;
};

function iso(v: unknown): string | null {
  return typeof v === 'number' ? new Date(v).toISOString() : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

function toStatus(props: Record<string, unknown>): DiscoveryStatus {
  const started = iso(props.run_started_ms);
  return {
    discovertype: String(props.discovertype ?? ''),
    status: String(props.status ?? 'ok'),
    outcome: str(props.outcome),
    problem: str(props.problem),
    hash: str(props.hash),
    lastSeen: iso(props.lastseen),
    okAt: iso(props.okat),
    changedAt: iso(props.changedat),
    lastRun: started === null ? null : { startedAt: started, durationMs: num(props.run_duration_ms) },
    lastError:
      props.error_code === null || props.error_code === undefined
        ? null
        : {
            code: String(props.error_code),
            message: String(props.error_message ?? ''),
            exitCode: num(props.error_exit_code),
            stderr: String(props.error_stderr ?? ''),
            at: iso(props.errorat),
          },
    jsonChars: num(props.json_chars),
    truncated: props.truncated === true,
  };
}

/** Per discovertype of the host, sorted by discovertype; null when there is no such host. */
export async function hostDiscoveryStatus(store: Pick<GraphStore, 'read'>, host: string): Promise<DiscoveryStatus[] | null> {
  const rows = await store.read<{ found: boolean; results: unknown[] }>(
    `OPTIONAL MATCH (h:Host {key: $host})
     RETURN h IS NOT NULL AS found,
            COLLECT { MATCH (h)-[:HAS_DISCOVERY]->(d:DiscoveryResult)
                      RETURN d {.*, json: null, json_deflate: null} AS d ORDER BY d.discovertype } AS results`,
    { host },
  );
  const row = rows[0];
  if (!row?.found) return null;
  return row.results.map((r) => toStatus(toPlain(r) as Record<string, unknown>));
}

export type RawDiscovery = DiscoveryStatus & {
  /** the last good document, parsed; null when none arrived or it was kept truncated */
  document: unknown;
  /** the stored text when it was truncated (not valid JSON then) */
  truncatedJson: string | null;
};

/** The last good document of one discovertype of a host, with its status; null when there is none. */
export async function hostDiscoveryDocument(store: Pick<GraphStore, 'read'>, host: string, discovertype: string): Promise<RawDiscovery | null> {
  const rows = await store.read<{ d: unknown }>('MATCH (d:DiscoveryResult {key: $key}) RETURN d', {
    key: discoveryResultKey(host, discovertype),
  });
  if (!rows[0]) return null;
  const props = toPlain(rows[0].d) as Record<string, unknown>;
  const raw = (rows[0].d as { properties?: Record<string, unknown> }).properties ?? {};
  const json = decodeRawJson(raw.json, raw.json_deflate);
  const truncated = props.truncated === true;
  let document: unknown = null;
  if (json !== null && !truncated) document = JSON.parse(json);
  return { ...toStatus(props), document, truncatedJson: truncated ? json : null };
}
