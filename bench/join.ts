import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { NanoprobeFleet } from '../cli/demo/nanoprobe-fleet';
import { startCma } from '../cma/cma-service';
import { silentLogger } from '../common/logger';
import { benchCmaConfig, cpuMsSince, openBenchGraph } from './support/bench-graph';

/**
 * The real CMA (in this process) with the real Neo4j, and N real nanoprobes on loopback (several per
 * child process, the real daemon code): seconds until all are joined and ringed, CMA CPU per join;
 * then one ordinary `unimatrix nanoprobe` process joins the fleet and its idle RSS and CPU are
 * measured at steady state (4 partners, 1 Hz heartbeats).
 *
 *   npm run bench -- join [--n 1000] [--per-process 250] [--segments 20] [--warmup-seconds 30] [--idle-seconds 30]
 */
function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const CLOCK_TICKS = 100;

function pick(values: Record<string, number>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]!]));
}

function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function procRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const n = option(args, '--n', 1000);
  const perProcess = option(args, '--per-process', 250);
  const segments = option(args, '--segments', 20);
  const idleSeconds = option(args, '--idle-seconds', 30);
  const warmupSeconds = option(args, '--warmup-seconds', 30);
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-bench-join-'));
  const graph = await openBenchGraph();
  // Joining is measured; a thousand "hosts" on one machine must not all run discovery scripts.
  const config = benchCmaConfig(graph.uri, path.join(home, 'cma'), false);
  const cma = await startCma(config, silentLogger);
  const cmaAddress = `127.0.0.1:${cma.membership.address.port}`;
  const swarm: ChildProcess[] = [];
  const readyAt: number[] = [];
  const fleet = new NanoprobeFleet({ host: '127.0.0.1', port: cma.membership.address.port }, path.join(home, 'np'));
  try {
    const swarmScript = path.join(__dirname, 'support', 'nanoprobe-swarm.js');
    const cpu = process.cpuUsage();
    const started = Date.now();
    for (let first = 0; first < n; first += perProcess) {
      const child = spawn(process.execPath, [swarmScript, cmaAddress, String(first), String(Math.min(perProcess, n - first)), String(segments)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // Each swarm prints READY once all its nanoprobes have started (keys made, sockets bound).
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('READY')) readyAt.push(Date.now() - started);
      });
      swarm.push(child);
    }
    // When the joined count crossed each tenth of the fleet: where the time goes.
    const milestones: Record<string, number> = {};
    const deadline = started + 180_000;
    while (cma.membership.membership.ringSet.size < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const tenth = Math.floor((cma.membership.membership.ringSet.size * 10) / n) * 10;
      if (tenth > 0 && milestones[`${tenth}%`] === undefined) milestones[`${tenth}%`] = (Date.now() - started) / 1000;
    }
    await cma.membership.idle();
    const joinAllS = (Date.now() - started) / 1000;
    const cmaCpuMs = cpuMsSince(cpu);
    const live = cma.membership.membership.ringSet.size;
    const audit = cma.membership.membership.audit();
    process.stderr.write(`${live}/${n} joined and ringed in ${joinAllS.toFixed(1)} s; audit violations: ${audit.length}\n`);
    if (readyAt.length !== swarm.length) throw new Error(`only ${readyAt.length} of ${swarm.length} swarm processes said READY`);
    process.stderr.write(`CMA counters: ${JSON.stringify(cma.membership.counts())}\n`);
    process.stderr.write(`swarm processes ready at ${readyAt.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s; joined by: ${JSON.stringify(milestones)}\n`);

    // One ordinary nanoprobe process in the fleet, measured once it has its partners.
    fleet.start({ hostname: 'idle-probe', ip: '127.10.250.250', prefixLength: 16 });
    // V8 needs tens of seconds to compile the heartbeat paths and its memory reducer first shrinks
    // the heap ~10 s in; measured earlier, the figures are the start-up's, not the steady state's.
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    const pid = fleet.pid('idle-probe');
    if (pid === undefined) throw new Error(`the measured nanoprobe exited: ${fleet.output('idle-probe')}`);
    const cpuBefore = procCpuMs(pid);
    const wallBefore = Date.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const cpuPct = ((procCpuMs(pid) - cpuBefore) / (Date.now() - wallBefore)) * 100;
    const rssMb = procRssMb(pid);
    const partners = cma.membership.membership.ringSet.partnersOf(
      [...cma.membership.peers.all()].find((p) => p.hostname === 'idle-probe')?.keyid ?? '',
    ).length;

    return {
      bench: 'join',
      n,
      joined: live,
      join_all_s: Number(joinAllS.toFixed(2)),
      cma_cpu_ms_per_join: Number((cmaCpuMs / n).toFixed(2)),
      audit_violations: audit.length,
      nanoprobe_rss_mb: Number(rssMb.toFixed(1)),
      nanoprobe_cpu_pct: Number(cpuPct.toFixed(3)),
      nanoprobe_partners: partners,
      cma_counters: pick(cma.membership.counts(), ['received_ANNOUNCE', 'announce_accepted', 'announce_repeated', 'config_sent', 'transport_retransmits', 'transport_received_datagrams']),
      // The load generator's own start-up (four Node processes making 250 key pairs each) is in
      // join_all_s; this is the part after every nanoprobe had started.
      swarm_ready_s: Number((Math.max(...readyAt) / 1000).toFixed(2)),
      join_after_swarm_ready_s: Number((joinAllS - Math.max(...readyAt) / 1000).toFixed(2)),
      joined_by_s: milestones,
      nanoprobes_per_process: perProcess,
      segments,
    };
  } finally {
    for (const child of swarm) child.kill('SIGKILL');
    await fleet.stopAll();
    await cma.stop();
    await graph.close();
    rmSync(home, { recursive: true, force: true });
  }
}
