/**
 * `npm run bench -- poller-sessions [--devices 1000] [--interval-s 1] [--seconds 30] [--connect-concurrency 32] [--parse 1]`:
 * one SessionPool in this process holding a persistent SSH session to each of N emulated devices
 * (mixed platforms, poller/emulator/fleet.ts), polling `show version` on each once per interval and
 * parsing it with the ntc-templates index (unless `--parse 0`).
 *
 * The emulator runs in a child process (`runEmulator`, as `unimatrix emulator` runs it), so this
 * process's CPU, RSS and event-loop delay are the poller's alone; the emulator's CPU and RSS are
 * reported beside them. On a 2-core machine the two share the cores.
 *
 * Figures: connect_s (start() until every first login settled), then over the measuring window
 * (after all sessions are open): polls_per_s (commands answered), poll latency p50/p99 (queue wait
 * included), failures by code, rss_mb, cpu_ms_per_poll and the event loop's p99 delay.
 */
import { startEmulatorChild, type EmulatorChild, type ListedDevice } from './support/emulator-child';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sampleProcess } from '../nanoprobe/testing/process-usage';
import { fingerprintOfPublicKey } from '../poller/session/host-key';
import type { PlatformId } from '../poller/session/platforms';
import { SessionPool, type PollResult } from '../poller/session/session-pool';
import { TemplateLibrary } from '../poller/textfsm';
import { projectRoot } from '../common/project-package';

const progress = (message: string): void => void process.stderr.write(`[poller-sessions] ${message}\n`);
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

function option(args: string[], name: string, fallback: number, min = 1): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return value;
}

type Listed = ListedDevice & { platform: PlatformId };
type Child = EmulatorChild & { devices: Listed[] };

/** Starts the emulator in a child process (bench/support/emulator-child.ts). */
async function startEmulator(devices: number): Promise<Child> {
  return (await startEmulatorChild({ devices }, 'poller-sessions')) as Child;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const deviceCount = option(args, 'devices', 1000);
  const intervalS = option(args, 'interval-s', 1, 0.01);
  const seconds = option(args, 'seconds', 30);
  const concurrency = option(args, 'connect-concurrency', 32);
  const parse = option(args, 'parse', 1, 0) !== 0;

  progress(`starting ${deviceCount} emulated devices in a child process`);
  const emulator = await startEmulator(deviceCount);
  const fingerprint = fingerprintOfPublicKey(emulator.hostKey);
  const templates = new TemplateLibrary(path.join(projectRoot(), 'test', 'fixtures', 'ntc-templates', 'templates'));

  let measuring = false;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let answered = 0;
  let parseFailures = 0;
  const onResult = (r: PollResult): void => {
    if (!measuring) return;
    latencies.push(r.durationMs);
    if (r.ok) {
      answered += 1;
      if (r.parseError || (parse && r.records?.length !== 1)) parseFailures += 1;
    } else failures[r.error.code] = (failures[r.error.code] ?? 0) + 1;
  };
  const pool = new SessionPool({ intervalMs: intervalS * 1000, maxConcurrentConnects: concurrency, templates, onResult, session: { commandTimeoutMs: 30_000 } });
  for (const d of emulator.devices) {
    pool.add({
      name: d.name,
      platform: d.platform,
      target: { host: d.host, port: d.port, username: d.login, password: 'admin', hostKey: { fingerprint } },
      commands: [parse ? { command: 'show version', parse: 'index' } : { command: 'show version' }],
    });
  }

  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  try {
    progress(`opening ${deviceCount} sessions, ${concurrency} at a time`);
    const t0 = performance.now();
    const summary = await pool.start();
    const connectS = (performance.now() - t0) / 1000;
    progress(`${summary.ready} sessions ready in ${round(connectS, 2)} s (${summary.failed} failed); measuring for ${seconds} s`);

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const emu0 = sampleProcess(emulator.pid);
    const overruns0 = pool.stats().overruns;
    const w0 = performance.now();
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    measuring = false;
    const windowS = (performance.now() - w0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const emu1 = sampleProcess(emulator.pid);
    loop.disable();
    const rss = process.memoryUsage().rss / 2 ** 20;
    const stats = pool.stats();
    latencies.sort((a, b) => a - b);
    const cpuMs = (cpu.user + cpu.system) / 1000;

    return {
      bench: 'poller-sessions',
      emulator: 'child process (its CPU and RSS are not in rss_mb / cpu_ms_per_poll)',
      devices: deviceCount,
      interval_s: intervalS,
      parse,
      connect_concurrency: concurrency,
      sessions_open: stats.states.ready,
      connect_s: round(connectS, 2),
      connect_failed: summary.failed,
      window_s: round(windowS, 2),
      polls: answered,
      polls_per_s: round(answered / windowS),
      expected_polls_per_s: round(deviceCount / intervalS),
      poll_latency_p50_ms: round(percentile(latencies, 50), 2),
      poll_latency_p99_ms: round(percentile(latencies, 99), 2),
      failures,
      parse_failures: parseFailures,
      // Rounds skipped in the window; during the connect phase polls wait on their logins and skip.
      overruns: stats.overruns - overruns0,
      overruns_while_connecting: overruns0,
      rss_before_mb: round(rssBefore),
      rss_mb: round(rss),
      rss_kb_per_session: round(((rss - rssBefore) * 1024) / Math.max(1, stats.states.ready)),
      cpu_ms_per_poll: round(cpuMs / Math.max(1, answered), 3),
      cpu_pct: round((100 * cpuMs) / (windowS * 1000)),
      event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 2),
      emulator_cpu_pct: round((100 * (emu1.cpuMs - emu0.cpuMs)) / (emu1.at - emu0.at)),
      emulator_rss_mb: round(emu1.rssMb),
    };
  } finally {
    await pool.stop();
    await emulator.stop();
  }
}
