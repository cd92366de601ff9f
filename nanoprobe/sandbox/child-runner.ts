/**
 * The one way the nanoprobe runs a program it did not write (discovery scripts now; OCF, LSB and
 * Nagios monitors next): as the leader of its own process group, with the arguments the caller gives,
 * a clean environment (a fixed PATH and locale, only the variables asked for), a timeout that kills
 * the whole group, caps on what it may print, and a nice level. It reports what happened — exited
 * (with its status or signal), could not start, ran past its timeout, printed too much — and leaves
 * the meaning of an exit status to the caller: for a discovery script any non-zero status is a
 * failure, for a monitor it is the result.
 *
 * Why a process group: a program may start helpers (ip, dpkg-query, a shell pipeline); on timeout or
 * overflow the whole group is killed, so nothing is left behind. Why SIGKILL at once: a stuck program
 * may ignore SIGTERM, and nothing it holds is worth a graceful shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

export type StderrExcerpt = { text: string; truncated: boolean };

export const CHILD_DEFAULTS = {
  timeoutMs: 60_000,
  maxOutputBytes: 8 * 1024 * 1024,
  maxStderrBytes: 4096,
  nice: 10,
  /** how long to wait for the pipes to close after killing, before giving up on them */
  killGraceMs: 2_000,
  /** variables copied from the nanoprobe's environment; everything else is withheld */
  passEnv: ['PATH', 'HOME', 'TMPDIR', 'PYENV_ROOT'] as readonly string[],
} as const;

export type ChildRunOptions = {
  /** absolute path of the executable */
  executable: string;
  args: readonly string[];
  /** variables set for the program (on top of the clean base and passEnv) */
  env?: Record<string, string>;
  passEnv?: readonly string[];
  /** the environment to copy passEnv from (tests pass their own) */
  baseEnv?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  maxOutputBytes?: number;
  maxStderrBytes?: number;
  /** 0 (normal) to 19 (lowest priority) */
  nice?: number;
  killGraceMs?: number;
  /** told the program's pid once it started (the spawner helper tracks what it must kill on exit) */
  onStarted?: (pid: number) => void;
};

type Facts = { durationMs: number; exitCode: number | null; signal: NodeJS.Signals | null; stderr: StderrExcerpt };

export type ChildOutcome =
  | (Facts & { kind: 'exited'; stdout: Buffer; stdoutBytes: number })
  | (Facts & { kind: 'spawn_failed'; message: string })
  | (Facts & { kind: 'timeout'; timeoutMs: number })
  | (Facts & { kind: 'output_too_large'; maxOutputBytes: number })
  | (Facts & { kind: 'invalid_options'; message: string });

function cleanEnv(options: ChildRunOptions): NodeJS.ProcessEnv {
  const base = options.baseEnv ?? process.env;
  const env: NodeJS.ProcessEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' };
  for (const name of options.passEnv ?? CHILD_DEFAULTS.passEnv) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...options.env };
}

function checkLimits(o: ChildRunOptions): string | null {
  const positive = (v: number | undefined, what: string): string | null =>
    v !== undefined && (!Number.isInteger(v) || v <= 0) ? `${what} must be a positive integer` : null;
  if (o.nice !== undefined && (!Number.isInteger(o.nice) || o.nice < 0 || o.nice > 19)) return 'nice must be an integer from 0 to 19';
  for (const [name, value] of Object.entries(o.env ?? {})) if (value.includes('\0')) return `variable ${name} contains a NUL character`;
  return positive(o.timeoutMs, 'timeoutMs') ?? positive(o.maxOutputBytes, 'maxOutputBytes') ?? positive(o.maxStderrBytes, 'maxStderrBytes') ?? positive(o.killGraceMs, 'killGraceMs');
}

/** Kills the program's process group (and the program itself, should it have left the group). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already empty.
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

export function runChild(options: ChildRunOptions): Promise<ChildOutcome> {
  const started = performance.now();
  const empty: Facts = { durationMs: 0, exitCode: null, signal: null, stderr: { text: '', truncated: false } };
  const problem = checkLimits(options);
  if (problem !== null) return Promise.resolve({ ...empty, kind: 'invalid_options', message: problem });
  const timeoutMs = options.timeoutMs ?? CHILD_DEFAULTS.timeoutMs;
  const maxOutput = options.maxOutputBytes ?? CHILD_DEFAULTS.maxOutputBytes;
  const maxStderr = options.maxStderrBytes ?? CHILD_DEFAULTS.maxStderrBytes;
  const killGraceMs = options.killGraceMs ?? CHILD_DEFAULTS.killGraceMs;
  const nice = options.nice ?? CHILD_DEFAULTS.nice;

  return new Promise<ChildOutcome>((resolve) => {
    let child: ChildProcess;
    try {
      // detached: the program leads a new process group (and session), so the group can be killed
      // as one, and a terminal's signals aimed at the nanoprobe do not reach it.
      child = spawn(options.executable, [...options.args], { cwd: options.cwd ?? '/', env: cleanEnv(options), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ...empty, durationMs: Math.round(performance.now() - started), kind: 'spawn_failed', message: `cannot start ${options.executable}: ${(err as Error).message}` });
      return;
    }

    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    const stderrChunks: Buffer[] = [];
    let stderrBytes = 0;
    let stderrTruncated = false;
    let timedOut = false;
    let tooLarge = false;
    let spawnError: Error | null = null;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const stop = (why: 'timeout' | 'overflow'): void => {
      if (why === 'timeout') timedOut = true;
      else tooLarge = true;
      killGroup(child);
      // A helper that left the group may still hold our pipes open; do not wait for it forever.
      graceTimer ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, killGraceMs);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);

    child.stdout?.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxOutput) {
        stop('overflow');
        return;
      }
      stdoutChunks.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderrBytes >= maxStderr) {
        stderrTruncated = true;
        return;
      }
      const room = maxStderr - stderrBytes;
      if (chunk.length > room) stderrTruncated = true;
      const kept = chunk.subarray(0, room);
      stderrChunks.push(kept);
      stderrBytes += kept.length;
    });
    child.on('error', (err) => {
      // Only a failed start matters here (a failed kill of a running program also lands here, and the
      // run then ends through 'close' as usual). A program that never started sends no 'close'.
      if (child.pid !== undefined) return;
      spawnError = err;
      finish();
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // The program is done; anything it left running in its group goes with it.
      killGroup(child);
    });
    child.on('close', () => finish());

    if (child.pid !== undefined) options.onStarted?.(child.pid);
    if (child.pid !== undefined && nice > 0) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // The program may already have exited; a failed renice is not worth failing the run.
      }
    }

    function finish(): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      const facts: Facts = {
        durationMs: Math.round(performance.now() - started),
        exitCode,
        signal: exitSignal,
        stderr: { text: Buffer.concat(stderrChunks).toString('utf8'), truncated: stderrTruncated },
      };
      if (spawnError !== null) resolve({ ...facts, kind: 'spawn_failed', message: `cannot start ${options.executable}: ${(spawnError as Error).message}` });
      else if (timedOut) resolve({ ...facts, kind: 'timeout', timeoutMs });
      else if (tooLarge) resolve({ ...facts, kind: 'output_too_large', maxOutputBytes: maxOutput });
      else resolve({ ...facts, kind: 'exited', stdout: Buffer.concat(stdoutChunks), stdoutBytes });
    }
  });
}
