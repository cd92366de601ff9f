import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../common/project-package';

export type FleetMember = {
  hostname: string;
  /** Loopback address the nanoprobe binds and announces (127.x.y.z: several segments on one machine). */
  ip: string;
  prefixLength: number;
};

type Running = { member: FleetMember; child: ChildProcess; output: string; logFile: WriteStream };

/**
 * Real nanoprobe processes (`unimatrix nanoprobe`) on loopback, for the demo, the tests and the
 * benchmarks: each binds its own 127.x address, so hosts in 127.1/16 and 127.2/16 form two subnets
 * on one machine without root. Every process is killed when the fleet stops or this process exits.
 * Each one's output is also appended to `<stateRoot>/<hostname>/nanoprobe.log`, so what a host saw
 * can be read after the fact (the log level comes from UNIMATRIX_NANOPROBE_LOG_LEVEL, default warn).
 */
export class NanoprobeFleet {
  private readonly running = new Map<string, Running>();
  private readonly onExit = (): void => {
    for (const r of this.running.values()) r.child.kill('SIGKILL');
  };

  constructor(
    private readonly cma: { host: string; port: number },
    private readonly stateRoot: string,
    private readonly logLevel = process.env.UNIMATRIX_NANOPROBE_LOG_LEVEL ?? 'warn',
  ) {
    process.on('exit', this.onExit);
  }

  static cliPath(): string {
    const cli = path.join(projectRoot(), 'dist', 'cli', 'unimatrix.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    return cli;
  }

  start(member: FleetMember): void {
    if (this.running.has(member.hostname)) throw new Error(`${member.hostname} is already running`);
    const stateDir = path.join(this.stateRoot, member.hostname);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const args = [
      NanoprobeFleet.cliPath(),
      'nanoprobe',
      '--cma', `${this.cma.host}:${this.cma.port}`,
      '--hostname', member.hostname,
      '--bind', member.ip,
      '--address', `${member.ip}/${member.prefixLength}`,
      '--state-dir', stateDir,
      '--log-level', this.logLevel,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const logFile = createWriteStream(path.join(stateDir, 'nanoprobe.log'), { flags: 'a' });
    const entry: Running = { member, child, output: '', logFile };
    const keep = (chunk: Buffer): void => {
      entry.output = (entry.output + chunk.toString()).slice(-20_000);
      logFile.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      logFile.end();
      if (this.running.get(member.hostname) === entry) this.running.delete(member.hostname);
    });
    this.running.set(member.hostname, entry);
  }

  has(hostname: string): boolean {
    return this.running.has(hostname);
  }

  pid(hostname: string): number | undefined {
    return this.running.get(hostname)?.child.pid;
  }

  output(hostname: string): string {
    return this.running.get(hostname)?.output ?? '';
  }

  /** Sends a signal and waits for the process to end; returns its exit code (null when signalled). */
  async kill(hostname: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const entry = this.running.get(hostname);
    if (!entry) throw new Error(`${hostname} is not running`);
    const started = Date.now();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      entry.child.once('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    entry.child.kill(signal);
    const result = await exited;
    return { ...result, ms: Date.now() - started };
  }

  /**
   * Stops every nanoprobe the way an operator would: SIGTERM, so each leaves its rings (the graph then
   * holds it as left and the next start of the CMA has nobody stale to greet); SIGKILL for any that
   * has not exited within `graceMs` (a nanoprobe exits within 2 s of SIGTERM).
   */
  async stopAll(graceMs = 3_000): Promise<void> {
    await Promise.all(
      [...this.running.entries()].map(async ([hostname, entry]) => {
        if (entry.child.exitCode !== null || entry.child.signalCode !== null) return;
        const timer = setTimeout(() => entry.child.kill('SIGKILL'), graceMs);
        try {
          await this.kill(hostname, 'SIGTERM');
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    process.off('exit', this.onExit);
  }
}

/** `count` loopback hosts spread over `segments` subnets 127.<s+1>.0.0/16. */
export function loopbackFleet(count: number, segments: number, prefix = 'node'): FleetMember[] {
  return Array.from({ length: count }, (_, i) => {
    const segment = i % segments;
    return { hostname: `${prefix}${String(i + 1).padStart(2, '0')}`, ip: `127.${segment + 1}.0.${Math.floor(i / segments) + 10}`, prefixLength: 16 };
  });
}
