/**
 * What one batch of discovery results writes (group commit, ../graph/group-commit.ts): every entry
 * of the batch is decided and planned here, inside the batch's transaction, at the batch's write
 * time. One read first fetches the stored hashes of every result the batch names, so the "unchanged"
 * check of a whole batch costs one statement instead of one transaction per result.
 *
 * Per entry, in this order: a failed run is recorded as an error; a result whose content hash (the
 * nanoprobe's, else the CMA's own of the canonical document) equals the stored one only moves its
 * times; a good document is planned in full; a plan past the row cap is recorded as `too_large`.
 * Nothing here writes: the plans come back to the committer, which merges and runs them.
 */
import type { ManagedTransaction } from 'neo4j-driver';
import { canonicalJson } from '../../protocol/messages/canonical-json';
import { isJsonValue } from '../../protocol/messages/common';
import { describeIssues, discoveryEnvelopeSchema } from '../../protocol/messages/discovery-envelope';
import { sha256Hex } from '../../common/hash';
import type { Prepared } from '../graph/group-commit';
import type { WritePlan } from '../graph/write-plan';
import { decodeRawJson } from './raw-json';
import { discoveryResultKey, failurePlan, unchangedResultStatement, type DiscoveryFailure, type RunFacts } from './raw-result';
import type { DocumentCache } from './document-cache';
import { planIngest, type PluginRegistry, type PreviousDocument } from './registry';
import { printChars, type RowPrints } from './row-diff';
import { readableFailure, type DiscoveryResultInput } from './result-input';

/** One result on its way to the graph: a readable result, or one already known to have failed. */
export type IngestEntry = { host: string; name: string } & ({ input: DiscoveryResultInput } | { failure: DiscoveryFailure });

/** How an entry ended, once its batch committed. */
export type EntryOutcome = {
  discovertype: string;
  status: 'derived' | 'raw_only' | 'unavailable' | 'unchanged' | 'error';
  rows: number;
  error?: { code: string; message: string };
  /** when only what changed was written (row-diff.ts): rows changed and removed */
  diff?: { changed: number; removed: number };
  /** write time of its batch */
  now: number;
  /** a row diff that added no row: nothing was created, so follow-up rules (which fire on what is new) are skipped */
  createsNothing?: true;
};

export type BatchLimits = {
  registry: PluginRegistry;
  /** most rows one result may write */
  maxRows: number;
  /** longest canonical document, in characters */
  maxChars: number;
  /** write only what changed against the previous document, for plugins that can (row-diff.ts) */
  rowDiff: boolean;
  /** the rows of the last planned documents, so a row diff need not read them back (document-cache.ts) */
  documents?: DocumentCache<RowPrints>;
};

/** What is stored for one (host, discovertype), as far as the unchanged check needs it. */
type Stored = {
  hash: string | null;
  wireHash: string | null;
  pluginVersion: number;
  /** the graph was derived from the whole stored document, and the plugin has a row diff */
  whole: boolean;
  /** that document's raw JSON, read only when `whole` and the document cache lacks it */
  json: string | null;
  /** nothing stored yet, and the host has nothing the plugin derives: a diff against an empty document */
  empty?: true;
};

export async function prepareBatch(
  tx: ManagedTransaction,
  entries: readonly IngestEntry[],
  now: number,
  limits: BatchLimits,
): Promise<Array<Prepared<EntryOutcome>>> {
  const stored = await readStored(tx, entries, limits);
  return entries.map((entry) => decide(entry, stored, now, limits));
}

/** Where an entry may be filed: under its requested name, and under the discovertype its document names. */
function namedKeys(entry: IngestEntry): Array<{ key: string; host: string; discovertype: string }> {
  if (!('input' in entry) || !entry.input.outcome.ok) return [];
  const types = [entry.name];
  const named = namedDiscovertype(entry.input.outcome.document);
  if (named !== null && named !== entry.name) types.push(named);
  return types.map((t) => ({ key: discoveryResultKey(entry.host, t), host: entry.host, discovertype: t }));
}

/** The discovertype a document names, read without validating it (it may not be valid). */
export function namedDiscovertype(document: unknown): string | null {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return null;
  const t = (document as Record<string, unknown>).discovertype;
  return typeof t === 'string' ? t : null;
}

