/**
 * Runs one discovery script as its own process group, with a timeout, an output cap, a nice level
 * and parameters in the environment, and turns whatever happens into a typed RunResult.
 *
 * Why a process group: a script may start helpers (ip, dpkg-query, a shell pipeline); on timeout or
 * overflow the whole group is killed, so nothing is left behind. Why SIGKILL at once: a discovery
 * script holds no state worth a graceful shutdown, and a stuck one may ignore SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { describeIssues, discoveryEnvelopeSchema } from '../../protocol/messages/discovery-envelope';
import type { DiscoveryErrorCode, RunResult, StderrExcerpt } from './run-result';

export const PARAM_ENV_PREFIX = 'UNIMATRIX_PARAM_';
/** Tells a script which process ran it, so that it can leave its siblings out of process lists. */
export const RUNNER_PID_ENV = 'UNIMATRIX_RUNNER_PID';
const PARAM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export const RUNNER_DEFAULTS = {
  timeoutMs: 60_000,
  maxOutputBytes: 8 * 1024 * 1024,
  maxStderrBytes: 4096,
  nice: 10,
  /** how long to wait for the pipes to close after killing, before giving up on them */
  killGraceMs: 2_000,
  /** variables copied from the nanoprobe's environment; everything else is withheld */
  passEnv: ['PATH', 'HOME', 'TMPDIR', 'PYENV_ROOT'] as readonly string[],
} as const;

export type RunOptions = {
  /** absolute path of the executable */
  script: string;
  /** parameter name -> value; `socket` becomes UNIMATRIX_PARAM_SOCKET */
  params?: Record<string, string>;
  timeoutMs?: number;
  maxOutputBytes?: number;
  maxStderrBytes?: number;
  /** 0 (normal) to 19 (lowest priority) */
  nice?: number;
  killGraceMs?: number;
  passEnv?: readonly string[];
  /** the environment to copy passEnv from (tests pass their own) */
  baseEnv?: NodeJS.ProcessEnv;
};

/** The environment variable name of a parameter, or null for a name that cannot be one. */
export function paramEnvName(name: string): string | null {
  return PARAM_NAME_PATTERN.test(name) ? PARAM_ENV_PREFIX + name.toUpperCase() : null;
}

function buildEnv(options: RunOptions): NodeJS.ProcessEnv | string {
  const base = options.baseEnv ?? process.env;
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C',
    LC_ALL: 'C',
    [RUNNER_PID_ENV]: String(process.pid),
  };
  for (const name of options.passEnv ?? RUNNER_DEFAULTS.passEnv) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(options.params ?? {})) {
    const envName = paramEnvName(name);
    if (envName === null) return `parameter name "${name.slice(0, 80)}" is not a word of letters, digits and _`;
    if (value.includes('\0')) return `parameter "${name}" contains a NUL character`;
    env[envName] = value;
  }
  return env;
}

function checkLimits(o: RunOptions): string | null {
  const positive = (v: number | undefined, what: string): string | null =>
    v !== undefined && (!Number.isInteger(v) || v <= 0) ? `${what} must be a positive integer` : null;
  if (o.nice !== undefined && (!Number.isInteger(o.nice) || o.nice < 0 || o.nice > 19)) {
    return 'nice must be an integer from 0 to 19';
  }
  return (
    positive(o.timeoutMs, 'timeoutMs') ??
    positive(o.maxOutputBytes, 'maxOutputBytes') ??
    positive(o.maxStderrBytes, 'maxStderrBytes') ??
    positive(o.killGraceMs, 'killGraceMs')
  );
}

/** Kills the script's process group (and the script itself, should it have left the group). */
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

export function runScript(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const script = options.script;
  const emptyStderr: StderrExcerpt = { text: '', truncated: false };
  const fail = (code: DiscoveryErrorCode, message: string): RunResult => ({
    ok: false,
    code,
    message,
    script,
    durationMs: Math.round(performance.now() - started),
    exitCode: null,
    signal: null,
    stderr: emptyStderr,
  });
  const limitProblem = checkLimits(options);
  if (limitProblem !== null) return Promise.resolve(fail('invalid_request', limitProblem));
  const env = buildEnv(options);
  if (typeof env === 'string') return Promise.resolve(fail('invalid_request', env));

  const timeoutMs = options.timeoutMs ?? RUNNER_DEFAULTS.timeoutMs;
  const maxOutput = options.maxOutputBytes ?? RUNNER_DEFAULTS.maxOutputBytes;
  const maxStderr = options.maxStderrBytes ?? RUNNER_DEFAULTS.maxStderrBytes;
  const killGraceMs = options.killGraceMs ?? RUNNER_DEFAULTS.killGraceMs;
  const nice = options.nice ?? RUNNER_DEFAULTS.nice;

  return new Promise<RunResult>((resolve) => {
    let child: ChildProcess;
    try {
      // detached: the script leads a new process group (and session), so the group can be killed
      // as one, and a terminal's signals aimed at the nanoprobe do not reach it.
      child = spawn(script, ['discover'], { cwd: '/', env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve(fail('spawn_failed', `cannot start ${script}: ${(err as Error).message}`));
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
      // Only a failed start matters here (a failed kill of a running script also lands here, and the
      // run then ends through 'close' as usual). A script that never started sends no 'close'.
      if (child.pid !== undefined) return;
      spawnError = err;
      finish();
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // The script is done; anything it left running in its group goes with it.
      killGroup(child);
    });
    child.on('close', () => finish());

    if (child.pid !== undefined && nice > 0) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // The script may already have exited; a failed renice is not worth failing the run.
      }
    }

    function finish(): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      const stderr: StderrExcerpt = { text: Buffer.concat(stderrChunks).toString('utf8'), truncated: stderrTruncated };
      const facts = {
        script,
        durationMs: Math.round(performance.now() - started),
        exitCode,
        signal: exitSignal,
        stderr,
      };
      const error = (code: DiscoveryErrorCode, message: string): RunResult => ({ ok: false, code, message, ...facts });
      if (spawnError !== null) {
        resolve(error('spawn_failed', `cannot start ${script}: ${(spawnError as Error).message}`));
      } else if (timedOut) {
        resolve(error('timeout', `no result within ${timeoutMs} ms; process group killed`));
      } else if (tooLarge) {
        resolve(error('output_too_large', `printed more than ${maxOutput} bytes; process group killed`));
      } else if (exitCode !== 0) {
        const how = exitSignal !== null ? `killed by ${exitSignal}` : `exit status ${exitCode}`;
        resolve(error('nonzero_exit', `script failed (${how})`));
      } else {
        resolve(parseOutput(Buffer.concat(stdoutChunks), stdoutBytes, facts));
      }
    }
  });
}

function parseOutput(
  stdout: Buffer,
  outputBytes: number,
  facts: Omit<RunResult, 'ok' | 'code' | 'message' | 'document' | 'outputBytes'>,
): RunResult {
  const text = stdout.toString('utf8').trim();
  if (text === '') return { ok: false, code: 'invalid_json', message: 'the script printed nothing', ...facts };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'invalid_json', message: `not one JSON document: ${(err as Error).message.slice(0, 200)}`, ...facts };
  }
  const parsed = discoveryEnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: 'wrong_shape', message: `not a discovery document: ${describeIssues(parsed.error)}`, ...facts };
  }
  return { ok: true, document: parsed.data, outputBytes, ...facts };
}
