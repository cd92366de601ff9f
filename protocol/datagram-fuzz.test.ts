/**
 * Property tests over hostile input: random and mutated datagrams through the codec (`decodeMessage`)
 * and the packet guard (`open`), more than 100,000 of each. Neither may ever throw, every refusal must
 * carry a catalogued code / known reason, and the guard must never accept a forged frame or the same
 * (sender, session, counter) twice.
 */
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from './codec';
import { DROP_REASONS, GUARD_DROP_REASONS } from './counters';
import { ERROR_CATALOGUE } from './errors';
import type { GuardDropReason } from './guard';
import type { Message } from './message-types';
import { MESSAGE_NAMES, MESSAGE_TABLE } from './message-types';
import { SAMPLE_PAYLOADS } from './messages/samples';
import { generateIdentity } from './security/identity';
import { SecurePacketGuard } from './security/packet-guard';
import { LocalSession } from './security/session';

/** Generous: each test takes seconds alone, but the machine may be shared. */
const FUZZ_TIMEOUT_MS = 180_000;

// ---- mutations: small edits that keep most of a valid input, so the fuzzer reaches the deep checks ----

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'duplicate'; at: number; count: number };

/** Bytes that mean something to msgpack or our headers: lengths, containers, reserved, extremes. */
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xc6, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff];
const SCALE = 1_000_000; // positions are fractions of the input length, so a mutation fits any input
const at = fc.nat({ max: SCALE - 1 });

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at, value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 255 })) }),
  fc.record({ op: fc.constant('truncate' as const), at }),
  fc.record({ op: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at, count: fc.integer({ min: 1, max: 32 }) }),
);
const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(input);
  for (const m of mutations) {
    const i = Math.floor((m.at / SCALE) * bytes.length);
    switch (m.op) {
      case 'flip':
        if (bytes.length > 0) bytes[i] = (bytes[i] ?? 0) ^ (1 << m.bit);
        break;
      case 'set':
        if (bytes.length > 0) bytes[i] = m.value;
        break;
      case 'truncate':
        bytes = bytes.slice(0, i);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, i), m.bytes, bytes.subarray(i)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + m.count)]);
        break;
      case 'duplicate':
        bytes = Buffer.concat([bytes.subarray(0, i + m.count), bytes.subarray(i)]);
        break;
    }
  }
  return new Uint8Array(bytes);
}

// ---- codec ----

const samples = MESSAGE_NAMES.map((name) => encodeMessage({ type: name, payload: SAMPLE_PAYLOADS[name] } as Message));
const typeNumbers = MESSAGE_NAMES.map((n) => MESSAGE_TABLE[n].type);
const catalogue = new Set(Object.keys(ERROR_CATALOGUE));
const dropReasons = new Set<string>(DROP_REASONS);

function checkDecode(bytes: Uint8Array): boolean {
  const result = decodeMessage(bytes);
  if (!result.ok) {
    // Plain checks rather than expect(): this runs 100,000+ times.
    if (!catalogue.has(result.error.code)) throw new Error(`uncatalogued code ${result.error.code}`);
    if (!dropReasons.has(result.reason)) throw new Error(`unknown drop reason ${result.reason}`);
    return false;
  }
  // Whatever decodes must be a valid message: it re-encodes and decodes to the same value.
  expect(decodeMessage(encodeMessage(result.message))).toEqual(result);
  return true;
}

describe('decodeMessage on hostile input', () => {
  test('random bytes (30,000)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600, size: 'max' }), (bytes) => void checkDecode(bytes)), { numRuns: 30_000 });
  }, FUZZ_TIMEOUT_MS);

  test('random payloads behind a valid type header (25,000)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...typeNumbers), fc.uint8Array({ maxLength: 300, size: 'max' }), (type, payload) => {
        void checkDecode(new Uint8Array([type >> 8, type & 0xff, ...payload]));
      }),
      { numRuns: 25_000 },
    );
  }, FUZZ_TIMEOUT_MS);

  test('mutated valid messages (45,000), some of which still decode', () => {
    let decoded = 0;
    fc.assert(
      fc.property(fc.constantFrom(...samples), mutationsArb, (sample, mutations) => {
        if (checkDecode(mutate(sample, mutations))) decoded++;
      }),
      { numRuns: 45_000 },
    );
    // The mutations must not be so destructive that nothing reaches the schemas.
    expect(decoded).toBeGreaterThan(100);
  }, FUZZ_TIMEOUT_MS);
});

