import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackFleet, NanoprobeFleet } from '../cli/demo/nanoprobe-fleet';
import { startCma } from '../cma/cma-service';
import { silentLogger } from '../common/logger';
import { benchCmaConfig, openBenchGraph } from './support/bench-graph';

/**
 * Membership under discovery load, on one machine: the CMA (this process) with a fresh local Neo4j,
 * and N real nanoprobe processes on loopback, each running every discovery script the CMA asks for.
 * Every `--kill-every` seconds one host (in turn) is killed with SIGKILL while discovery runs, and
 * started again once the CMA has declared it dead (so it joins and runs all its scripts once more).
 * Reported: deaths missed (not declared within 30 s), kill → declared times, deaths declared of hosts
 * nobody killed (false deaths), and from the nanoprobes' own logs their event-loop delay and the
 * lateness of the heartbeats they heard (load-watch.ts).
 *
 *   npm run bench -- discovery-load [--seconds 300] [--hosts 10] [--kill-every 30]
 */
function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** The first report of each nanoprobe covers the fleet's own start: logged within this of it. */
const FLEET_START_MINUTE_MS = 65_000;

const progress = (message: string): void => void process.stderr.write(`[discovery-load] ${message}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MISSED_AFTER_MS = 30_000;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

type MinuteFigures = {
  host: string;
  /** when the line was logged (ms since the epoch), 0 when the line has no time */
  time: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  heartbeatLatenessP99Ms: number;
};

/** Every per-minute figure line the nanoprobes logged (load-watch.ts), from their log files. */
function loadFigures(stateRoot: string, hosts: string[]): MinuteFigures[] {
  const out: MinuteFigures[] = [];
  for (const host of hosts) {
    let text = '';
    try {
      text = readFileSync(path.join(stateRoot, host, 'nanoprobe.log'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.includes('"msg":"event loop')) continue;
      try {
        const j = JSON.parse(line) as { time?: number; eventLoopDelayP99Ms?: number; eventLoopDelayMaxMs?: number; heartbeatLatenessP99Ms?: number };
        out.push({
          host,
          time: j.time ?? 0,
          eventLoopDelayP99Ms: j.eventLoopDelayP99Ms ?? 0,
          eventLoopDelayMaxMs: j.eventLoopDelayMaxMs ?? 0,
          heartbeatLatenessP99Ms: j.heartbeatLatenessP99Ms ?? 0,
        });
      } catch {
        // a line cut by a kill
      }
    }
  }
  return out;
}

/**
 * The slowest host-minutes, with how long after that host's last (re)start each was logged: tells a
 * stall of the busy machine from one of a nanoprobe starting every script at once.
 */
function worstMinutes(figures: MinuteFigures[], startedAt: Map<string, number[]>, count = 5): Array<Record<string, unknown>> {
  return [...figures]
    .sort((a, b) => b.eventLoopDelayP99Ms - a.eventLoopDelayP99Ms)
    .slice(0, count)
    .map((f) => {
      const starts = (startedAt.get(f.host) ?? []).filter((t) => t <= f.time);
      const last = starts.length === 0 ? null : starts[starts.length - 1]!;
      return {
        host: f.host,
        loop_p99_ms: f.eventLoopDelayP99Ms,
        loop_max_ms: f.eventLoopDelayMaxMs,
        hb_p99_ms: f.heartbeatLatenessP99Ms,
        s_after_start: last === null || f.time === 0 ? null : Math.round((f.time - last) / 1000),
      };
    });
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const seconds = option(args, '--seconds', 300);
  const hostCount = option(args, '--hosts', 10);
  const killEveryMs = option(args, '--kill-every', 30) * 1000;
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-bench-discovery-load-'));
  const graph = await openBenchGraph();
  const cma = await startCma(benchCmaConfig(graph.uri, path.join(home, 'cma'), true), silentLogger);
  const service = cma.membership;
  const stateRoot = path.join(home, 'nanoprobes');
  // Debug: the nanoprobes' per-minute load figures are logged at debug unless slow.
  const fleet = new NanoprobeFleet({ host: '127.0.0.1', port: service.address.port }, stateRoot, 'debug');
  const members = loopbackFleet(hostCount, 2, 'load');
  /** when each host was started, first and after every kill (ms since the epoch) */
  const startedAt = new Map<string, number[]>();
  const keyOf = (hostname: string): string | undefined => service.peers.all().find((p) => p.hostname === hostname)?.keyid;
  const statusOf = (hostname: string): string => {
    const key = keyOf(hostname);
    return key === undefined ? 'unknown' : service.membership.status(key);
  };
  const detectMs: number[] = [];
  let missed = 0;
  let kills = 0;
  const falseDeaths: string[] = [];
  let killed: string | null = null;
  // Any host seen dead that nobody killed is a false death (sampled every 100 ms).
  const wasDead = new Set<string>();
  const watch = setInterval(() => {
    for (const m of members) {
      const dead = statusOf(m.hostname) === 'dead';
      if (dead && !wasDead.has(m.hostname) && m.hostname !== killed) falseDeaths.push(m.hostname);
      if (dead) wasDead.add(m.hostname);
      else wasDead.delete(m.hostname);
    }
  }, 100);
  try {
    for (const m of members) {
      fleet.start(m);
      startedAt.set(m.hostname, [Date.now()]);
    }
    const joinDeadline = Date.now() + 120_000;
    while (!members.every((m) => statusOf(m.hostname) === 'live')) {
      if (Date.now() > joinDeadline) throw new Error('the fleet did not join within 120 s');
      await sleep(100);
    }
    progress(`${hostCount} nanoprobes joined; killing one every ${killEveryMs / 1000} s for ${seconds} s`);
    const endAt = Date.now() + seconds * 1000;
    let next = 0;
    while (Date.now() < endAt) {
      const victim = members[next++ % members.length]!;
      // The first kill comes at once: the hosts have just joined and every script is running.
      killed = victim.hostname;
      kills++;
      const killedAt = performance.now();
      await fleet.kill(victim.hostname, 'SIGKILL');
      while (statusOf(victim.hostname) !== 'dead' && performance.now() - killedAt < MISSED_AFTER_MS) await sleep(20);
      if (statusOf(victim.hostname) === 'dead') detectMs.push(performance.now() - killedAt);
      else missed++;
      progress(`kill ${kills}: ${victim.hostname} ${statusOf(victim.hostname) === 'dead' ? `declared dead after ${((performance.now() - killedAt) / 1000).toFixed(1)} s` : 'MISSED'}`);
      fleet.start(victim);
      startedAt.set(victim.hostname, [...(startedAt.get(victim.hostname) ?? []), Date.now()]);
      const backBy = Date.now() + 60_000;
      while (statusOf(victim.hostname) !== 'live' && Date.now() < backBy) await sleep(100);
      killed = null;
      const wait = killEveryMs - (performance.now() - killedAt);
      if (wait > 0) await sleep(Math.min(wait, Math.max(0, endAt - Date.now())));
    }
  } finally {
    clearInterval(watch);
    await fleet.stopAll();
  }
  const counts = service.counts();
  await cma.stop();
  await graph.close();
  const figures = loadFigures(stateRoot, members.map((m) => m.hostname));
  const fleetStarted = Math.min(...members.map((m) => startedAt.get(m.hostname)?.[0] ?? Infinity));
  const steady = figures.filter((f) => f.time > fleetStarted + FLEET_START_MINUTE_MS);
  rmSync(home, { recursive: true, force: true });
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v) / 1000);
  return {
    bench: 'discovery-load',
    seconds,
    hosts: hostCount,
    kills,
    missed_deaths: missed,
    detect_s_p50: round(percentile(detectMs, 50)),
    detect_s_p99: round(percentile(detectMs, 99)),
    detect_s_max: round(percentile(detectMs, 100)),
    false_deaths: falseDeaths.length,
    false_death_hosts: falseDeaths,
    hb_lateness_p99_ms: percentile(figures.map((f) => f.heartbeatLatenessP99Ms), 99),
    event_loop_delay_p99_ms: percentile(figures.map((f) => f.eventLoopDelayP99Ms), 99),
    event_loop_delay_p50_ms: percentile(figures.map((f) => f.eventLoopDelayP99Ms), 50),
    hb_lateness_p50_ms: percentile(figures.map((f) => f.heartbeatLatenessP99Ms), 50),
    // Without the minute in which the whole fleet started at once (ten nanoprobes and every script of
    // each on 2 cores): the load a running fleet sees, kills and restarts included.
    steady_hb_lateness_p99_ms: percentile(steady.map((f) => f.heartbeatLatenessP99Ms), 99),
    steady_event_loop_delay_p99_ms: percentile(steady.map((f) => f.eventLoopDelayP99Ms), 99),
    steady_load_reports: steady.length,
    worst_minutes: worstMinutes(figures, startedAt),
    load_reports: figures.length,
    discovery_results: counts.received_DISCOVERY_RESULT ?? 0,
    membership_write_retries: counts.membership_write_retries ?? 0,
    false_deaths_undone: counts.false_deaths_undone ?? 0,
    slow_host_graces: counts.slow_host_graces ?? 0,
    late_probe_answers: counts.late_probe_answers ?? 0,
  };
}
