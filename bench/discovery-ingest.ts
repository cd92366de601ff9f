import { DiscoveryIngestService, type IngestReport } from '../cma/discovery/ingest-service';
import type { PayloadOf } from '../protocol/message-types';
import type { JsonValue } from '../protocol/messages/common';
import { cpuMsSince, openBenchGraph } from './support/bench-graph';
import { generateFleet, type FleetHost } from './support/discovery-fleet';
import { changeFleet } from './support/fleet-changes';
import { sha256Hex } from '../common/hash';
import { canonicalJson } from '../protocol/messages/canonical-json';
import { StatementProfile, type StatementShape } from '../cma/graph/statement-profile';
import { cpuProfiled } from './support/cpu-profile';

/**
 * Discovery results of a fleet through the CMA's real ingest path (DiscoveryIngestService: validation,
 * hashing, plugin plans, group commit of the results that arrive together, follow-up rules) into Neo4j; then the same
 * fleet again, unchanged, as after every nanoprobe restarted; then a third time with 1% of
 * the rows of every result changed (row-level diff: only what changed is written). Per host four results (netconfig,
 * processes, tcp, packages), hosts ingested `--concurrency` at a time (hosts whose results are in
 * flight at once, as many nanoprobes reporting together), each host's results in order.
 *
 *   npm run bench -- discovery-ingest [--hosts 1000] [--concurrency 64] [--lanes 2] [--batch 64]
 *     [--change netconfig,processes,tcp,packages]   (the kinds the third pass changes)
 *     [--profile]   (statement time by shape, per pass, in the line: where the database time goes)
 *     [--cpu-profile FILE]   (a V8 CPU profile of the third pass: where the CMA's time goes)
 */
type WireResult = PayloadOf<'DISCOVERY_RESULT'>;

const KINDS = ['netconfig', 'processes', 'tcp', 'packages'] as const;

/** A result as the nanoprobe sends it, with its content hash (computed before the clock starts). */
function wire(document: unknown, startedAt: number): WireResult {
  return {
    name: (document as { discovertype: string }).discovertype,
    contentHash: sha256Hex(canonicalJson(document)),
    exitStatus: 0,
    signal: null,
    stderr: '',
    startedAt,
    durationMs: 120,
    outcome: { ok: true, document: document as JsonValue },
  };
}

type Pass = {
  seconds: number;
  cpuMs: number;
  results: number;
  rows: number;
  statuses: Record<string, number>;
  followUps: number;
  /** rows written per discovertype */
  rowsByKind: Record<string, number>;
  /** results written by the row diff */
  diffs: number;
};

