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
 * Results for one (host, discovertype) are applied one at a time, in arrival order; different ones
 * run concurrently, except the writes of `crossHost` plugins (tcp, netconfig), which link one
 * host's data to another's and are committed one at a time (see connections.ts). Such a write takes
 * its write time and is planned inside its turn, so the order of commits is the order of write times
 * (the cleanups compare `lastupdated < now`); only its unchanged check comes before.
 *
 * The caller may pass a ConcurrencyLimit (limiter.ts): a result holds a slot of it while it is read,
 * planned and written, never while it waits for its (host, discovertype) predecessor or for its
 * crossHost turn, so results of other discovertypes do not queue behind those waits.
 */
import { canonicalJson } from '../../protocol/messages/canonical-json';
import { isJsonValue } from '../../protocol/messages/common';
import { describeIssues, discoveryEnvelopeSchema, type DiscoveryEnvelope } from '../../protocol/messages/discovery-envelope';
import type { GraphStore } from '../graph/graph-store';
import type { WritePlan } from '../graph/write-plan';
import { silentLogger, type Logger } from '../../common/logger';
import { DiscoverySchedule, type DiscoveryRequest } from './discovery-schedule';
import { DEFAULT_FOLLOW_UP_RULES, type FollowUpRule } from './follow-up-rules';
import { failurePlan, discoveryResultKey, unchangedResultStatement, type DiscoveryFailure, type RunFacts } from './raw-result';
import { sha256Hex } from '../../common/hash';
import { defaultRegistry, planIngest, type PluginRegistry } from './registry';
import { discoveryResultInputSchema, readableFailure, salvageName, type DiscoveryResultInput } from './result-input';
import { UNLIMITED, type ConcurrencyLimit } from './limiter';
import { SerialQueue } from '../../common/serial-queue';
import { KeyedQueue } from './ingest-queues';

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
  log?: Logger;
};

export const DEFAULT_MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

export type IngestCounters = Record<IngestStatus, number> & { rows: number; followUps: number; followUpFailures: number };

export class DiscoveryIngestService {
  private readonly store: GraphStore;
  private readonly registry: PluginRegistry;
  private readonly rules: readonly FollowUpRule[];
  private readonly schedule: DiscoverySchedule;
  private readonly clock: () => number;
  private readonly maxRows: number;
  private readonly maxChars: number;
  private readonly log: Logger;
  /** results of one DiscoveryResult key, in arrival order */
  private readonly perResult = new KeyedQueue();
  /** the writes of crossHost plugins, one at a time */
  private readonly crossHost = new SerialQueue();
  private lastNow = 0;
  readonly counters: IngestCounters = {
    derived: 0, raw_only: 0, unavailable: 0, unchanged: 0, error: 0, rejected: 0, rows: 0, followUps: 0, followUpFailures: 0,
  };

  constructor(options: IngestServiceOptions) {
    this.store = options.store;
    this.registry = options.registry ?? defaultRegistry;
    this.rules = options.rules ?? DEFAULT_FOLLOW_UP_RULES;
    this.schedule = options.schedule ?? new DiscoverySchedule();
    this.clock = options.clock ?? Date.now;
    this.maxRows = Math.min(options.maxRowsPerResult ?? Infinity, this.store.options.maxRowsPerTransaction);
    this.maxChars = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
    this.log = options.log ?? silentLogger;
  }

  /**
   * Writes one result from `hostKey`; see the contract at the top of this file. `slots` bounds how
   * many results are worked on at once (see the top of this file).
   */
  async ingest(hostKey: string, result: unknown, slots: ConcurrencyLimit = UNLIMITED): Promise<IngestReport> {
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
    // expected to print its own name, so both usually agree. Serialising on the requested name keeps
    // one nanoprobe request's results in order.
    return this.perResult.run(discoveryResultKey(hostKey, name), async () => {
      const first = await slots.run(async () => {
        if (!parsed.success) {
          const failure = { name, code: 'invalid_result', message: `not a discovery result: ${describeIssues(parsed.error)}`, exitCode: null, stderr: '' };
          return { report: await this.recordFailure(hostKey, failure) };
        }
        return this.readResult(hostKey, name, parsed.data);
      });
      if ('report' in first) return first.report;
      // A crossHost write: its turn, then (in it) a slot, its write time, its plan and its commit.
      const written = await this.crossHost.push(() => slots.run(() => this.planAndWrite(first.derive, this.nextNow())));
      return 'final' in written ? written.final : slots.run(() => this.finish(written));
    });
  }

