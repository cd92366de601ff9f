import { Encoder } from '@msgpack/msgpack';
import { MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, MAX_STRING_BYTES } from './codec-limits';
import { decodeMessage, encodeMessage } from './codec';
import type { DecodeResult } from './codec';
import { isUnimatrixError } from './errors';
import type { Message, MessageName } from './message-types';
import { MESSAGE_NAMES, MESSAGE_TABLE, makeMessage } from './message-types';
import { SAMPLE_PAYLOADS } from './messages/samples';

const rawEncoder = new Encoder({ useBigInt64: true });

/** A body with a chosen type number and arbitrary msgpack payload bytes. */
function body(typeNumber: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + payload.byteLength);
  out[0] = typeNumber >> 8;
  out[1] = typeNumber & 0xff;
  out.set(payload, 2);
  return out;
}
const bodyOf = (name: MessageName, value: unknown): Uint8Array => body(MESSAGE_TABLE[name].type, rawEncoder.encode(value));

function expectFailure(result: DecodeResult, reason: string, code: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  expect(result.error.code).toBe(code);
}

const sampleMessages = MESSAGE_NAMES.map((name) => ({ type: name, payload: SAMPLE_PAYLOADS[name] }) as Message);

describe('round trip, every message type', () => {
  test.each(sampleMessages.map((m) => [m.type, m] as const))('%s', (_name, msg) => {
    const bytes = encodeMessage(msg);
    expect(((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)).toBe(MESSAGE_TABLE[msg.type].type);
    const decoded = decodeMessage(bytes);
    expect(decoded).toEqual({ ok: true, message: msg });
    // Encoding the decoded message gives the same bytes: nothing is lost or reordered.
    if (decoded.ok) expect(encodeMessage(decoded.message)).toEqual(bytes);
  });

  test('decoded keys are copies, not views of the input buffer', () => {
    const bytes = encodeMessage(makeMessage('ANNOUNCE', SAMPLE_PAYLOADS.ANNOUNCE));
    const decoded = decodeMessage(bytes);
    bytes.fill(0);
    expect(decoded.ok && decoded.message.type === 'ANNOUNCE' && Array.from(decoded.message.payload.ed25519)).toEqual(
      new Array(32).fill(1),
    );
  });

  test('unknown fields from a newer peer are ignored', () => {
    const decoded = decodeMessage(bodyOf('HEARTBEAT', { seq: 1, sentAt: 2, futureField: 'x' }));
    expect(decoded).toEqual({ ok: true, message: { type: 'HEARTBEAT', payload: { seq: 1, sentAt: 2 } } });
  });

  test('int64 from another msgpack implementation is accepted when it fits a safe integer', () => {
    const decoded = decodeMessage(bodyOf('HEARTBEAT', { seq: 5n, sentAt: 1_735_000_000_000n }));
    expect(decoded).toEqual({ ok: true, message: { type: 'HEARTBEAT', payload: { seq: 5, sentAt: 1_735_000_000_000 } } });
    expectFailure(decodeMessage(bodyOf('HEARTBEAT', { seq: 2n ** 60n, sentAt: 0 })), 'bad_shape', 'UNI_PROTO_003');
  });

  test('an optional field left undefined is omitted, not sent as nil', () => {
    const bytes = encodeMessage(makeMessage('SHUTDOWN', { reason: undefined }));
    expect(Array.from(bytes)).toEqual([0, MESSAGE_TABLE.SHUTDOWN.type, 0x80]);
  });
});

describe('decode failures are typed results, never exceptions', () => {
  test('too short for the type header', () => {
    expectFailure(decodeMessage(new Uint8Array(0)), 'truncated', 'UNI_PROTO_006');
    expectFailure(decodeMessage(new Uint8Array([0])), 'truncated', 'UNI_PROTO_006');
  });

  test('unknown type numbers, including the reserved 0', () => {
    const r = decodeMessage(body(0xfffe, rawEncoder.encode({})));
    expectFailure(r, 'unknown_type', 'UNI_PROTO_001');
    expect(!r.ok && r.typeNumber).toBe(0xfffe);
    expectFailure(decodeMessage(body(0, rawEncoder.encode({}))), 'unknown_type', 'UNI_PROTO_001');
  });

  test('malformed msgpack: reserved byte, truncation, trailing bytes, empty payload', () => {
    expectFailure(decodeMessage(body(4, new Uint8Array([0xc1]))), 'malformed', 'UNI_PROTO_002');
    const good = bodyOf('HEARTBEAT', { seq: 1, sentAt: 2 });
    expectFailure(decodeMessage(good.subarray(0, good.byteLength - 1)), 'malformed', 'UNI_PROTO_002');
    const trailing = new Uint8Array([...good, 0x00]);
    expectFailure(decodeMessage(trailing), 'malformed', 'UNI_PROTO_002');
    expectFailure(decodeMessage(body(4, new Uint8Array(0))), 'malformed', 'UNI_PROTO_002');
  });

  test('wrong shape names the field', () => {
    const r = decodeMessage(bodyOf('HEARTBEAT', { seq: 'one', sentAt: 2 }));
    expectFailure(r, 'bad_shape', 'UNI_PROTO_003');
    expect(!r.ok && r.error.message).toContain('seq');
    expectFailure(decodeMessage(bodyOf('CONFIG', { ...SAMPLE_PAYLOADS.CONFIG, deadTimeMs: 10 })), 'bad_shape', 'UNI_PROTO_003');
    expectFailure(decodeMessage(bodyOf('ANNOUNCE', { ...SAMPLE_PAYLOADS.ANNOUNCE, ed25519: new Uint8Array(31) })), 'bad_shape', 'UNI_PROTO_003');
    expectFailure(decodeMessage(bodyOf('APP_NAK', { ...SAMPLE_PAYLOADS.APP_NAK, code: 'E42' })), 'bad_shape', 'UNI_PROTO_003');
    // Parameter names become environment variables: no '=' or spaces smuggled in.
    const badParameter = { ...SAMPLE_PAYLOADS.DISCOVERY_REQUEST, parameters: { 'PATH=/tmp x': '1' } };
    expectFailure(decodeMessage(bodyOf('DISCOVERY_REQUEST', badParameter)), 'bad_shape', 'UNI_PROTO_003');
  });

  test('a document that is not JSON (binary, non-finite number) is refused', () => {
    const withDoc = (document: unknown) =>
      bodyOf('DISCOVERY_RESULT', { ...SAMPLE_PAYLOADS.DISCOVERY_RESULT, outcome: { ok: true, document } });
    expectFailure(decodeMessage(withDoc({ a: new Uint8Array([1]) })), 'bad_shape', 'UNI_PROTO_003');
    expectFailure(decodeMessage(withDoc([1, Number.NaN])), 'bad_shape', 'UNI_PROTO_003');
    expect(decodeMessage(withDoc({ a: [1, 'x', null, true, { b: 2.5 }] })).ok).toBe(true);
  });

  test('a hostile length prefix is refused without allocating what it claims', () => {
    // str32 claiming 4 GiB - 1 with 3 bytes present; array32 claiming 4 G items; map32 likewise.
    const hugeStr = new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63]);
    expectFailure(decodeMessage(body(4, hugeStr)), 'oversize', 'UNI_PROTO_005');
    expectFailure(decodeMessage(body(4, new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]))), 'oversize', 'UNI_PROTO_005');
    expectFailure(decodeMessage(body(4, new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff]))), 'oversize', 'UNI_PROTO_005');
    // Within the caps but longer than the bytes present: malformed, still no allocation.
    expectFailure(decodeMessage(body(4, new Uint8Array([0xdb, 0x00, 0x01, 0x00, 0x00, 0x61]))), 'malformed', 'UNI_PROTO_002');
    expectFailure(decodeMessage(body(4, new Uint8Array([0xdc, 0x10, 0x00, 0x01]))), 'malformed', 'UNI_PROTO_002');
  });

  test('a string over the cap is refused even when all its bytes are present', () => {
    const big = 'x'.repeat(MAX_STRING_BYTES + 1);
    const r = decodeMessage(bodyOf('SHUTDOWN', { reason: big }));
    expectFailure(r, 'oversize', 'UNI_PROTO_005');
  });

  test('nesting deeper than the cap is refused before decoding', () => {
    const depth = MAX_NESTING_DEPTH + 5;
    const deep = new Uint8Array(depth + 1).fill(0x91); // [[[[…]]]]
    deep[depth] = 0xc0;
    expectFailure(decodeMessage(body(4, deep)), 'malformed', 'UNI_PROTO_007');
    // A 16 MiB run of array headers: refused by depth, quickly, without the decoder's per-level state.
    const bomb = new Uint8Array(MAX_MESSAGE_BYTES - 2).fill(0x91);
    expectFailure(decodeMessage(body(4, bomb)), 'malformed', 'UNI_PROTO_007');
  });

  test('msgpack extension types are refused (the protocol uses none)', () => {
    const timestampExt = new Uint8Array([0xd6, 0xff, 0, 0, 0, 1]);
    expectFailure(decodeMessage(body(4, timestampExt)), 'bad_shape', 'UNI_PROTO_003');
  });

  test('a body over the message cap is refused by size alone', () => {
    const r = decodeMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1));
    expectFailure(r, 'oversize', 'UNI_PROTO_004');
  });

  test('__proto__ keys cannot reach the payload', () => {
    // fixmap{ "__proto__": {} }
    const proto = new Uint8Array([0x81, 0xa9, ...Buffer.from('__proto__'), 0x80]);
    expectFailure(decodeMessage(body(4, proto)), 'malformed', 'UNI_PROTO_002');
  });
});