async function ingestFleet(service: DiscoveryIngestService, fleet: FleetHost[], concurrency: number, startedAt: number): Promise<Pass> {
  const statuses: Record<string, number> = {};
  let rows = 0;
  let followUps = 0;
  let diffs = 0;
  const rowsByKind: Record<string, number> = {};
  let next = 0;
  const results = fleet.map((host) => KINDS.map((kind) => wire(host.documents[kind], startedAt)));
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const host = fleet[i];
      if (host === undefined) return;
      for (const [k, kind] of KINDS.entries()) {
        const report: IngestReport = await service.ingest(host.name, results[i]![k]);
        statuses[report.status] = (statuses[report.status] ?? 0) + 1;
        rows += report.rows;
        rowsByKind[kind] = (rowsByKind[kind] ?? 0) + report.rows;
        if (report.diff !== undefined) diffs += 1;
        followUps += report.followUps.length;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, cpuMs: cpuMsSince(cpu), results: fleet.length * KINDS.length, rows, statuses, followUps, rowsByKind, diffs };
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const hosts = Number(option(args, '--hosts') ?? 1000);
  const concurrency = Number(option(args, '--concurrency') ?? 64);
  process.stderr.write(`generating discovery documents for ${hosts} hosts...\n`);
  const fleet = generateFleet(hosts);
  const bytes = fleet.reduce((n, h) => n + KINDS.reduce((m, k) => m + JSON.stringify(h.documents[k]).length, 0), 0);
  const graph = await openBenchGraph();
  try {
    // Warm the JVM and Cypher's plan cache on a separate small fleet, removed again.
    const warm = generateFleet(20, 99).map((h) => ({ ...h, name: `warm-${h.name}` }));
    await ingestFleet(new DiscoveryIngestService({ store: graph.store }), warm, concurrency, 1);
    await graph.store.write(
      `MATCH (h:Host) WHERE h.key STARTS WITH 'warm-' OPTIONAL MATCH (h)-->(x) WHERE NOT x:Package AND NOT x:Subnet DETACH DELETE x, h`,
    );

    const lanes = option(args, '--lanes');
    const batch = option(args, '--batch');
    const profile = args.includes('--profile') ? new StatementProfile() : undefined;
    const profiles: Record<string, { statement_ms: number; transaction_ms: number; transactions: number; top: StatementShape[] }> = {};
    const profiled = (pass: string): void => {
      if (profile === undefined) return;
      profiles[pass] = {
        statement_ms: Math.round(profile.totalMs),
        transaction_ms: Math.round(profile.transactions.ms),
        transactions: profile.transactions.count,
        top: profile.summary(12),
      };
      profile.reset();
    };
    const service = new DiscoveryIngestService({
      store: graph.store,
      ...(profile === undefined ? {} : { profile }),
      ...(lanes === undefined ? {} : { lanes: Number(lanes) }),
      ...(batch === undefined ? {} : { maxResultsPerBatch: Number(batch) }),
    });
    process.stderr.write(`first pass: ${fleet.length * KINDS.length} results (${(bytes / 1e6).toFixed(1)} MB of JSON)...\n`);
    const first = await ingestFleet(service, fleet, concurrency, 1_800_000_000_000);
    process.stderr.write(`first pass: ${first.seconds.toFixed(1)} s, ${JSON.stringify(first.statuses)}\n`);
    profiled('first');
    process.stderr.write('second pass, unchanged...\n');
    const again = await ingestFleet(service, fleet, concurrency, 1_800_000_600_000);
    process.stderr.write(`second pass: ${again.seconds.toFixed(1)} s, ${JSON.stringify(again.statuses)}\n`);
    profiled('unchanged');
    const kinds = (option(args, '--change') ?? KINDS.join(',')).split(',') as Array<(typeof KINDS)[number]>;
    const later = changeFleet(fleet, 0.01, kinds);
    process.stderr.write('third pass, 1% of the rows of every result changed...\n');
    const changed = await cpuProfiled(option(args, '--cpu-profile'), () => ingestFleet(service, later.fleet, concurrency, 1_800_001_200_000));
    process.stderr.write(`third pass: ${changed.seconds.toFixed(1)} s, ${JSON.stringify(changed.statuses)}, rows ${JSON.stringify(changed.rowsByKind)}\n`);
    profiled('changed');
    const rowsChanged = Object.values(later.rowsChanged).reduce((a, b) => a + b, 0);

    const [graphCounts] = await graph.store.read<Record<string, { toNumber(): number }>>(
      `RETURN COUNT { MATCH (:Process)-[r:CONNECTS_TO]->(:TCPService) RETURN r } AS connects_to,
              COUNT { MATCH (:Host)-[r:HAS_PACKAGE]->(:Package) RETURN r } AS has_package,
              COUNT { MATCH (p:Process) RETURN p } AS processes`,
    );
    return {
      bench: 'discovery-ingest',
      hosts,
      results: first.results,
      concurrency,
      json_mb: Math.round(bytes / 1e5) / 10,
      rows: first.rows,
      results_per_s: Math.round(first.results / first.seconds),
      rows_per_s: Math.round(first.rows / first.seconds),
      ingest_s: Math.round(first.seconds * 10) / 10,
      cma_cpu_ms_per_result: Math.round((first.cpuMs / first.results) * 100) / 100,
      unchanged_reingest_s: Math.round(again.seconds * 100) / 100,
      unchanged_results_per_s: Math.round(again.results / again.seconds),
      unchanged_cpu_ms_per_result: Math.round((again.cpuMs / again.results) * 100) / 100,
      changed_reingest_s: Math.round(changed.seconds * 100) / 100,
      changed_cpu_ms_per_result: Math.round((changed.cpuMs / changed.results) * 100) / 100,
      changed_speedup: Math.round((first.seconds / changed.seconds) * 10) / 10,
      changed_rows: rowsChanged,
      changed_rows_written: changed.rows,
      changed_rows_by_kind: later.rowsChanged,
      changed_rows_written_by_kind: changed.rowsByKind,
      changed_results_by_diff: changed.diffs,
      batches: service.batchCounters.batches,
      largest_batch: service.batchCounters.largestBatch,
      transaction_reruns: service.batchCounters.reruns,
      first_pass: first.statuses,
      second_pass: again.statuses,
      follow_ups: first.followUps,
      graph: Object.fromEntries(Object.entries(graphCounts ?? {}).map(([k, v]) => [k, v.toNumber()])),
      neo4j: graph.embedded ? 'embedded 5.26 (local)' : 'external',
      ...(profile === undefined ? {} : { profile: profiles }),
    };
  } finally {
    await graph.close();
  }
}