  /**
   * Everything up to the plan: failures recorded, unchanged results touched, the document checked.
   * Returns the final report, or what is left to derive for a crossHost plugin (planned in its turn).
   */
  private async readResult(host: string, name: string, r: DiscoveryResultInput): Promise<{ report: IngestReport } | { derive: Derivable }> {
    const run: RunFacts = { startedAt: r.startedAt, durationMs: r.durationMs };
    const base = { name, exitCode: r.exitStatus, stderr: r.stderr, run };
    if (!r.outcome.ok) {
      const failure = readableFailure(r.outcome.code, r.outcome.message);
      const signal = r.signal === null ? '' : ` (signal ${r.signal})`;
      return { report: await this.recordFailure(host, { ...base, code: failure.code, message: `${failure.message}${signal}` }) };
    }
    if ((r.exitStatus !== null && r.exitStatus !== 0) || r.signal !== null) {
      const how = r.signal !== null ? `killed by ${r.signal}` : `exit status ${r.exitStatus}`;
      return { report: await this.recordFailure(host, { ...base, code: 'nonzero_exit', message: `script ended with ${how}; its output is not used` }) };
    }
    // The cheap check first: the nanoprobe's own hash of the content. Trusting it gives a nanoprobe
    // no power it lacks anyway (it may simply not send a result); it only spares reading the document.
    const now = this.nextNow();
    if (await this.touchIfUnchanged(host, name, { wireHash: r.contentHash }, run, now)) {
      return { report: this.count({ host, discovertype: name, status: 'unchanged', rows: 0, followUps: [] }) };
    }
    const document = r.outcome.document;
    if (!isJsonValue(document)) {
      return { report: await this.recordFailure(host, { name, code: 'invalid_result', message: 'the document is not a JSON value', exitCode: 0, stderr: '', run }) };
    }
    const envelope = discoveryEnvelopeSchema.safeParse(document);
    if (!envelope.success) {
      return { report: await this.recordFailure(host, { name, code: 'wrong_shape', message: `not a discovery document: ${describeIssues(envelope.error)}`, exitCode: 0, stderr: '', run }) };
    }
    const doc = envelope.data;
    const canonical = canonicalJson(doc);
    if (canonical.length > this.maxChars) {
      return {
        report: await this.recordFailure(host, {
          name: doc.discovertype, code: 'too_large', message: `document of ${canonical.length} characters; at most ${this.maxChars} are accepted`, exitCode: 0, stderr: '', run,
        }),
      };
    }
    // The same content under another wire hash (a nanoprobe that hashes differently, or a document
    // filed under a discovertype other than the requested name) is still recognised here.
    if (await this.touchIfUnchanged(host, doc.discovertype, { hash: sha256Hex(canonical), wireHash: r.contentHash }, run, now)) {
      return { report: this.count({ host, discovertype: doc.discovertype, status: 'unchanged', rows: 0, followUps: [] }) };
    }
    const derive: Derivable = { host, name, doc, canonical, run, wireHash: r.contentHash };
    if (this.registry.get(doc.discovertype)?.crossHost === true) return { derive };
    const written = await this.planAndWrite(derive, now);
    return { report: 'final' in written ? written.final : await this.finish(written) };
  }

  /** Moves the times of a stored result with the same content; true when there was one. */
  private async touchIfUnchanged(host: string, discovertype: string, hashes: { hash?: string; wireHash?: string }, run: RunFacts, now: number): Promise<boolean> {
    const version = this.registry.get(discovertype)?.version ?? 1;
    const touch = unchangedResultStatement(discoveryResultKey(host, discovertype), hashes, run, { host, now }, version);
    const rows = await this.store.write<{ matched: { toNumber(): number } }>(touch.cypher, { ...touch.params, rows: touch.rows });
    return (rows[0]?.matched.toNumber() ?? 0) > 0;
  }

  /** Plans the document at write time `now` and commits the plan (one transaction). */
  private async planAndWrite(d: Derivable, now: number): Promise<Written> {
    const { host, doc, run } = d;
    const planned = planIngest({ document: doc, canonical: d.canonical, requestName: d.name, run, wireHash: d.wireHash }, { host, now }, this.registry);
    if (planned.outcome === 'invalid_data' || planned.outcome === 'invalid_document') {
      await this.write(planned.plan);
      const code = planned.outcome === 'invalid_data' ? 'invalid_data' : 'wrong_shape';
      return { final: this.count({ host, discovertype: planned.discovertype, status: 'error', rows: 0, followUps: [], error: { code, message: planned.problem ?? '' } }) };
    }
    const rows = planRows(planned.plan);
    if (rows > this.maxRows) {
      const message = `result would write ${rows} rows; one transaction holds at most ${this.maxRows}`;
      return { final: await this.recordFailure(host, { name: doc.discovertype, code: 'too_large', message, exitCode: 0, stderr: '', run }, now) };
    }
    await this.write(planned.plan);
    return { host, discovertype: doc.discovertype, status: planned.outcome, rows, now };
  }

  /** The report of a committed plan, with the follow-ups its rules ask for when it derived data. */
  private async finish(w: Committed): Promise<IngestReport> {
    const followUps = w.status === 'derived' ? await this.followUps(w.host, w.discovertype, w.now) : [];
    return this.count({ host: w.host, discovertype: w.discovertype, status: w.status, rows: w.rows, followUps });
  }

  private async recordFailure(host: string, failure: DiscoveryFailure, now = this.nextNow()): Promise<IngestReport> {
    await this.write(failurePlan(failure, { host, now }));
    this.log.info({ host, discovery: failure.name, code: failure.code }, `discovery failed: ${failure.message}`);
    return this.count({ host, discovertype: failure.name, status: 'error', rows: 0, followUps: [], error: { code: failure.code, message: failure.message } });
  }

  /** One transaction: runPlan splits only above maxRowsPerTransaction, which is checked first. */
  private async write(plan: WritePlan): Promise<void> {
    const rows = planRows(plan);
    if (rows > Math.max(1, this.store.options.maxRowsPerTransaction)) {
      throw new Error(`internal: an ingest plan of ${rows} rows would be split over several transactions`);
    }
    await this.store.runPlan(plan);
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
    return report;
  }
}

/** A good document that is to be planned and written. */
type Derivable = { host: string; name: string; doc: DiscoveryEnvelope; canonical: string; run: RunFacts; wireHash: string };

/** A plan committed at write time `now`. */
type Committed = { host: string; discovertype: string; status: 'derived' | 'raw_only' | 'unavailable'; rows: number; now: number };

/** What planAndWrite did: committed a plan, or recorded the result as an error (`final`). */
type Written = Committed | { final: IngestReport };

function planRows(plan: WritePlan): number {
  return plan.reduce((n, s) => n + s.rows.length, 0);
}

function rejected(host: string, discovertype: string | null, code: string, message: string): IngestReport {
  return { host, discovertype, status: 'rejected', rows: 0, followUps: [], error: { code, message } };
}
