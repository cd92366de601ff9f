/**
 * `npm run bench -- nanoprobe-idle [--seconds 60] [--warmup 60]`: the cost of one ordinary nanoprobe
 * at steady state. A real nanoprobe process joins a minimal CMA built from the protocol pieces and gets
 * 4 ring partners (nanoprobes in this process) that heartbeat it at 1 Hz, as it heartbeats them. After
 * a warm-up its CPU time and RSS are read from /proc over a window. Measured twice: started as
 * `unimatrix nanoprobe` (the CLI, which also loads the CMA's commands) and as the standalone entry
 * `dist/nanoprobe/main.js`. In the same run and the same way, a bare Node.js process with one 1 s timer
 * is measured: the floor any Node daemon pays. Each nanoprobe is then stopped with SIGTERM (LEAVE,
 * acknowledgement, exit). Targets (issue #4): ≤ 60 MB RSS, ≤ 0.5% of a core.
 *
 * Why a long warm-up: at 4 heartbeats a second each way, the hot paths (codec, sealing) run only a
 * few hundred times a minute, so V8 takes a minute or two to compile them; the first minute costs
 * about twice the CPU of the steady state, and V8's memory reducer first shrinks the heap ~10 s in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Nanoprobe } from '../nanoprobe/daemon';
import { silentLogger } from '../nanoprobe/logger';
import { startNanoprobe } from '../nanoprobe/start';
import { CmaTestPeer } from '../nanoprobe/testing/cma-test-peer';
import { cpuPercent, sampleProcess, type ProcessSample } from '../nanoprobe/testing/process-usage';

const PARTNERS = 4;
const TIMING = { heartbeatIntervalMs: 1000, warnTimeMs: 2500, deadTimeMs: 4500 };

const progress = (message: string): void => void process.stderr.write(`[nanoprobe-idle] ${message}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** A compiled file next to this one (dist/bench → dist/…). */
function compiled(...parts: string[]): string {
  const file = path.join(__dirname, '..', ...parts);
  if (!existsSync(file)) throw new Error(`${file} not found: run the compiled benchmark (npm run bench -- nanoprobe-idle)`);
  return file;
}

type Measured = { cpuPct: number; rssMb: number; medianRssMb: number; peakRssMb: number };

/** CPU over the window; RSS sampled every 2 s: the largest sample (the honest figure for a cap) and the median. */
async function measure(pid: number, seconds: number): Promise<Measured> {
  const first = sampleProcess(pid);
  let last: ProcessSample = first;
  const rss = [first.rssMb];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    await sleep(Math.min(2_000, Math.max(0, deadline - performance.now())));
    last = sampleProcess(pid);
    rss.push(last.rssMb);
  }
  rss.sort((a, b) => a - b);
  return { cpuPct: cpuPercent(first, last), rssMb: rss[rss.length - 1] ?? NaN, medianRssMb: rss[Math.floor(rss.length / 2)] ?? NaN, peakRssMb: last.peakRssMb };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
}

type Scenario = { cma: CmaTestPeer; partners: Nanoprobe[]; dir: string; warmup: number; seconds: number };

/** One nanoprobe process started with `argv`, heartbeating the partners, measured, then stopped. */
async function runNanoprobe(s: Scenario, name: string, argv: string[], version: number): Promise<Record<string, number | boolean | null>> {
  const { cma, partners } = s;
  progress(`${name}: node ${argv.map((a) => path.relative(process.cwd(), a) || a).join(' ')} with ${PARTNERS} partners at 1 Hz`);
  const child = spawn(process.execPath, [...argv, '--state-dir', path.join(s.dir, name), '--hostname', name, '--cma', cma.cmaFlag, '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    child.stdout!.resume(); // its JSON log, drained as a log collector would
    const measured = await cma.waitForHost(name, 60_000);
    const hosts = await Promise.all(partners.map((p) => cma.waitForHost(p.hostname)));
    await cma.send(measured, 'CONFIG', { configVersion: 1, ...TIMING, partners: hosts.map((h) => cma.partnerOf(h)) });
    await Promise.all(hosts.map((h) => cma.send(h, 'CONFIG', { configVersion: version, ...TIMING, partners: [cma.partnerOf(measured)] })));
    progress(`${name}: warming up ${s.warmup} s, then measuring ${s.seconds} s`);
    await sleep(s.warmup * 1000);
    const reportsBefore = cma.messages('PARTNER_REPORT').length;
    const heardBefore = partners.map((p) => p.status().partners[0]?.heartbeatsHeard ?? 0);
    const usage = await measure(child.pid ?? -1, s.seconds);
    const heard = partners.map((p, i) => (p.status().partners[0]?.heartbeatsHeard ?? 0) - (heardBefore[i] ?? 0));
    const reports = cma.messages('PARTNER_REPORT').length - reportsBefore;

    const exited = exitOf(child);
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    const exit = await exited;
    return {
      rss_mb: round(usage.rssMb, 1),
      median_rss_mb: round(usage.medianRssMb, 1),
      /** VmHWM: the largest RSS since the process started (module loading at start-up included). */
      peak_rss_mb: round(usage.peakRssMb, 1),
      cpu_pct: round(usage.cpuPct, 3),
      heartbeats_heard_per_partner_per_s: round(heard.reduce((a, b) => a + b, 0) / heard.length / s.seconds, 3),
      partner_reports_while_idle: reports,
      stop_ms: round(exit.at - signalledAt, 0),
      exit_code: exit.code,
      leave_received: cma.messages('LEAVE').some((m) => m.peer === measured.keyId),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

async function bareNode(s: Scenario): Promise<Measured> {
  progress('bare Node.js process with a 1 s timer, measured the same way');
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(Math.min(s.warmup, 5) * 1000);
    return await measure(child.pid ?? -1, Math.min(s.seconds, 30));
  } finally {
    child.kill('SIGKILL');
  }
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-bench-idle-'));
  const cma = await CmaTestPeer.start();
  const partners: Nanoprobe[] = [];
  try {
    for (let i = 0; i < PARTNERS; i++) {
      const config = { stateDir: path.join(dir, `p${i}`), hostname: `partner-${i}`, cma: cma.cmaFlag, bind: { host: '127.0.0.1' } };
      partners.push(await startNanoprobe({ config, logger: silentLogger }));
    }
    const scenario: Scenario = { cma, partners, dir, warmup: option(args, 'warmup', 60), seconds: option(args, 'seconds', 60) };
    const cli = await runNanoprobe(scenario, 'via-cli', [compiled('cli', 'unimatrix.js'), 'nanoprobe'], 1);
    const standalone = await runNanoprobe(scenario, 'standalone', [compiled('nanoprobe', 'main.js')], 2);
    const bare = await bareNode(scenario);
    return {
      bench: 'nanoprobe-idle',
      partners: PARTNERS,
      heartbeat_hz: 1000 / TIMING.heartbeatIntervalMs,
      window_s: scenario.seconds,
      // The figures for an ordinary nanoprobe: the standalone entry (what a host should run).
      nanoprobe_rss_mb: standalone.rss_mb,
      nanoprobe_cpu_pct: standalone.cpu_pct,
      target_rss_mb: 60,
      target_cpu_pct: 0.5,
      standalone,
      via_cli: cli,
      warmup_s: scenario.warmup,
      bare_node: { rss_mb: round(bare.rssMb, 1), median_rss_mb: round(bare.medianRssMb, 1), peak_rss_mb: round(bare.peakRssMb, 1), cpu_pct: round(bare.cpuPct, 3) },
    };
  } finally {
    await Promise.all(partners.map((p) => p.stop({ leave: false })));
    await cma.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
