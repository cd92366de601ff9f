/**
 * DISCOVERY_RESULT payloads as a nanoprobe sends them (protocol/messages/discovery.ts), for tests of
 * the CMA's ingest service. Failure codes are the catalogue codes the nanoprobe puts on the wire
 * (nanoprobe/discovery-wire.ts), with the runner's word at the start of the message.
 */
import { sha256Hex } from '../../common/hash';
import type { PayloadOf } from '../../protocol/message-types';
import type { JsonValue } from '../../protocol/messages/common';
import { DISCOVERY_FAILURE_CODES } from '../../protocol/messages/discovery-codes';
import { canonicalJson } from '../../protocol/messages/canonical-json';

export type WireResult = PayloadOf<'DISCOVERY_RESULT'>;

const hashOf = sha256Hex;

/** A good run's result; its contentHash is the nanoprobe's: SHA-256 of the canonical document. */
export function okResult(document: unknown, overrides: Partial<WireResult> = {}): WireResult {
  const name = (document as { discovertype?: string }).discovertype ?? 'unknown';
  return {
    name,
    contentHash: hashOf(canonicalJson(document)),
    exitStatus: 0,
    signal: null,
    stderr: '',
    startedAt: 1_800_000_000_000,
    durationMs: 42,
    outcome: { ok: true, document: document as JsonValue },
    ...overrides,
  };
}

export function failedResult(
  name: string,
  word: keyof typeof DISCOVERY_FAILURE_CODES,
  message: string,
  overrides: Partial<WireResult> = {},
): WireResult {
  return {
    name,
    contentHash: hashOf(`error:${word}:${message}`),
    exitStatus: null,
    signal: null,
    stderr: '',
    startedAt: 1_800_000_000_000,
    durationMs: 7,
    outcome: { ok: false, code: DISCOVERY_FAILURE_CODES[word], message: `${word}: ${message}` },
    ...overrides,
  };
}
