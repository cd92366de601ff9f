/**
 * Rings simulation: the CMA's real membership code (rings, death judge, segment grouping) driven by
 * simulated nanoprobes in virtual time, at N = 10, 1,000, 100,000 and 1,000,000 hosts.
 *
 *   npm run bench -- rings-sim [--n 10,1000,100000,1000000] [--seed 1] [--per-subnet 20]
 *
 * Per N and per loss rate (1% and 5%), a trial of 16 simulated seconds: every heartbeat packet of
 * every host is simulated (see sim/fleet-sim.ts), with hosts killed, hosts stalled for 3 s and (N ≥
 * 1,000) one whole subnet killed, all between 3 s and 6 s. Small fleets run several trials (fresh
 * seeds) so each figure rests on at least ~100 deaths. Computed rather than simulated: ring-repair
 * packets per day at 10^6 hosts = failures per day (10^6 hosts / 3-year MTBF) × repair packets per
 * death measured at 10^6. Packets ("pkts") are datagrams on the wire, the transport's ACKs and
 * retransmissions included; "msgs" count messages.
 */
import { runTrial, type TrialConfig, type TrialResult } from './sim/fleet-sim';

const DEFAULT_NS = [10, 1000, 100_000, 1_000_000];
const LOSSES = [0.01, 0.05] as const;
const MTBF_DAYS = 3 * 365.25;

type Plan = { trials: number; kills: number; stalls: number; segment: boolean };

