/**
 * The CMA's entry point for discovery results: `ingest(hostKey, result)` validates what a nanoprobe
 * sent, plans it (registry), writes the plan in ONE transaction, and resolves only after that commit,
 * so the membership service can acknowledge the network message once the promise resolves.
 *
 * Contract with the caller:
 *  - resolves: the result is dealt with for good (written, recorded as an error, or refused as
 *    unreadable) — acknowledge it;
 *  - rejects: the database did not commit (down, timed out, a write failed) — do not acknowledge; the
 *    nanoprobe retransmits, and nothing of this result was written (the transaction rolled back).
 *
 * Atomicity: a plan is never split over transactions. A result whose plan has more rows than one
 * transaction may hold (`maxRowsPerResult`, at most the store's `maxRowsPerTransaction`) is refused
 * and recorded as a `too_large` error, like a document past `maxDocumentChars`: hard caps, and the
 * last good data stays.
 *
 * An unchanged result is not planned at all: one small statement moves its times and clears a failure
 * status. "Unchanged" is the nanoprobe's content hash equal to the one stored with the last good
 * result (then the document is not even read), or else the CMA's own hash of the canonical document
 * equal to the stored one.
 *
 * Group commit (../graph/group-commit.ts, ingest-batch.ts): results that arrive while a batch is
 * being written go together in the next one, one transaction with their statements merged, planned
 * inside it at one write time. A host's results are never in one batch or in two running batches:
 * they are applied one at a time, in arrival order. The writes of `crossHost` plugins (tcp,
 * netconfig), which link one host's data to another's, are in one batch at a time, so that two of
 * them never miss each other's uncommitted rows and their commit order is their write-time order
 * (see connections.ts); other batches run beside them.
 */
import { DEFAULT_DOCUMENT_CACHE_CHARS, DocumentCache } from './document-cache';
import { describeIssues } from '../../protocol/messages/discovery-envelope';
import { GroupCommitter, type GroupCommitCounters } from '../graph/group-commit';
import type { GraphStore } from '../graph/graph-store';
import type { StatementProfile } from '../graph/statement-profile';
import { silentLogger, type Logger } from '../../common/logger';
import { DiscoverySchedule, type DiscoveryRequest } from './discovery-schedule';
import { DEFAULT_FOLLOW_UP_RULES, type FollowUpRule } from './follow-up-rules';
import { namedDiscovertype, prepareBatch, type EntryOutcome, type IngestEntry } from './ingest-batch';
import { defaultRegistry, type PluginRegistry } from './registry';
import type { RowPrints } from './row-diff';
import { discoveryResultInputSchema, salvageName } from './result-input';

/** How a result ended up. */
export type IngestStatus =
  /** a plugin derived graph data from it */
  | 'derived'
  /** kept raw: no plugin for its discovertype */
  | 'raw_only'
  /** kept raw: the script said its tool is missing; the derived graph left alone */
  | 'unavailable'
  /** same content as the stored result: nothing planned, times moved */
  | 'unchanged'
  /** recorded as an error on its DiscoveryResult; the last good data kept */
  | 'error'
  /** unusable and not attributable (no host or no name): nothing written */
  | 'rejected';

export type IngestReport = {
  host: string;
  /** the discovertype it was filed under (the requested name for failures), null when rejected */
  discovertype: string | null;
  status: IngestStatus;
  /** for `error` and `rejected`: a stable code and a message */
  error?: { code: string; message: string };
  /** rows written by the plan (0 when unchanged or rejected) */
  rows: number;
  /** present when only what changed was written (row diff): rows changed and removed */
  diff?: { changed: number; removed: number };
  /** discovery requests worth sending the host next (see follow-up-rules.ts) */
  followUps: DiscoveryRequest[];
};

export type IngestServiceOptions = {
  store: GraphStore;
  registry?: PluginRegistry;
  rules?: readonly FollowUpRule[];
  /** where follow-up requests take their timing and parameters from */
  schedule?: DiscoverySchedule;
  /** the write time (integer ms); injected by tests */
  clock?: () => number;
  /** most rows one result may write; capped at the store's maxRowsPerTransaction */
  maxRowsPerResult?: number;
  /** longest canonical JSON text of one document, in characters */
  maxDocumentChars?: number;
  /** write only what changed against the previous document where a plugin can (default true) */
  rowDiff?: boolean;
  /** characters of last documents kept in memory for row diffs (document-cache.ts); 0 keeps none */
  documentCacheChars?: number;
  /** most results in one transaction (group commit) */
  maxResultsPerBatch?: number;
  /** transactions in flight at once (group commit lanes) */
  lanes?: number;
  /** awaited before each batch's transaction, with the results it holds: a seam for tests */
  beforeBatch?(results: ReadonlyArray<{ host: string; name: string }>): Promise<void>;
  /** times every statement (benchmarks' `--profile`) */
  profile?: StatementProfile;
  log?: Logger;
};

export const DEFAULT_MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

export type IngestCounters = Record<IngestStatus, number> & { rows: number; followUps: number; followUpFailures: number; rowDiffs: number };

export class DiscoveryIngestService {
  private readonly store: GraphStore;
  private readonly registry: PluginRegistry;
  private readonly rules: readonly FollowUpRule[];
  private readonly schedule: DiscoverySchedule;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly committer: GroupCommitter<IngestEntry, EntryOutcome>;
  private lastNow = 0;
  readonly counters: IngestCounters = {
    derived: 0, raw_only: 0, unavailable: 0, unchanged: 0, error: 0, rejected: 0, rows: 0, followUps: 0, followUpFailures: 0, rowDiffs: 0,
  };

