/**
 * Joins script lookup and the runner: the function the scheduler calls for each due request.
 */
import { resolveScript } from './script-directory';
import type { DiscoveryRequest } from './request';
import type { RunResult } from './run-result';
import { runScript, type ChildRun, type RunOptions } from './runner';

export type RequestRunnerConfig = {
  /** script directories, searched in order */
  directories: readonly string[];
  /** defaults for what a request does not say */
  defaults?: Pick<RunOptions, 'timeoutMs' | 'maxOutputBytes' | 'maxStderrBytes' | 'nice' | 'passEnv' | 'killGraceMs'>;
  /** how scripts are started; default: in this process (the daemon passes its spawner helper) */
  runChild?: ChildRun;
};

export function createRequestRunner(config: RequestRunnerConfig): (request: DiscoveryRequest) => Promise<RunResult> {
  return async (request) => {
    const found = resolveScript(request.name, config.directories);
    if (!found.ok) {
      return {
        ok: false,
        code: found.code,
        message: found.message,
        script: request.name,
        durationMs: 0,
        exitCode: null,
        signal: null,
        stderr: { text: '', truncated: false },
      };
    }
    const options: RunOptions = { ...config.defaults, script: found.path };
    if (request.params !== undefined) options.params = request.params;
    if (request.timeoutMs !== undefined) options.timeoutMs = request.timeoutMs;
    if (request.nice !== undefined) options.nice = request.nice;
    if (request.maxOutputBytes !== undefined) options.maxOutputBytes = request.maxOutputBytes;
    return runScript(options, config.runChild);
  };
}
