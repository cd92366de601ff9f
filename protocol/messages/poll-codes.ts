/**
 * The failures of a device poll as both sides name them: the poller's words (its session's error
 * codes, and what parsing adds) and the catalogue codes a POLL_RESULT carries (protocol/errors.ts,
 * UNI_POLL_*). Append-only, like every code. A POLL_RESULT's message starts with the word.
 */
import type { ErrorCode } from '../errors';

export const POLL_FAILURE_CODES = {
  connect_failed: 'UNI_POLL_001',
  connect_timeout: 'UNI_POLL_002',
  auth_failed: 'UNI_POLL_003',
  host_key_mismatch: 'UNI_POLL_004',
  host_key_untrusted: 'UNI_POLL_005',
  prompt_not_found: 'UNI_POLL_006',
  command_timeout: 'UNI_POLL_007',
  output_too_large: 'UNI_POLL_008',
  command_rejected: 'UNI_POLL_009',
  disconnected: 'UNI_POLL_010',
  not_connected: 'UNI_POLL_011',
  gave_up: 'UNI_POLL_012',
  parse_failed: 'UNI_POLL_013',
  unknown_credential: 'UNI_POLL_014',
  no_template: 'UNI_POLL_015',
} as const satisfies Record<string, ErrorCode>;

export type PollFailure = keyof typeof POLL_FAILURE_CODES;

export function isPollFailure(word: string): word is PollFailure {
  return Object.prototype.hasOwnProperty.call(POLL_FAILURE_CODES, word);
}
