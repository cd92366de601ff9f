/**
 * Runs programs through the spawner helper (spawner-main.ts) instead of in the nanoprobe's own
 * process, so that starting one never blocks the event loop that sends and hears heartbeats. Same
 * contract as runChild: `run` resolves with a ChildOutcome and never rejects.
 *
 * The helper is started once, when the spawner is made (the nanoprobe is still idle then), and again
 * after it ended unexpectedly — at most once per `restartCooldownMs`, so a helper that cannot stay up
 * does not turn every run into a fork of the nanoprobe. Runs in flight when it ends are reported as
 * `spawn_failed`, and so are runs asked for while it may not be restarted yet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectPackage } from '../../common/project-package';
import type { ChildOutcome, ChildRunOptions } from './child-runner';
import { asRunOutcome, type RemoteRunOptions, type RunRequestMessage } from './spawner-wire';

export type ChildSpawnerOptions = {
  /** the helper's compiled entry point; default: spawner-main.js of this build */
  helperPath?: string;
  restartCooldownMs?: number;
  /** told when the helper ends or cannot be started */
  onHelperProblem?: (message: string) => void;
  now?: () => number;
};

type Waiting = { resolve: (outcome: ChildOutcome) => void };

/** The compiled helper: beside this file in dist/, or dist/ of the project when running from sources. */
export function defaultHelperPath(): string {
  const sibling = path.join(__dirname, 'spawner-main.js');
  if (existsSync(sibling)) return sibling;
  return path.join(projectPackage().root, 'dist', 'nanoprobe', 'sandbox', 'spawner-main.js');
}

function failedToStart(message: string): ChildOutcome {
  return { kind: 'spawn_failed', message, durationMs: 0, exitCode: null, signal: null, stderr: { text: '', truncated: false } };
}

export class ChildSpawner {
  private helper: ChildProcess | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private lastStartAt = -Infinity;
  private stopped = false;
  private readonly helperPath: string;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  /** helpers started, the first included */
  starts = 0;

  constructor(private readonly options: ChildSpawnerOptions = {}) {
    this.helperPath = options.helperPath ?? defaultHelperPath();
    this.cooldownMs = options.restartCooldownMs ?? 5_000;
    this.now = options.now ?? (() => performance.now());
    if (!existsSync(this.helperPath)) throw new Error(`the spawner helper ${this.helperPath} is missing: run npm run build first`);
    this.startHelper();
  }

  /** The helper's pid while it runs (tests; the processes discovery leaves it out as the nanoprobe's). */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  readonly run = (options: ChildRunOptions): Promise<ChildOutcome> => {
    if (this.stopped) return Promise.resolve(failedToStart('the nanoprobe is stopping'));
    const helper = this.helper ?? this.startHelper();
    if (helper === null) return Promise.resolve(failedToStart('the spawner helper ended and may not be restarted yet'));
    const { onStarted: _onStarted, ...remote } = options;
    const id = this.nextId++;
    const message: RunRequestMessage = { type: 'run', id, options: remote satisfies RemoteRunOptions };
    return new Promise<ChildOutcome>((resolve) => {
      this.waiting.set(id, { resolve });
      try {
        helper.send(message, (err) => {
          if (err) this.settle(id, failedToStart(`could not reach the spawner helper: ${err.message}`));
        });
      } catch (err) {
        this.settle(id, failedToStart(`could not reach the spawner helper: ${(err as Error).message}`));
      }
    });
  };

  /** Ends the helper; it kills whatever it still runs. Runs in flight are reported as failed. */
  stop(): void {
    this.stopped = true;
    const helper = this.helper;
    this.helper = null;
    if (helper?.connected) helper.disconnect();
    this.failAll('the nanoprobe is stopping');
  }

  private startHelper(): ChildProcess | null {
    if (this.now() - this.lastStartAt < this.cooldownMs) return null;
    this.lastStartAt = this.now();
    this.starts += 1;
    // Its own argv, not process.execArgv: flags given to the nanoprobe (profilers, inspectors) are
    // not the helper's.
    const helper = spawn(process.execPath, [this.helperPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.helper = helper;
    helper.on('message', (raw: unknown) => {
      const m = asRunOutcome(raw);
      if (m !== null && m.type === 'outcome') this.settle(m.id, m.outcome);
    });
    helper.on('error', (err) => this.helperEnded(helper, `the spawner helper failed: ${err.message}`));
    helper.on('exit', (code, signal) => this.helperEnded(helper, `the spawner helper ended (${signal ?? `exit ${code}`})`));
    return helper;
  }

  private helperEnded(helper: ChildProcess, message: string): void {
    if (this.helper !== helper) return;
    this.helper = null;
    if (!this.stopped) this.options.onHelperProblem?.(message);
    this.failAll(message);
  }

  private failAll(message: string): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, failedToStart(message));
  }

  private settle(id: number, outcome: ChildOutcome): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    w.resolve(outcome);
  }
}
