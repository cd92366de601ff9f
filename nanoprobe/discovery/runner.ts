/**
 * Runs one discovery script (`<script> discover`) in the nanoprobe's sandbox (sandbox/child-runner.ts:
 * its own process group, timeout, output caps, nice level, a clean environment) with its parameters
 * in the environment, and turns whatever happens into a typed RunResult: for a discovery script, any
 * exit status but 0 is a failure, and stdout must be one discovery document.
 */
import { describeIssues, discoveryEnvelopeSchema } from '../../protocol/messages/discovery-envelope';
import { runChild, type ChildOutcome, type ChildRunOptions } from '../sandbox/child-runner';
import type { DiscoveryErrorCode, RunResult } from './run-result';

export const PARAM_ENV_PREFIX = 'UNIMATRIX_PARAM_';
/** Tells a script which process ran it, so that it can leave its siblings out of process lists. */
export const RUNNER_PID_ENV = 'UNIMATRIX_RUNNER_PID';
const PARAM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The sandbox's limits and environment, plus what a discovery run is: a script and its parameters. */
export type RunOptions = Omit<ChildRunOptions, 'executable' | 'args' | 'env' | 'cwd'> & {
  /** absolute path of the executable */
  script: string;
  /** parameter name -> value; `socket` becomes UNIMATRIX_PARAM_SOCKET */
  params?: Record<string, string>;
};

/** The environment variable name of a parameter, or null for a name that cannot be one. */
export function paramEnvName(name: string): string | null {
  return PARAM_NAME_PATTERN.test(name) ? PARAM_ENV_PREFIX + name.toUpperCase() : null;
}

function scriptEnv(options: RunOptions): Record<string, string> | string {
  const env: Record<string, string> = { [RUNNER_PID_ENV]: String(process.pid) };
  for (const [name, value] of Object.entries(options.params ?? {})) {
    const envName = paramEnvName(name);
    if (envName === null) return `parameter name "${name.slice(0, 80)}" is not a word of letters, digits and _`;
    if (value.includes('\0')) return `parameter "${name}" contains a NUL character`;
    env[envName] = value;
  }
  return env;
}

/** How a program is started: in this process (runChild) or through the spawner helper (child-spawner.ts). */
export type ChildRun = (options: ChildRunOptions) => Promise<ChildOutcome>;

export async function runScript(options: RunOptions, run: ChildRun = runChild): Promise<RunResult> {
  const script = options.script;
  const env = scriptEnv(options);
  if (typeof env === 'string') return { ok: false, code: 'invalid_request', message: env, script, durationMs: 0, exitCode: null, signal: null, stderr: { text: '', truncated: false } };
  const { script: _script, params: _params, ...limits } = options;
  const outcome = await run({ ...limits, executable: script, args: ['discover'], env });
  return asRunResult(script, outcome);
}

/** A discovery script's outcome in discovery's terms. */
function asRunResult(script: string, outcome: ChildOutcome): RunResult {
  const facts = { script, durationMs: outcome.durationMs, exitCode: outcome.exitCode, signal: outcome.signal, stderr: outcome.stderr };
  const error = (code: DiscoveryErrorCode, message: string): RunResult => ({ ok: false, code, message, ...facts });
  switch (outcome.kind) {
    case 'invalid_options':
      return error('invalid_request', outcome.message);
    case 'spawn_failed':
      return error('spawn_failed', outcome.message);
    case 'timeout':
      return error('timeout', `no result within ${outcome.timeoutMs} ms; process group killed`);
    case 'output_too_large':
      return error('output_too_large', `printed more than ${outcome.maxOutputBytes} bytes; process group killed`);
    case 'exited':
      if (outcome.exitCode !== 0) {
        const how = outcome.signal !== null ? `killed by ${outcome.signal}` : `exit status ${outcome.exitCode}`;
        return error('nonzero_exit', `script failed (${how})`);
      }
      return parseOutput(outcome.stdout, outcome.stdoutBytes, facts);
  }
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
