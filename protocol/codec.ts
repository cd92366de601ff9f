/**
 * The message codec: pure functions between `Message` and bytes.
 *
 * Body layout: [message type u16 big-endian][msgpack payload]. (The version byte belongs to the
 * datagram, which the packet guard frames; a body is what the transport reassembles.)
 *
 * 64-bit integers: msgpack runs with `useBigInt64`, so a `bigint` travels as a native msgpack int64/uint64
 * and comes back as a `bigint`, while every `number` comes back as a `number` (the encoder writes
 * integers beyond 32 bits as float64, exact up to 2^53). Number fields also accept an int64 from another
 * msgpack implementation when it fits in a safe integer.
 *
 * Decoding never throws: every failure is a `DecodeFailure` with a stable error code and a drop reason
 * for the counters. Encoding validates against the same schema and caps, and throws
 * `UnimatrixError(UNI_PROTO_010)`, so we never send what a peer would refuse.
 */
import { formatIssues } from '../common/zod-issues';
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { ZodType } from 'zod';
import { DEFAULT_CODEC_LIMITS, MAX_MESSAGE_BYTES, TYPE_HEADER_BYTES } from './codec-limits';
import { scanMsgpack } from './codec-scan';
import type { ErrorCode, ProtocolProblem } from './errors';
import { problem, UnimatrixError } from './errors';
import type { Message } from './message-types';
import { MESSAGE_NAME_BY_NUMBER, MESSAGE_TABLE } from './message-types';

export type CodecDropReason = 'truncated' | 'oversize' | 'unknown_type' | 'malformed' | 'bad_shape';

export type DecodeFailure = {
  ok: false;
  reason: CodecDropReason;
  error: ProtocolProblem;
  /** The type number read from the header, when there was one. */
  typeNumber?: number;
};
export type DecodeResult = { ok: true; message: Message } | DecodeFailure;

const limits = DEFAULT_CODEC_LIMITS;

const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true, maxDepth: limits.maxDepth });
const decoder = new Decoder({
  useBigInt64: true,
  maxStrLength: limits.maxStringBytes,
  maxBinLength: limits.maxBinaryBytes,
  maxArrayLength: limits.maxArrayLength,
  maxMapLength: limits.maxMapLength,
  maxExtLength: 0,
});

export function encodeMessage(msg: Message): Uint8Array {
  // Typed callers cannot pass an unknown name, but plain-JS callers can.
  const spec: { type: number; schema: ZodType } | undefined = MESSAGE_TABLE[msg.type];
  if (spec === undefined) throw new UnimatrixError('UNI_PROTO_010', `unknown message type ${String(msg.type)}`);
  const parsed = spec.schema.safeParse(msg.payload);
  if (!parsed.success) {
    throw new UnimatrixError('UNI_PROTO_010', `${msg.type}: ${formatIssues(parsed.error.issues, { root: 'payload', maxIssues: 3 })}`, { cause: parsed.error });
  }
  let payload: Uint8Array;
  try {
    payload = encoder.encode(parsed.data);
  } catch (err) {
    throw new UnimatrixError('UNI_PROTO_010', `${msg.type}: msgpack encoding failed`, { cause: err });
  }
  if (payload.byteLength + TYPE_HEADER_BYTES > MAX_MESSAGE_BYTES) {
    throw new UnimatrixError('UNI_PROTO_010', `${msg.type}: ${payload.byteLength + TYPE_HEADER_BYTES} bytes > ${MAX_MESSAGE_BYTES}`);
  }
  // The receiver runs this same scan; running it here keeps both sides' notion of "valid" identical.
  const scan = scanMsgpack(payload, limits);
  if (!scan.ok) throw new UnimatrixError('UNI_PROTO_010', `${msg.type}: ${scan.detail}`);

  const body = new Uint8Array(TYPE_HEADER_BYTES + payload.byteLength);
  body[0] = spec.type >>> 8;
  body[1] = spec.type & 0xff;
  body.set(payload, TYPE_HEADER_BYTES);
  return body;
}

export function decodeMessage(bytes: Uint8Array): DecodeResult {
  try {
    return decodeUnsafe(bytes);
  } catch (err) {
    // Nothing below is expected to throw; this keeps the promise if a library surprises us.
    return failure('malformed', 'UNI_PROTO_002', `unexpected decoder failure: ${String(err).slice(0, 200)}`);
  }
}

function decodeUnsafe(bytes: Uint8Array): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return failure('malformed', 'UNI_PROTO_002', 'input is not bytes');
  if (bytes.byteLength < TYPE_HEADER_BYTES) {
    return failure('truncated', 'UNI_PROTO_006', `${bytes.byteLength} bytes`);
  }
  if (bytes.byteLength > MAX_MESSAGE_BYTES) {
    return failure('oversize', 'UNI_PROTO_004', `${bytes.byteLength} bytes > ${MAX_MESSAGE_BYTES}`);
  }
  const typeNumber = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  const name = MESSAGE_NAME_BY_NUMBER.get(typeNumber);
  if (name === undefined) return failure('unknown_type', 'UNI_PROTO_001', `type ${typeNumber}`, typeNumber);

  const payloadBytes = bytes.subarray(TYPE_HEADER_BYTES);
  const scan = scanMsgpack(payloadBytes, limits);
  if (!scan.ok) {
    switch (scan.reason) {
      case 'oversize':
        return failure('oversize', 'UNI_PROTO_005', `${name}: ${scan.detail}`, typeNumber);
      case 'too_deep':
        return failure('malformed', 'UNI_PROTO_007', `${name}: ${scan.detail}`, typeNumber);
      case 'extension':
        return failure('bad_shape', 'UNI_PROTO_003', `${name}: ${scan.detail}`, typeNumber);
      default:
        return failure('malformed', 'UNI_PROTO_002', `${name}: ${scan.detail}`, typeNumber);
    }
  }

  let raw: unknown;
  try {
    raw = decoder.decode(payloadBytes);
  } catch (err) {
    return failure('malformed', 'UNI_PROTO_002', `${name}: ${err instanceof Error ? err.message : String(err)}`, typeNumber);
  }
  const parsed = MESSAGE_TABLE[name].schema.safeParse(raw);
  if (!parsed.success) return failure('bad_shape', 'UNI_PROTO_003', `${name}: ${formatIssues(parsed.error.issues, { root: 'payload', maxIssues: 3 })}`, typeNumber);
  return { ok: true, message: { type: name, payload: parsed.data } as Message };
}

function failure(reason: CodecDropReason, code: ErrorCode, detail: string, typeNumber?: number): DecodeFailure {
  const result: DecodeFailure = { ok: false, reason, error: problem(code, detail) };
  if (typeNumber !== undefined) result.typeNumber = typeNumber;
  return result;
}

/** A short, log-friendly summary of the first few schema violations. */
