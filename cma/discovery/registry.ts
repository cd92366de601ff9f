/**
 * The one place ingest plugins are registered, and the one entry point that turns a discovery
 * document into a WritePlan:
 *  - the raw JSON is always kept (DiscoveryResult), whatever else happens;
 *  - an unknown discovertype is stored raw, never rejected;
 *  - data that says its tool is unavailable is stored raw with the reason, and the derived graph is
 *    left as it was (an "unavailable" answer says nothing about what is there);
 *  - data that does not fit the plugin's schema is recorded as an error (`invalid_data`) like a failed
 *    run: the last good JSON and the derived graph stay as they were;
 *  - otherwise the plugin's plan follows.
 */
import type { WritePlan } from '../graph/write-plan';
import { sha256Hex } from '../../common/hash';
import { canonicalJson } from '../../protocol/messages/canonical-json';
import { describeIssues, discoveryEnvelopeSchema, type DiscoveryEnvelope } from '../../protocol/messages/discovery-envelope';
import { cpuPlugin } from './cpu-plugin';
import { filesystemsPlugin } from './filesystems-plugin';
import { lldpPlugin } from './lldp-plugin';
import { memoryPlugin } from './memory-plugin';
import { netconfigPlugin } from './netconfig-plugin';
import { osPlugin } from './os-plugin';
import { packagesPlugin } from './packages-plugin';
import type { DiscoveryPlugin, IngestContext } from './plugin';
import { processesPlugin } from './processes-plugin';
import { failurePlan, rawResultStatement, RAW_JSON_CAP, type IngestOutcome, type RunFacts } from './raw-result';
import { rowDiffPlan, rowPrints, type RowPrints } from './row-diff';
import { tcpPlugin } from './tcp-plugin';

export const BUILTIN_PLUGINS: readonly DiscoveryPlugin[] = [
  osPlugin,
  cpuPlugin,
  memoryPlugin,
  netconfigPlugin,
  tcpPlugin,
  processesPlugin,
  packagesPlugin,
  lldpPlugin,
  filesystemsPlugin,
];

export class PluginRegistry {
  private readonly byType = new Map<string, DiscoveryPlugin>();

  constructor(plugins: readonly DiscoveryPlugin[] = BUILTIN_PLUGINS) {
    for (const p of plugins) {
      if (this.byType.has(p.discovertype)) throw new Error(`two ingest plugins for discovertype "${p.discovertype}"`);
      this.byType.set(p.discovertype, p);
    }
  }

  get(discovertype: string): DiscoveryPlugin | undefined {
    return this.byType.get(discovertype);
  }

  list(): Array<{ discovertype: string; description: string }> {
    return [...this.byType.values()].map((p) => ({ discovertype: p.discovertype, description: p.description }));
  }
}

export type IngestPlan = {
  discovertype: string;
  /** `invalid_document` and `invalid_data` are recorded as errors; their plan keeps the last good JSON */
  outcome: IngestOutcome | 'invalid_document';
  /** why the data was not derived (unavailable reason, schema problems), null when it was */
  problem: string | null;
  /** SHA-256 of the canonical document: equal to the stored DiscoveryResult.hash when nothing changed */
  hash: string | null;
  plan: WritePlan;
  /** rows the row diff found changed and removed, when the plan is a diff (else absent) */
  diff?: { changed: number; removed: number };
  /** the document's rows as the next row diff compares them (derived, by a plugin with a row diff) */
  prints?: RowPrints;
  /** a row diff that adds no row: the write creates nothing (follow-up rules, which fire on what is new, need not look) */
  createsNothing?: true;
};

export type IngestInput = {
  /** the document as received (validated again here: the CMA trusts no input) */
  document: unknown;
  /** the discovery name that was requested, to file a document too broken to name itself */
  requestName?: string;
  /** the canonical text of `document` when the caller has it already (it is hashed and stored) */
  canonical?: string;
  /** the nanoprobe's account of the run, recorded on the DiscoveryResult */
  run?: RunFacts;
  /** the content hash the nanoprobe sent, recorded for the cheap unchanged check */
  wireHash?: string;
  /**
   * What the graph was last derived from by this plugin version, when it is known whole — the
   * document, or its rows as the last plan compared them (held by the CMA): a plugin with a row diff
   * then writes only what changed against it (row-diff.ts).
   */
  previous?: PreviousDocument;
};

