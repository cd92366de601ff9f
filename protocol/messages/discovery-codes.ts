/**
 * The failures of a discovery run as both daemons name them: the runner's words (`timeout`,
 * `invalid_json`, … docs/discovery-scripts.md) and the catalogue codes the wire carries
 * (protocol/errors.ts, UNI_DISC_*). A DISCOVERY_RESULT's message starts with the word, so a reader
 * sees both. Append-only, like every code.
 */
import type { ErrorCode } from '../errors';

export const DISCOVERY_FAILURE_CODES = {
  /** the request itself is unusable (bad parameter name, bad limits) */
  invalid_request: 'UNI_DISC_001',
  /** no executable of that name in the configured script directories */
  script_not_found: 'UNI_DISC_002',
  /** the operating system could not start the script (permissions, bad interpreter) */
  spawn_failed: 'UNI_DISC_003',
  /** the script ran past its timeout and was killed with its whole process group */
  timeout: 'UNI_DISC_004',
  /** the script printed more than the output cap and was killed */
  output_too_large: 'UNI_DISC_005',
  /** the script exited with a status other than 0, or was killed by a signal it did not get from us */
  nonzero_exit: 'UNI_DISC_006',
  /** stdout is not one JSON document */
  invalid_json: 'UNI_DISC_007',
  /** stdout is JSON but not a discovery envelope */
  wrong_shape: 'UNI_DISC_008',
  /** the document was valid but does not fit in one protocol message (codec caps) */
  result_too_large: 'UNI_DISC_009',
} as const satisfies Record<string, ErrorCode>;

export type DiscoveryFailure = keyof typeof DISCOVERY_FAILURE_CODES;