async function readStored(tx: ManagedTransaction, entries: readonly IngestEntry[], limits: BatchLimits): Promise<Map<string, Stored>> {
  const named = entries.flatMap(namedKeys);
  const keys = [...new Set(named.map((n) => n.key))];
  const stored = new Map<string, Stored>();
  if (keys.length === 0) return stored;
  // The previous JSON only where a row diff may use it: derived (the graph follows it) and whole.
  const diffKeys = limits.rowDiff ? named.filter((n) => limits.registry.get(n.discovertype)?.diff !== undefined).map((n) => n.key) : [];
  // The JSON is left out where the document cache holds the rows of the stored hash's document.
  const cached = limits.documents?.hashes(diffKeys) ?? {};
  const result = await tx.run(
    `UNWIND $keys AS key
     MATCH (d:DiscoveryResult {key: key})
     WITH key, d, key IN $diffKeys AND d.outcome = 'derived' AND NOT coalesce(d.truncated, false) AND d.rederive IS NULL AS whole
     RETURN key, d.hash AS hash, d.wire_hash AS wireHash, coalesce(d.plugin_version, 1) AS pluginVersion, whole,
            CASE WHEN whole AND coalesce($cached[key], '') <> coalesce(d.hash, '') THEN [d.json, d.json_deflate] END AS json`,
    { keys, diffKeys, cached },
  );
  for (const r of result.records) {
    const version = r.get('pluginVersion') as { toNumber(): number } | number;
    stored.set(r.get('key') as string, {
      hash: (r.get('hash') as string | null) ?? null,
      wireHash: (r.get('wireHash') as string | null) ?? null,
      pluginVersion: typeof version === 'number' ? version : version.toNumber(),
      whole: r.get('whole') === true,
      json: storedJson(r.get('json')),
    });
  }
  const diffable = new Set(diffKeys);
  await readNothingYet(tx, named.filter((n) => !stored.has(n.key) && diffable.has(n.key)), stored, limits);
  return stored;
}

/** The pre-read's [text, deflated] pair as text; a pair that will not inflate is as good as none. */
function storedJson(pair: unknown): string | null {
  if (!Array.isArray(pair)) return null;
  try {
    return decodeRawJson(pair[0], pair[1]);
  } catch {
    return null;
  }
}

/**
 * Results with nothing stored yet, of plugins that can tell the host has nothing they derive
 * (RowDiff.nothingYet): one read per such plugin in the batch, and those hosts' first documents are
 * diffs against an empty one.
 */
async function readNothingYet(
  tx: ManagedTransaction,
  unstored: ReadonlyArray<{ key: string; host: string; discovertype: string }>,
  stored: Map<string, Stored>,
  limits: BatchLimits,
): Promise<void> {
  const byType = new Map<string, Array<{ key: string; host: string }>>();
  for (const n of unstored) {
    if (limits.registry.get(n.discovertype)?.diff?.nothingYet === undefined) continue;
    const rows = byType.get(n.discovertype) ?? [];
    rows.push({ key: n.key, host: n.host });
    byType.set(n.discovertype, rows);
  }
  for (const [discovertype, rows] of byType) {
    const plugin = limits.registry.get(discovertype)!;
    const result = await tx.run(
      `UNWIND $rows AS row
       OPTIONAL MATCH (h:Host {key: row.host})
       RETURN row.key AS key, h IS NULL OR ${plugin.diff?.nothingYet ?? 'false'} AS empty`,
      { rows },
    );
    for (const r of result.records) {
      if (r.get('empty') !== true) continue;
      stored.set(r.get('key') as string, { hash: null, wireHash: null, pluginVersion: plugin.version ?? 1, whole: true, json: null, empty: true });
    }
  }
}