export type PreviousDocument = { document: unknown } | { prints: RowPrints };


function unavailableReason(data: unknown): string | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const reason = (data as Record<string, unknown>).unavailable;
  return typeof reason === 'string' ? reason : null;
}

export function planIngest(input: IngestInput, ctx: IngestContext, registry = defaultRegistry, rawCap = RAW_JSON_CAP): IngestPlan {
  const parsed = discoveryEnvelopeSchema.safeParse(input.document);
  if (!parsed.success) {
    const name = input.requestName ?? 'unknown';
    const message = `not a discovery document: ${describeIssues(parsed.error)}`;
    return {
      discovertype: name,
      outcome: 'invalid_document',
      problem: message,
      hash: null,
      plan: failurePlan({ name, code: 'wrong_shape', message, exitCode: null, stderr: '', run: input.run }, ctx),
    };
  }
  const doc: DiscoveryEnvelope = parsed.data;
  // The canonical text (keys sorted) is both what is hashed and what is kept: one serialisation.
  const canonical = input.canonical ?? canonicalJson(doc);
  const hash = sha256Hex(canonical);
  const plugin = registry.get(doc.discovertype);
  const unavailable = unavailableReason(doc.data);

  let outcome: IngestOutcome;
  let problem: string | null = null;
  let derived: WritePlan = [];
  let diff: IngestPlan['diff'];
  let prints: RowPrints | undefined;
  let createsNothing = false;
  if (!plugin) {
    outcome = 'raw_only';
  } else if (unavailable !== null) {
    outcome = 'unavailable';
    problem = unavailable;
  } else {
    const data = plugin.dataSchema.safeParse(doc.data);
    if (data.success) {
      outcome = 'derived';
      const rowDiff = plugin.diff;
      const current = rowDiff === undefined ? null : rowPrints(rowDiff, data.data, ctx);
      const before = current === null ? null : previousPrints(plugin, input.previous, ctx);
      const d = rowDiff !== undefined && current !== null && before !== null ? rowDiffPlan(rowDiff, before, current, ctx) : null;
      prints = current?.prints;
      if (d !== null) {
        derived = d.plan;
        diff = { changed: d.changed, removed: d.removed };
        createsNothing = d.added === 0;
      } else {
        derived = plugin.plan(data.data, ctx);
      }
    } else {
      const message = `data does not fit the ${doc.discovertype} plugin: ${describeIssues(data.error)}`;
      return {
        discovertype: doc.discovertype,
        outcome: 'invalid_data',
        problem: message,
        hash,
        plan: failurePlan({ name: doc.discovertype, code: 'invalid_data', message, exitCode: null, stderr: '', run: input.run }, ctx),
      };
    }
  }
  const raw = rawResultStatement(
    {
      discovertype: doc.discovertype,
      description: doc.description,
      source: doc.source,
      json: canonical,
      hash,
      outcome,
      problem,
      run: input.run,
      wireHash: input.wireHash ?? null,
      pluginVersion: plugin?.version ?? 1,
    },
    ctx,
    rawCap,
  );
  return {
    discovertype: doc.discovertype, outcome, problem, hash, plan: [raw, ...derived],
    ...(diff === undefined ? {} : { diff }),
    ...(prints === undefined ? {} : { prints }),
    ...(createsNothing ? { createsNothing: true as const } : {}),
  };
}

/** The previous document's rows as the plugin's diff compares them, or null when there is none that fits. */
function previousPrints(plugin: DiscoveryPlugin, previous: PreviousDocument | undefined, ctx: IngestContext): RowPrints | null {
  if (previous === undefined || plugin.diff === undefined) return null;
  if ('prints' in previous) return previous.prints;
  const envelope = discoveryEnvelopeSchema.safeParse(previous.document);
  if (!envelope.success) return null;
  const data = plugin.dataSchema.safeParse(envelope.data.data);
  return data.success ? rowPrints(plugin.diff, data.data, ctx).prints : null;
}

export const defaultRegistry = new PluginRegistry();