describe('encoding refuses what a receiver would refuse', () => {
  test.each<[string, Message]>([
    ['port 0', makeMessage('ANNOUNCE', { ...SAMPLE_PAYLOADS.ANNOUNCE, port: 0 })],
    ['dead time before warn time', makeMessage('CONFIG', { ...SAMPLE_PAYLOADS.CONFIG, deadTimeMs: 2000 })],
    ['a refusal without a code', makeMessage('ANNOUNCE_ACK', { ...SAMPLE_PAYLOADS.ANNOUNCE_ACK, code: undefined })],
    ['a negative probe id', makeMessage('PROBE_REPLY', { probeId: -1, sentAt: 0, startTime: 0 })],
    [
      'a bad IP address',
      makeMessage('CONFIG', {
        ...SAMPLE_PAYLOADS.CONFIG,
        partners: SAMPLE_PAYLOADS.CONFIG.partners.map((p) => ({ ...p, address: { ip: '10.0.0.300', port: 1 } })),
      }),
    ],
    [
      'a document string over the cap',
      makeMessage('DISCOVERY_RESULT', {
        ...SAMPLE_PAYLOADS.DISCOVERY_RESULT,
        outcome: { ok: true, document: { big: 'y'.repeat(MAX_STRING_BYTES + 1) } },
      }),
    ],
  ])('%s', (_label, msg) => {
    let caught: unknown;
    try {
      encodeMessage(msg);
    } catch (err) {
      caught = err;
    }
    expect(isUnimatrixError(caught, 'UNI_PROTO_010')).toBe(true);
  });

  test('a message of an unknown type name is refused', () => {
    expect(() => encodeMessage({ type: 'NOPE', payload: {} } as unknown as Message)).toThrow(/UNI_PROTO_010|unknown message type/);
  });
});
