/**
 * What one run of a discovery script comes to. The runner never throws: every failure is a value
 * with a stable code that the CMA records for that host and script.
 */
import type { DiscoveryEnvelope } from './envelope';

export type DiscoveryErrorCode =
  /** the request itself is unusable (bad parameter name, bad limits) */
  | 'invalid_request'
  /** no executable of that name in the configured script directories */
  | 'script_not_found'
  /** the operating system could not start the script (permissions, bad interpreter) */
  | 'spawn_failed'
  /** the script ran past its timeout and was killed with its whole process group */
  | 'timeout'
  /** the script printed more than the output cap and was killed */
  | 'output_too_large'
  /** the script exited with a status other than 0, or was killed by a signal it did not get from us */
  | 'nonzero_exit'
  /** stdout is not one JSON document */
  | 'invalid_json'
  /** stdout is JSON but not a discovery envelope */
  | 'wrong_shape';

export const DISCOVERY_ERROR_CODES: readonly DiscoveryErrorCode[] = [
  'invalid_request',
  'script_not_found',
  'spawn_failed',
  'timeout',
  'output_too_large',
  'nonzero_exit',
  'invalid_json',
  'wrong_shape',
];

/** The start of the script's stderr, bounded, for an operator reading the error. */
export type StderrExcerpt = { text: string; truncated: boolean };

type RunFacts = {
  /** the executable that ran (absolute path), or the name asked for when none was found */
  script: string;
  durationMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: StderrExcerpt;
};

export type RunOk = RunFacts & { ok: true; document: DiscoveryEnvelope; outputBytes: number };

export type RunError = RunFacts & { ok: false; code: DiscoveryErrorCode; message: string };

export type RunResult = RunOk | RunError;
