/**
 * lldpd inside lab namespaces. Each instance has its own control socket, pid file and configuration
 * file under the lab directory; the configuration (system name, a 1 s transmit interval, …) is applied
 * by lldpd through lldpcli before it sends its first frame, so neighbours never see the machine's
 * shared hostname. lldpcli reaches the socket through the file system from any namespace.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { mustRun } from './command';
import { LabProcess } from './lab-process';
import { parseLldpNeighbors, parseLocalChassisName, type LldpNeighbor } from './lldp-json';
import { StopWaiting, waitFor } from './wait';

export interface LldpdOptions {
  labId: string;
  ns: string;
  /** Directory for the socket, pid file, configuration and log (the lab directory). */
  dir: string;
  /** File-name stem, unique in the lab: the node name. */
  node: string;
  /** The LLDP system name (chassis name) to advertise. */
  systemName: string;
  /** Seconds between LLDP frames; default 1 so tests see neighbours within seconds. */
  txIntervalS?: number;
  /** "ifname" makes the port id the interface name (lab switches use it: hosts see "swp3"). */
  portIdSubtype?: 'ifname' | 'macaddress';
  /** Only these interfaces, as an lldpd pattern ("swp*"). */
  interfacePattern?: string;
  /** Hostname of the process's own UTS namespace. */
  hostname?: string;
  description?: string;
}

/** What to wait for; every field given must match. */
export interface NeighborMatch {
  localInterface?: string;
  chassisName?: string;
  portId?: string;
}

export function matchesNeighbor(n: LldpNeighbor, match: NeighborMatch): boolean {
  return (
    (match.localInterface === undefined || n.localInterface === match.localInterface) &&
    (match.chassisName === undefined || n.chassisName === match.chassisName) &&
    (match.portId === undefined || n.portId === match.portId)
  );
}

export class LldpDaemon {
  constructor(
    readonly node: string,
    readonly socket: string,
    readonly process: LabProcess,
  ) {}

  /** Runs lldpcli against this daemon's socket and returns its output. */
  lldpcli(args: string[]): Promise<string> {
    return mustRun('lldpcli', ['-u', this.socket, ...args], { timeoutMs: 10_000 });
  }

  /** `lldpcli configure …`, e.g. configure('system', 'hostname', 'sw9'). */
  async configure(...words: string[]): Promise<void> {
    await this.lldpcli(['configure', ...words]);
  }

  async neighbors(): Promise<LldpNeighbor[]> {
    return parseLldpNeighbors(JSON.parse(await this.lldpcli(['-f', 'json0', 'show', 'neighbors', 'details'])));
  }

  async systemName(): Promise<string | undefined> {
    return parseLocalChassisName(JSON.parse(await this.lldpcli(['-f', 'json0', 'show', 'chassis'])));
  }

  /** Resolves with the first neighbour matching `match`; rejects if lldpd dies or time runs out. */
  async waitForNeighbor(match: NeighborMatch, timeoutMs = 20_000): Promise<LldpNeighbor> {
    let seen: LldpNeighbor[] = [];
    try {
      return await waitFor(
        `${this.node}'s lldpd to see ${JSON.stringify(match)}`,
        async () => {
          if (!this.process.running) throw new StopWaiting(this.process.failure('exited'));
          seen = await this.neighbors();
          return seen.find((n) => matchesNeighbor(n, match));
        },
        { timeoutMs, intervalMs: 250 },
      );
    } catch (err) {
      const summary = seen.map((n) => `${n.localInterface}: ${n.chassisName ?? n.chassisId} port ${n.portId}`);
      throw new Error(`${(err as Error).message}; neighbours seen: ${summary.join(', ') || 'none'}`);
    }
  }

  stop(): Promise<unknown> {
    return this.process.stop();
  }
}

/** Quotes a word for lldpcli's configuration-file parser. */
function quote(word: string): string {
  return /^[A-Za-z0-9_.*:-]+$/.test(word) ? word : `"${word.replace(/["\\]/g, '')}"`;
}

/**
 * Starts lldpd in the foreground (so it stays our child) and waits until it answers on its socket
 * with the configured system name. `track` registers the process with the lab before anything can
 * fail, so teardown always finds it.
 */
export async function startLldpd(options: LldpdOptions, track: (p: LabProcess) => void): Promise<LldpDaemon> {
  const file = (ext: string): string => path.join(options.dir, `${options.node}.lldpd.${ext}`);
  const config = [
    `configure system hostname ${quote(options.systemName)}`,
    `configure lldp tx-interval ${options.txIntervalS ?? 1}`,
    ...(options.portIdSubtype ? [`configure lldp portidsubtype ${options.portIdSubtype}`] : []),
    ...(options.interfacePattern ? [`configure system interface pattern ${quote(options.interfacePattern)}`] : []),
  ];
  writeFileSync(file('conf'), `${config.join('\n')}\n`);
  const args = ['-d', '-u', file('sock'), '-p', file('pid'), '-O', file('conf')];
  if (options.description) args.push('-S', options.description);
  const child = new LabProcess({
    labId: options.labId,
    ns: options.ns,
    command: 'lldpd',
    args,
    label: `lldpd on ${options.node}`,
    ...(options.hostname ? { hostname: options.hostname } : {}),
  });
  track(child);
  const daemon = new LldpDaemon(options.node, file('sock'), child);
  await waitFor(
    `lldpd on ${options.node} to answer as "${options.systemName}"`,
    async () => {
      if (!child.running) throw new StopWaiting(child.failure('exited during start'));
      return (await daemon.systemName()) === options.systemName ? true : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return daemon;
}