// ---- packet guard ----

describe('PacketGuard.open on hostile input', () => {
  const sender = generateIdentity();
  const receiver = generateIdentity();
  const senderSession = new LocalSession();
  const senderGuard = new SecurePacketGuard({ identity: sender, session: senderSession });
  senderGuard.learnPeer(receiver.keyId, receiver.publicKeys);

  /** Genuine datagrams, and the frame each one carries, by (sender, session, counter). */
  const genuine = new Map<string, Uint8Array>();
  const frameId = (s: string, session: bigint, counter: bigint) => `${s}/${session}/${counter}`;
  const makePool = (count: number, signed: boolean): Uint8Array[] =>
    Array.from({ length: count }, (_, i) => {
      const frame = new Uint8Array(Buffer.alloc(i % 7 === 0 ? 1200 : (i * 37) % 300, i));
      const datagram = signed ? senderGuard.sign(frame) : senderGuard.seal(receiver.keyId, frame);
      genuine.set(frameId(sender.keyId, senderGuard.sessionId, senderSession.lastCounter), frame);
      return datagram;
    });
  const sealedPool = makePool(200, false);
  const signedPool = makePool(40, true);
  const reasons = new Set<GuardDropReason>(GUARD_DROP_REASONS);

  const receiverGuard = new SecurePacketGuard({ identity: receiver, session: new LocalSession() });
  receiverGuard.learnPeer(sender.keyId, sender.publicKeys);
  const accepted = new Set<string>();

  function checkOpen(datagram: Uint8Array): void {
    const result = receiverGuard.open(datagram);
    if (!result.ok) {
      if (!reasons.has(result.reason)) throw new Error(`unknown drop reason ${result.reason}`);
      return;
    }
    const id = frameId(result.sender, result.senderSession, result.counter);
    // Authenticity: only frames the sender really produced, each under its own counter…
    expect(Buffer.from(result.frame)).toEqual(Buffer.from(genuine.get(id) ?? 'forged'));
    // …and never the same (sender, session, counter) twice.
    expect(accepted.has(id)).toBe(false);
    accepted.add(id);
  }

  test('random bytes, bare and behind a valid version/kind prefix (50,000)', () => {
    fc.assert(
      fc.property(fc.constantFrom<number[]>([], [1, 1], [1, 2]), fc.uint8Array({ maxLength: 600, size: 'max' }), (prefix, bytes) => {
        checkOpen(new Uint8Array([...prefix, ...bytes]));
      }),
      { numRuns: 50_000 },
    );
  }, FUZZ_TIMEOUT_MS);

  test('mutated sealed datagrams (42,000) and mutated signed datagrams (8,000)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sealedPool), fc.array(mutationArb, { maxLength: 4 }), (d, m) => checkOpen(mutate(d, m))),
      { numRuns: 42_000 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...signedPool), fc.array(mutationArb, { maxLength: 3 }), (d, m) => checkOpen(mutate(d, m))),
      { numRuns: 8_000 },
    );
    // Unmutated originals were drawn too: each was accepted once and only once, and counted.
    expect(accepted.size).toBeGreaterThan(50);
    const counts = receiverGuard.counters.snapshot();
    expect(counts.opened_sealed + counts.opened_signed).toBe(accepted.size);
    expect(counts.dropped_replay).toBeGreaterThan(0);
    expect(counts.dropped_bad_auth).toBeGreaterThan(0);
  }, FUZZ_TIMEOUT_MS);
});