function planFor(n: number): Plan {
  if (n <= 100) return { trials: 100, kills: 1, stalls: 1, segment: false };
  if (n <= 10_000) return { trials: 10, kills: Math.min(20, Math.floor(n / 50)), stalls: Math.min(20, Math.floor(n / 50)), segment: true };
  return { trials: 1, kills: 200, stalls: 200, segment: true };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const seconds = (ms: number | null): number | null => (ms === null ? null : round(ms / 1000));

function parseArgs(args: string[]): { ns: number[]; seed: number; perSubnet: number } {
  let ns = DEFAULT_NS;
  let seed = 1;
  let perSubnet = 20;
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if (args[i] === '--n' && value !== undefined) ns = value.split(',').map((v) => Number(v));
    else if (args[i] === '--seed' && value !== undefined) seed = Number(value);
    else if (args[i] === '--per-subnet' && value !== undefined) perSubnet = Number(value);
    else continue;
    i++;
  }
  if (ns.some((n) => !Number.isInteger(n) || n < 3 || n > 2_000_000)) throw new Error('--n takes integers from 3 to 2,000,000');
  if (!Number.isInteger(perSubnet) || perSubnet < 2 || perSubnet > 250) throw new Error('--per-subnet takes an integer from 2 to 250');
  return { ns, seed, perSubnet };
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const { ns, seed, perSubnet } = parseArgs(args);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const started = performance.now();
  const runs: Array<Record<string, unknown>> = [];
  const repairPerDeathAt: Record<number, number> = {};
  const deathPktsAt: Record<number, number> = {};
  const joinPktsAt: Record<number, number> = {};

  for (const n of ns) {
    const plan = planFor(n);
    const byLoss = new Map<number, TrialResult[]>();
    const nStarted = performance.now();
    for (const loss of LOSSES) {
      const results: TrialResult[] = [];
      for (let t = 0; t < plan.trials; t++) {
        const cfg: TrialConfig = {
          n, perSubnet, loss, seed: seed * 1_000_003 + n * 7 + t * 101 + Math.round(loss * 1000),
          kills: plan.kills, stalls: plan.stalls, stallMs: 3000, segmentKill: plan.segment && n >= 2 * perSubnet,
          joins: 200, leaves: 200, eventsFromMs: 3000, eventsToMs: 6000, endMs: 16_000, measureFromMs: 2000,
          audit: true,
        };
        results.push(runTrial(cfg, log));
      }
      byLoss.set(loss, results);
      const last = results[results.length - 1] as TrialResult;
      log(`n=${n} loss=${loss}: ${results.length} trial(s), last ran ${last.events} events in ${(last.runMs / 1000).toFixed(1)} s (setup ${(last.setupMs / 1000).toFixed(1)} s)`);
    }
    const at1 = byLoss.get(0.01) as TrialResult[];
    const at5 = byLoss.get(0.05) as TrialResult[];
    const all = [...at1, ...at5];
    const sum = (rs: TrialResult[], f: (r: TrialResult) => number): number => rs.reduce((a, r) => a + f(r), 0);

    const detect1 = at1.flatMap((r) => r.detectMs).sort((a, b) => a - b);
    const detect5 = at5.flatMap((r) => r.detectMs).sort((a, b) => a - b);
    const deaths1 = sum(at1, (r) => r.deaths);
    const joinMsgs = all.flatMap((r) => r.joinConfigs);
    const leaveMsgs = all.flatMap((r) => r.leaveConfigs);
    const perDeath = (f: (r: TrialResult) => number): number => (deaths1 === 0 ? 0 : sum(at1, f) / deaths1);
    const repairPkts = perDeath((r) => r.deathDatagrams.repair);
    const deathPkts = perDeath((r) => r.deathDatagrams.reports + r.deathDatagrams.probes + r.deathDatagrams.repair);
    const segments = all.map((r) => r.segment).filter((s): s is NonNullable<TrialResult['segment']> => s !== null);
    const windowS = (rs: TrialResult[]): number => sum(rs, (r) => r.windowS);

    repairPerDeathAt[n] = repairPkts;
    deathPktsAt[n] = deathPkts;
    joinPktsAt[n] = 2 * mean(joinMsgs);
    runs.push({
      n,
      trials_per_loss: plan.trials,
      hb_pkts_per_node_s: round(sum(all, (r) => r.hbPackets) / sum(all, (r) => r.hbHostSeconds), 4),
      partners_per_node: round(mean(all.map((r) => r.partnersPerNode)), 4),
      // One CONFIG message per host whose partners changed; ×2 for its ACK (joins measured loss-free).
      ctrl_pkts_per_join: round(2 * mean(joinMsgs)),
      config_msgs_per_join: round(mean(joinMsgs)),
      config_msgs_per_join_max: Math.max(...joinMsgs),
      config_msgs_per_leave: round(mean(leaveMsgs)),
      config_msgs_per_leave_max: Math.max(...leaveMsgs),
      ctrl_pkts_per_death: round(deathPkts, 2),
      death_pkts_breakdown: {
        partner_reports: round(perDeath((r) => r.deathDatagrams.reports), 2),
        probe: round(perDeath((r) => r.deathDatagrams.probes), 2),
        ring_repair: round(repairPkts, 2),
      },
      death_msgs_breakdown: {
        partner_reports: round(perDeath((r) => r.deathMessages.reports), 2),
        probe_attempts: round(perDeath((r) => r.deathMessages.probes), 2),
        repair_configs: round(perDeath((r) => r.deathMessages.repair), 2),
      },
      detect_s_p50: seconds(percentile(detect1, 0.5)),
      detect_s_p99: seconds(percentile(detect1, 0.99)),
      detect_s_max: seconds(detect1.length > 0 ? (detect1[detect1.length - 1] as number) : null),
      detect_s_p50_loss5: seconds(percentile(detect5, 0.5)),
      detect_s_p99_loss5: seconds(percentile(detect5, 0.99)),
      deaths_sampled: detect1.length + detect5.length,
      undetected: sum(all, (r) => r.undetected),
      false_deaths_loss1: sum(at1, (r) => r.falseDeathsLoss),
      false_deaths_loss5: sum(at5, (r) => r.falseDeathsLoss),
      false_deaths_stall3s: sum(all, (r) => r.falseDeathsStall),
      stalls_sampled: plan.stalls * plan.trials * LOSSES.length,
      segment_down: segments.length === 0 ? null : {
        cases: segments.length,
        hosts_each: segments[0]?.hosts,
        all_grouped_once: segments.every((s) => s.ok),
        detect_s_max: seconds(Math.max(...segments.map((s) => s.detectMs ?? Number.POSITIVE_INFINITY))),
      },
      cma_reports_per_s_loss1: round(sum(at1, (r) => r.noiseReports) / windowS(at1), 2),
      cma_reports_per_s_loss5: round(sum(at5, (r) => r.noiseReports) / windowS(at5), 2),
      cma_probe_pkts_per_s_loss5: round(sum(at5, (r) => r.noiseProbeAttempts) / windowS(at5), 2),
      link_trouble: sum(all, (r) => r.linkTrouble),
      audit_violations: sum(all, (r) => r.auditViolations ?? 0),
      sim_events: sum(all, (r) => r.events),
      wall_s: round((performance.now() - nStarted) / 1000, 1),
    });
    log(JSON.stringify(runs[runs.length - 1]));
  }

  const hb = runs.map((r) => r.hb_pkts_per_node_s as number);
  const biggest = Math.max(...ns);
  const failuresPerDay = biggest >= 1_000_000 ? 1_000_000 / MTBF_DAYS : null;
  const scale = 1_000_000 / MTBF_DAYS;
  return {
    bench: 'rings-sim',
    seed,
    hosts_per_subnet: perSubnet,
    timing_ms: { heartbeat: 1000, warn: 2500, dead: 4500, probe_timeout: 2000, probe_every: 250, segment_hold: 3000 },
    runs,
    hb_spread_pct: round((Math.max(...hb) / Math.min(...hb) - 1) * 100, 2),
    // Computed: failures/day at 10^6 hosts with a 3-year MTBF × packets per death measured at the largest N.
    failures_per_day_1e6: round(scale, 1),
    repair_pkts_per_day_1e6: Math.round(scale * (repairPerDeathAt[biggest] ?? Number.NaN)),
    death_handling_pkts_per_day_1e6: Math.round(scale * (deathPktsAt[biggest] ?? Number.NaN)),
    rejoin_pkts_per_day_1e6: Math.round(scale * (joinPktsAt[biggest] ?? Number.NaN)),
    per_day_figures_from_n: biggest,
    per_day_measured_at_1e6: failuresPerDay !== null,
    wall_s: round((performance.now() - started) / 1000, 1),
  };
}