function decide(entry: IngestEntry, stored: Map<string, Stored>, now: number, limits: BatchLimits): Prepared<EntryOutcome> {
  const { host, name } = entry;
  const ctx = { host, now };
  if ('failure' in entry) return failed(host, entry.failure, now);
  const r = entry.input;
  const run: RunFacts = { startedAt: r.startedAt, durationMs: r.durationMs };
  const base = { name, exitCode: r.exitStatus, stderr: r.stderr, run };
  if (!r.outcome.ok) {
    const failure = readableFailure(r.outcome.code, r.outcome.message);
    const signal = r.signal === null ? '' : ` (signal ${r.signal})`;
    return failed(host, { ...base, code: failure.code, message: `${failure.message}${signal}` }, now);
  }
  if ((r.exitStatus !== null && r.exitStatus !== 0) || r.signal !== null) {
    const how = r.signal !== null ? `killed by ${r.signal}` : `exit status ${r.exitStatus}`;
    return failed(host, { ...base, code: 'nonzero_exit', message: `script ended with ${how}; its output is not used` }, now);
  }
  // The cheap check first: the nanoprobe's own hash of the content. Trusting it gives a nanoprobe
  // no power it lacks anyway (it may simply not send a result); it only spares reading the document.
  const byWire = unchanged(stored, host, name, { wireHash: r.contentHash }, run, now, limits);
  if (byWire !== null) return byWire;
  const document = r.outcome.document;
  const invalid = (code: string, message: string, filedAs = name) => failed(host, { name: filedAs, code, message, exitCode: 0, stderr: '', run }, now);
  if (!isJsonValue(document)) return invalid('invalid_result', 'the document is not a JSON value');
  const envelope = discoveryEnvelopeSchema.safeParse(document);
  if (!envelope.success) return invalid('wrong_shape', `not a discovery document: ${describeIssues(envelope.error)}`);
  const doc = envelope.data;
  const canonical = canonicalJson(doc);
  if (canonical.length > limits.maxChars) {
    return invalid('too_large', `document of ${canonical.length} characters; at most ${limits.maxChars} are accepted`, doc.discovertype);
  }
  // The same content under another wire hash (a nanoprobe that hashes differently, or a document
  // filed under a discovertype other than the requested name) is still recognised here.
  const byOwn = unchanged(stored, host, doc.discovertype, { hash: sha256Hex(canonical), wireHash: r.contentHash }, run, now, limits);
  if (byOwn !== null) return byOwn;

  const key = discoveryResultKey(host, doc.discovertype);
  const previous = previousDocument(stored.get(key), limits.registry.get(doc.discovertype)?.version ?? 1, (hash) => limits.documents?.get(key, hash));
  const planned = planIngest({ document: doc, canonical, requestName: name, run, wireHash: r.contentHash, ...(previous === undefined ? {} : { previous }) }, ctx, limits.registry);
  if (planned.outcome === 'invalid_data' || planned.outcome === 'invalid_document') {
    const code = planned.outcome === 'invalid_data' ? 'invalid_data' : 'wrong_shape';
    const outcome: EntryOutcome = { discovertype: planned.discovertype, status: 'error', rows: 0, error: { code, message: planned.problem ?? '' }, now };
    return { plan: planned.plan, result: outcome };
  }
  const rows = planRows(planned.plan);
  if (rows > limits.maxRows) {
    return invalid('too_large', `result would write ${rows} rows; one transaction holds at most ${limits.maxRows}`, doc.discovertype);
  }
  // Content-addressed: used next time only if the graph then holds this document's hash.
  if (planned.outcome === 'derived' && planned.hash !== null && planned.prints !== undefined) {
    limits.documents?.put(key, planned.hash, planned.prints, printChars(planned.prints));
  }
  const diff = planned.diff === undefined ? {} : { diff: planned.diff };
  const nothingNew = planned.createsNothing === true ? { createsNothing: true as const } : {};
  return { plan: planned.plan, result: { discovertype: doc.discovertype, status: planned.outcome, rows, now, ...diff, ...nothingNew } };
}

/** The touch of a stored result with the same content, or null when there is none to touch. */
function unchanged(
  stored: Map<string, Stored>,
  host: string,
  discovertype: string,
  hashes: { hash?: string; wireHash?: string },
  run: RunFacts,
  now: number,
  limits: BatchLimits,
): Prepared<EntryOutcome> | null {
  const key = discoveryResultKey(host, discovertype);
  const s = stored.get(key);
  const version = limits.registry.get(discovertype)?.version ?? 1;
  // The same rule as unchangedResultStatement's WHERE, which the touch applies again.
  const same = s !== undefined && s.pluginVersion === version &&
    ((hashes.hash !== undefined && s.hash === hashes.hash) || (hashes.wireHash !== undefined && s.wireHash === hashes.wireHash));
  if (!same) return null;
  const touch = unchangedResultStatement(key, hashes, run, { host, now }, version);
  return { plan: [touch], result: { discovertype, status: 'unchanged', rows: 0, now } };
}

/**
 * The stored document a row diff may compare with: same plugin version, kept whole, readable — its
 * rows from the document cache when it holds the stored hash's, else the graph's copy parsed.
 */
function previousDocument(s: Stored | undefined, version: number, cachedFor: (hash: string | null) => RowPrints | undefined): PreviousDocument | undefined {
  if (s === undefined || !s.whole || s.pluginVersion !== version) return undefined;
  if (s.empty === true) return { prints: new Map() };
  if (s.json === null) {
    const prints = cachedFor(s.hash);
    return prints === undefined ? undefined : { prints };
  }
  try {
    return { document: JSON.parse(s.json) as unknown };
  } catch {
    return undefined;
  }
}

function failed(host: string, failure: DiscoveryFailure, now: number): Prepared<EntryOutcome> {
  return {
    plan: failurePlan(failure, { host, now }),
    result: { discovertype: failure.name, status: 'error', rows: 0, error: { code: failure.code, message: failure.message }, now },
  };
}

export function planRows(plan: WritePlan): number {
  return plan.reduce((n, s) => n + s.rows.length, 0);
}
