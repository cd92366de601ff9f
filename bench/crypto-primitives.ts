/**
 * Benchmark: the per-operation cost of every cryptographic primitive the protocol considered, and of the
 * packet guard as a whole, in microseconds per operation. This is the measurement behind the choices in
 * protocol/security/identity.ts (Ed25519 from node:crypto, sealing with tweetnacl's box.after).
 *
 *   npm run bench -- crypto-primitives
 *
 * bench/protocol.ts imports `measureCryptoPrimitives` for its `crypto_us`.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import nacl from 'tweetnacl';
import { decodeMessage, encodeMessage } from '../protocol/codec';
import { makeMessage } from '../protocol/message-types';
import { derivePairKey, generateIdentity } from '../protocol/security/identity';
import { SecurePacketGuard } from '../protocol/security/packet-guard';
import { LocalSession } from '../protocol/security/session';

type Options = { minMs: number; minIterations: number };

/** Runs `op` until both a minimum time and a minimum count are reached (after a warm-up); µs per call. */
function perOp(op: () => unknown, options: Options): number {
  // Warm-up (JIT, key caches): a few calls, and at least a fifth of the measuring time.
  const warmUntil = process.hrtime.bigint() + BigInt(Math.round(options.minMs * 200_000));
  for (let i = 0; i < 3 || (i < options.minIterations && process.hrtime.bigint() < warmUntil); i++) op();
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (iterations < options.minIterations || elapsedNs < BigInt(options.minMs) * 1_000_000n) {
    op();
    iterations++;
    if ((iterations & 7) === 0 || iterations >= options.minIterations) elapsedNs = process.hrtime.bigint() - start;
  }
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

/** For operations that consume their input (opening packets: each counter is accepted once). */
function perOpBatch<T>(prepare: (count: number) => T[], consume: (item: T) => unknown, count: number): number {
  for (const item of prepare(Math.min(count, 50))) consume(item); // warm-up
  const items = prepare(count);
  const start = process.hrtime.bigint();
  for (const item of items) consume(item);
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

const round = (us: number): number => Math.round(us * 100) / 100;

export function measureCryptoPrimitives(options: { quick?: boolean } = {}): Record<string, number> {
  const scale = options.quick === true ? 0.2 : 1;
  const fast: Options = { minMs: 300 * scale, minIterations: Math.ceil(2000 * scale) };
  const slow: Options = { minMs: 400 * scale, minIterations: Math.max(5, Math.ceil(30 * scale)) };
  const batch = Math.ceil(20_000 * scale);
  const log = (what: string) => process.stderr.write(`crypto-primitives: ${what}\n`);

  const message = new Uint8Array(randomBytes(200));
  const naclKeys = nacl.sign.keyPair();
  const seed = naclKeys.secretKey.subarray(0, 32);
  const nodePrivate = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const nodePublic = createPublicKey(nodePrivate);
  const signature = sign(null, message, nodePrivate);
  const us: Record<string, number> = {};

  log('Ed25519 (tweetnacl, slow)');
  us['tweetnacl_ed25519_sign'] = perOp(() => nacl.sign.detached(message, naclKeys.secretKey), slow);
  us['tweetnacl_ed25519_verify'] = perOp(() => nacl.sign.detached.verify(message, signature, naclKeys.publicKey), slow);
  log('Ed25519 (node:crypto)');
  us['node_ed25519_sign'] = perOp(() => sign(null, message, nodePrivate), fast);
  us['node_ed25519_verify'] = perOp(() => verify(null, message, nodePublic, signature), fast);

  log('X25519 pair key');
  const a = generateIdentity();
  const b = generateIdentity();
  us['tweetnacl_box_before'] = perOp(() => nacl.box.before(b.publicKeys.x25519, a.x25519Secret), slow);
  us['node_x25519_pair_key'] = perOp(() => derivePairKey(a, b.publicKeys.x25519), fast);

  log('XSalsa20-Poly1305 (tweetnacl box.after)');
  const pairKey = derivePairKey(a, b.publicKeys.x25519);
  const nonce = new Uint8Array(randomBytes(24));
  for (const size of [100, 1200]) {
    const plain = new Uint8Array(randomBytes(size));
    const boxed = nacl.box.after(plain, nonce, pairKey);
    us[`box_after_seal_${size}b`] = perOp(() => nacl.box.after(plain, nonce, pairKey), fast);
    us[`box_open_after_${size}b`] = perOp(() => nacl.box.open.after(boxed, nonce, pairKey), fast);
  }

  log('packet guard, whole datagrams');
  const sender = new SecurePacketGuard({ identity: a, session: new LocalSession() });
  const receiver = new SecurePacketGuard({ identity: b, session: new LocalSession() });
  sender.learnPeer(b.keyId, b.publicKeys);
  receiver.learnPeer(a.keyId, a.publicKeys);
  const mustOpen = (d: Uint8Array) => {
    if (!receiver.open(d).ok) throw new Error('benchmark datagram was rejected');
  };
  for (const size of [100, 1200]) {
    const frame = new Uint8Array(randomBytes(size));
    us[`guard_seal_${size}b`] = perOp(() => sender.seal(b.keyId, frame), fast);
    const sealBatch = (n: number) => Array.from({ length: n }, () => sender.seal(b.keyId, frame));
    us[`guard_open_${size}b`] = perOpBatch(sealBatch, mustOpen, batch);
  }
  const announceSized = new Uint8Array(randomBytes(300));
  us['guard_sign_300b'] = perOp(() => sender.sign(announceSized), fast);
  const signBatch = (n: number) => Array.from({ length: n }, () => sender.sign(announceSized));
  us['guard_open_signed_300b'] = perOpBatch(signBatch, mustOpen, Math.ceil(batch / 10));

  log('codec (heartbeat)');
  const heartbeat = makeMessage('HEARTBEAT', { seq: 123_456, sentAt: Date.now() });
  const heartbeatBytes = encodeMessage(heartbeat);
  us['codec_encode_heartbeat'] = perOp(() => encodeMessage(heartbeat), fast);
  us['codec_decode_heartbeat'] = perOp(() => decodeMessage(heartbeatBytes), fast);

  return Object.fromEntries(Object.entries(us).map(([k, v]) => [k, round(v)]));
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const quick = args.includes('--quick');
  // Checked, not assumed: the two Ed25519 implementations must agree byte for byte.
  const keys = nacl.sign.keyPair();
  const message = new Uint8Array(randomBytes(100));
  const nodeKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), keys.secretKey.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const identical = Buffer.from(sign(null, message, nodeKey)).equals(Buffer.from(nacl.sign.detached(message, keys.secretKey)));
  const cryptoUs = measureCryptoPrimitives({ quick });
  const perSecond = (key: string) => Math.round(1e6 / (cryptoUs[key] ?? Number.NaN));
  return {
    bench: 'crypto-primitives',
    node: process.version,
    signatures_identical: identical,
    crypto_us: cryptoUs,
    ops_per_s: {
      tweetnacl_ed25519_sign: perSecond('tweetnacl_ed25519_sign'),
      tweetnacl_ed25519_verify: perSecond('tweetnacl_ed25519_verify'),
      node_ed25519_sign: perSecond('node_ed25519_sign'),
      node_ed25519_verify: perSecond('node_ed25519_verify'),
      guard_seal_1200b: perSecond('guard_seal_1200b'),
      guard_open_1200b: perSecond('guard_open_1200b'),
    },
  };
}
