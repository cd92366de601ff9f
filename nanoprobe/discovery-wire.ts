/**
 * Translation between discovery as the wire carries it (protocol/messages/discovery.ts) and as the
 * nanoprobe's scheduler and runner see it (nanoprobe/discovery/).
 *
 * Error codes: the runner's stable words travel as the catalogue codes of
 * protocol/messages/discovery-codes.ts; the message starts with the word so a reader sees both.
 */
import { sha256Hex } from '../common/hash';
import { MAX_STDERR_EXCERPT_CHARS } from '../protocol/messages/discovery';
import { DISCOVERY_FAILURE_CODES } from '../protocol/messages/discovery-codes';
import type { PayloadOf } from '../protocol/message-types';
import type { JsonValue } from '../protocol/messages/common';
import { parseDiscoveryRequest, type DiscoveryRequest } from './discovery/request';
import type { DiscoveryReport } from './discovery/scheduler';

export type DiscoveryRequestPayload = PayloadOf<'DISCOVERY_REQUEST'>;
export type DiscoveryResultPayload = PayloadOf<'DISCOVERY_RESULT'>;

const MAX_MESSAGE_CHARS = 1024;

/** The scheduler's request for a wire request; an error text when the request cannot be run. */
export function requestFromWire(wire: DiscoveryRequestPayload): { ok: true; request: DiscoveryRequest } | { ok: false; message: string } {
  const params = Object.keys(wire.parameters).length > 0 ? wire.parameters : undefined;
  return parseDiscoveryRequest({
    name: wire.name,
    intervalMs: wire.repeatSeconds * 1000,
    timeoutMs: wire.timeoutSeconds * 1000,
    ...(params === undefined ? {} : { params }),
  });
}


/** The DISCOVERY_RESULT for one reported run. */
export function resultToWire(report: DiscoveryReport): DiscoveryResultPayload {
  const r = report.result;
  const base = {
    name: report.request.name,
    exitStatus: r.exitCode === null ? null : Math.min(255, Math.max(0, r.exitCode)),
    signal: r.signal === null ? null : r.signal.slice(0, 16),
    stderr: r.stderr.text.slice(0, MAX_STDERR_EXCERPT_CHARS),
    startedAt: Math.max(0, Math.round(report.startedAt)),
    durationMs: Math.max(0, Math.round(r.durationMs)),
  };
  if (r.ok) {
    // The document came from JSON.parse, so it is a JSON value; the codec checks it again on encoding.
    // The scheduler's fingerprint is "ok:<sha256 of the canonical document>": that is the content hash.
    const hash = report.fingerprint.startsWith('ok:') ? report.fingerprint.slice(3) : sha256Hex(report.fingerprint);
    return { ...base, contentHash: hash, outcome: { ok: true, document: r.document as JsonValue } };
  }
  return { ...base, contentHash: sha256Hex(report.fingerprint), outcome: failureOutcome(r.code, r.message) };
}

/** A result for a request that never ran (the request itself was unusable). */
export function invalidRequestResult(name: string, message: string, startedAt: number): DiscoveryResultPayload {
  return {
    name,
    contentHash: sha256Hex(`error:invalid_request:${message}`),
    exitStatus: null,
    signal: null,
    stderr: '',
    startedAt: Math.max(0, Math.round(startedAt)),
    durationMs: 0,
    outcome: failureOutcome('invalid_request', message),
  };
}

/** Replaces a result whose document cannot be encoded (too large for the codec) by a failure. */
export function tooLargeResult(result: DiscoveryResultPayload, detail: string): DiscoveryResultPayload {
  return { ...result, contentHash: sha256Hex(`error:result_too_large:${result.contentHash}`), outcome: failureOutcome('result_too_large', detail) };
}

function failureOutcome(code: keyof typeof DISCOVERY_FAILURE_CODES, message: string): DiscoveryResultPayload['outcome'] {
  return { ok: false, code: DISCOVERY_FAILURE_CODES[code], message: `${code}: ${message}`.slice(0, MAX_MESSAGE_CHARS) };
}
