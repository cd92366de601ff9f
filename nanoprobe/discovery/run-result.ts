/**
 * What one run of a discovery script comes to. The runner never throws: every failure is a value
 * with a stable code that the CMA records for that host and script.
 */
import type { StderrExcerpt } from '../sandbox/child-runner';
import type { DiscoveryFailure } from '../../protocol/messages/discovery-codes';
import type { DiscoveryEnvelope } from '../../protocol/messages/discovery-envelope';

/** A run's failure, in the runner's words (the wire's codes: protocol/messages/discovery-codes.ts). */
export type DiscoveryErrorCode = Exclude<DiscoveryFailure, 'result_too_large'>;

/** The start of the script's stderr, bounded, for an operator reading the error. */
export type { StderrExcerpt };

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