  /** the last planned documents a row diff compares with, instead of reading them back */
  readonly documents: DocumentCache<RowPrints>;

  constructor(options: IngestServiceOptions) {
    this.store = options.store;
    this.documents = new DocumentCache<RowPrints>(options.documentCacheChars ?? DEFAULT_DOCUMENT_CACHE_CHARS);
    this.registry = options.registry ?? defaultRegistry;
    this.rules = options.rules ?? DEFAULT_FOLLOW_UP_RULES;
    this.schedule = options.schedule ?? new DiscoverySchedule();
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? silentLogger;
    const limits = {
      registry: this.registry,
      maxRows: Math.min(options.maxRowsPerResult ?? Infinity, this.store.options.maxRowsPerTransaction),
      maxChars: options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS,
      rowDiff: options.rowDiff ?? true,
      documents: this.documents,
    };
    const beforeBatch = options.beforeBatch;
    this.committer = new GroupCommitter<IngestEntry, EntryOutcome>({
      store: this.store,
      prepare: (tx, entries, now) => prepareBatch(tx, entries, now, limits),
      conflictKey: (e) => e.host,
      serial: (e) => this.isCrossHost(e),
      nextNow: () => this.nextNow(),
      ...(options.maxResultsPerBatch === undefined ? {} : { maxEntries: options.maxResultsPerBatch }),
      ...(options.lanes === undefined ? {} : { lanes: options.lanes }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(beforeBatch === undefined ? {} : { admit: (entries) => beforeBatch(entries.map((e) => ({ host: e.host, name: e.name }))) }),
    });
  }

  /** How group commit went: batches, results in them, the largest, and batches split after a failure. */
  get batchCounters(): Readonly<GroupCommitCounters> {
    return this.committer.counters;
  }

  /** Writes one result from `hostKey`; see the contract at the top of this file. */
  async ingest(hostKey: string, result: unknown): Promise<IngestReport> {
    if (typeof hostKey !== 'string' || hostKey.length === 0 || hostKey.length > 255) {
      return this.count(rejected(String(hostKey), null, 'invalid_host', 'the host key must be 1-255 characters'));
    }
    const parsed = discoveryResultInputSchema.safeParse(result);
    const name = parsed.success ? parsed.data.name : salvageName(result);
    if (name === null) {
      const why = parsed.success ? '' : describeIssues(parsed.error);
      return this.count(rejected(hostKey, null, 'invalid_result', `not a discovery result, and it names no discovery: ${why}`));
    }
    // Documents are filed under their discovertype, failures under the requested name; a script is
    // expected to print its own name, so both usually agree.
    const entry: IngestEntry = parsed.success
      ? { host: hostKey, name, input: parsed.data }
      : { host: hostKey, name, failure: { name, code: 'invalid_result', message: `not a discovery result: ${describeIssues(parsed.error)}`, exitCode: null, stderr: '' } };
    const outcome = await this.committer.submit(entry);
    if (outcome.status === 'error' && outcome.error !== undefined) {
      this.log.info({ host: hostKey, discovery: outcome.discovertype, code: outcome.error.code }, `discovery failed: ${outcome.error.message}`);
    }
    // Rules fire on what a write created; a row diff that added nothing created nothing to look at.
    const followUps = outcome.status === 'derived' && outcome.createsNothing !== true ? await this.followUps(hostKey, outcome.discovertype, outcome.now) : [];
    const { now: _now, createsNothing: _nothing, ...report } = outcome;
    return this.count({ host: hostKey, ...report, followUps });
  }

  /** Whether the entry's writes link hosts (a crossHost plugin, by its requested or its named discovertype). */
  private isCrossHost(e: IngestEntry): boolean {
    if (this.registry.get(e.name)?.crossHost === true) return true;
    if (!('input' in e) || !e.input.outcome.ok) return false;
    const named = namedDiscovertype(e.input.outcome.document);
    return named !== null && this.registry.get(named)?.crossHost === true;
  }

  /** Rules run after the commit; a rule that fails costs its follow-ups, never the ingest. */
  private async followUps(host: string, discovertype: string, now: number): Promise<DiscoveryRequest[]> {
    const names = new Set<string>();
    for (const rule of this.rules) {
      if (!rule.triggers.includes(discovertype)) continue;
      try {
        for (const n of await rule.decide({ host, discovertype, now }, this.store)) names.add(n);
      } catch (err) {
        this.counters.followUpFailures += 1;
        this.log.warn({ err, host, rule: rule.name }, 'follow-up rule failed; its follow-ups are skipped');
      }
    }
    return [...names].map((n) => this.schedule.requestFor(n)).filter((r): r is DiscoveryRequest => r !== null);
  }

  /**
   * Write times strictly increase: cleanup compares `lastupdated < now`, so two writes of one host in
   * the same millisecond must not share a `now` (the second would see the first's rows as current).
   */
  private nextNow(): number {
    this.lastNow = Math.max(Math.trunc(this.clock()), this.lastNow + 1);
    return this.lastNow;
  }

  private count(report: IngestReport): IngestReport {
    this.counters[report.status] += 1;
    this.counters.rows += report.rows;
    this.counters.followUps += report.followUps.length;
    if (report.diff !== undefined) this.counters.rowDiffs += 1;
    return report;
  }
}

function rejected(host: string, discovertype: string | null, code: string, message: string): IngestReport {
  return { host, discovertype, status: 'rejected', rows: 0, followUps: [], error: { code, message } };
}
