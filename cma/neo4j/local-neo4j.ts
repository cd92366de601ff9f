import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { removePidFile, writePidFile } from './pid-file';
import { ensureNeo4jRuntime } from './runtime-files';
import { Logger, silentLogger } from '../../common/logger';

export type LocalNeo4jOptions = {
  /** Data folder; created when missing. */
  home: string;
  /** Bolt port on 127.0.0.1; 0 lets the launcher pick a free one. */
  port?: number;
  heapMb?: number;
  pagecache?: string;
  /**
   * Ties the JVM's life to this process: it exits when this process is gone, even after a SIGKILL.
   * Off only for `unimatrix neo4j start`, which leaves the database running on purpose.
   */
  tiedToThisProcess?: boolean;
  detached?: boolean;
  startTimeoutMs?: number;
  log?: Logger;
};

const READY = /UNIMATRIX-NEO4J READY (bolt:\/\/\S+)/;

/** Every JVM this process started, so an exit of this process takes them down too. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
}

/** A Neo4j Community DBMS embedded in a JVM that this project starts and stops itself. */
export class LocalNeo4j {
  private stopping = false;
  private readonly exitListeners: Array<(how: string) => void> = [];

  private constructor(
    readonly uri: string,
    readonly pid: number,
    readonly home: string,
    private readonly child: ChildProcess,
    private readonly log: Logger,
  ) {
    child.once('exit', (code, signal) => {
      removePidFile(home, pid);
      if (this.stopping) return;
      const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
      for (const listener of this.exitListeners) listener(how);
    });
  }

  /** The JVM ended without being asked to (killed, crashed, stopped by `unimatrix neo4j stop`). */
  onUnexpectedExit(listener: (how: string) => void): void {
    this.exitListeners.push(listener);
  }

  /** The Bolt port it listens on (to start it again where clients look for it). */
  get port(): number {
    return Number(new URL(this.uri).port);
  }

  static async start(options: LocalNeo4jOptions): Promise<LocalNeo4j> {
    const log = options.log ?? silentLogger;
    const runtime = await ensureNeo4jRuntime(log);
    mkdirSync(options.home, { recursive: true });
    const args = [
      `-Xmx${options.heapMb ?? 1024}m`,
      '-XX:+UseG1GC',
      '-cp',
      runtime.classpath,
      runtime.mainClass,
      '--home',
      options.home,
      '--port',
      String(options.port ?? 0),
      '--pagecache',
      options.pagecache ?? '256m',
    ];
    if (options.tiedToThisProcess !== false) args.push('--watch-parent', String(process.pid));

    const child = spawn('java', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    if (child.pid === undefined) throw new Error('cannot start java for the local Neo4j (is Java 17 installed?)');
    running.add(child);
    installExitHook();
    child.on('exit', () => running.delete(child));

    const uri = await waitForReadyLine(child, options.startTimeoutMs ?? 180_000, options.home);
    const db = new LocalNeo4j(uri, child.pid, options.home, child, log);
    await db.waitUntilConnectable(options.startTimeoutMs ?? 180_000);
    writePidFile({ pid: child.pid, uri, home: options.home, startedBy: options.tiedToThisProcess === false ? 'neo4j start' : 'cma', ownerPid: process.pid });
    log.info({ uri, pid: child.pid, home: options.home }, 'local neo4j ready');
    return db;
  }

  /** Checks with the driver itself, as every client will connect. */
  private async waitUntilConnectable(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const driver = neo4j.driver(this.uri);
    try {
      for (;;) {
        try {
          await driver.verifyConnectivity();
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`local neo4j at ${this.uri} not connectable: ${String(err)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      await driver.close();
    }
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Clean shutdown (SIGTERM, the launcher checkpoints and closes); SIGKILL after the grace period. */
  async stop(graceMs = 60_000): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.log.warn({ pid: this.pid }, 'local neo4j did not stop in time; killing it');
      this.child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Simulates a crash (tests): no checkpoint, no goodbye. */
  async kill(): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Lets this process exit while the JVM goes on (only with tiedToThisProcess: false, detached). */
  release(): void {
    this.stopping = true;
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.child.unref();
    running.delete(this.child);
  }
}

function waitForReadyLine(child: ChildProcess, timeoutMs: number, home: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`local neo4j gave no ready line within ${timeoutMs} ms:\n${errors.slice(-4000)}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = READY.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
        seen = '';
      } else if (seen.length > 100_000) {
        seen = seen.slice(-1000);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-20_000);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(describeStartFailure(`${code ?? signal}`, errors, home)));
    });
  });
}

/**
 * Why the JVM exited before it was ready, in words a user can act on: the known causes by name, else
 * the exception and its root cause (not 40 lines of Java stack).
 */
export function describeStartFailure(exit: string, stderr: string, home: string): string {
  if (/FileLockException|has been locked by another process/.test(stderr)) {
    return `the Neo4j data folder ${home} is locked by another process (another CMA, or \`unimatrix neo4j start\`, is using it): stop that one or choose another neo4j.local.home`;
  }
  if (/Address already in use|BindException/.test(stderr)) {
    return `local neo4j could not bind its Bolt port (already in use): choose another neo4j.local.port`;
  }
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at '));
  const first = lines.find((l) => /Exception|Error/.test(l));
  const causes = lines.filter((l) => l.startsWith('Caused by:'));
  const root = causes[causes.length - 1];
  const summary = [first, root].filter((l): l is string => l !== undefined && l !== '').join('\n  ');
  return `local neo4j exited (${exit}) before it was ready${summary ? `:\n  ${summary}` : ''}`;
}
