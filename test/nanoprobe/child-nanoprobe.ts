/**
 * A real nanoprobe process, started the way an operator would (`unimatrix nanoprobe …`, or the
 * standalone entry nanoprobe/main.ts), from the
 * TypeScript sources through a caching transpile hook (no build step needed). Its JSON log lines are
 * collected so tests can wait for what it says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '..', '..');
const HOOK = path.join(__dirname, 'cached-ts-hook.js');
/** `unimatrix nanoprobe …`, or the standalone entry that loads nothing of the CMA. */
const ENTRIES = {
  cli: [path.join(ROOT, 'cli', 'unimatrix.ts'), 'nanoprobe'],
  standalone: [path.join(ROOT, 'nanoprobe', 'main.ts')],
} as const;

export type LogLine = { level: number; time: number; msg: string; [key: string]: unknown };

export class ChildNanoprobe {
  readonly process: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;

  constructor(args: string[], options: { entry?: keyof typeof ENTRIES; env?: NodeJS.ProcessEnv } = {}) {
    const env = options.env ?? {};
    this.process = spawn(process.execPath, ['-r', HOOK, ...ENTRIES[options.entry ?? 'cli'], ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line (should not happen); ignored
      }
    });
    this.process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  async waitForLog(msg: string, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.find((l) => l.msg === msg);
      if (line !== undefined) return line;
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`nanoprobe exited before logging "${msg}": ${this.stderr.slice(0, 500)}`);
      }
      if (Date.now() > deadline) throw new Error(`nanoprobe did not log "${msg}" within ${timeoutMs} ms; stderr: ${this.stderr.slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the process if it still runs (test cleanup). */
  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}
