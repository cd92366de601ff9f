/**
 * Per-packet cost of the cryptographic primitives, measured here. Used by the protocol benchmark
 * only when bench/crypto-primitives.ts (the security layer's own measurement) is not available, plus
 * the cost of the real guard sealing and opening one full transport datagram, which is what every
 * reliable datagram pays.
 */
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import nacl from 'tweetnacl';
import { secureGuard } from '../protocol/net/loopback-harness';
import { generateIdentity } from '../protocol/security/identity';

/** Mean microseconds per call of `fn`, running it for about `budgetMs` (at least `minCalls` times). */
export function microsPerCall(fn: () => void, budgetMs = 300, minCalls = 5): number {
  fn(); // warm up
  const start = performance.now();
  let calls = 0;
  while (calls < minCalls || performance.now() - start < budgetMs) {
    fn();
    calls++;
  }
  return Number((((performance.now() - start) * 1000) / calls).toFixed(2));
}

export function measureOwnCrypto(datagramBytes = 1200): Record<string, number> {
  const body = nacl.randomBytes(datagramBytes - 44);
  const small = nacl.randomBytes(200);
  const alice = nacl.box.keyPair();
  const bob = nacl.box.keyPair();
  const shared = nacl.box.before(bob.publicKey, alice.secretKey);
  const nonce = nacl.randomBytes(24);
  const boxed = nacl.box.after(body, nonce, shared);
  const naclSign = nacl.sign.keyPair();
  const naclSig = nacl.sign.detached(small, naclSign.secretKey);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const nodeSig = nodeSign(null, small, privateKey);
  return {
    tweetnacl_box_after_seal_1200: microsPerCall(() => nacl.box.after(body, nonce, shared)),
    tweetnacl_box_after_open_1200: microsPerCall(() => nacl.box.open.after(boxed, nonce, shared)),
    tweetnacl_ed25519_sign_200: microsPerCall(() => nacl.sign.detached(small, naclSign.secretKey), 300, 3),
    tweetnacl_ed25519_verify_200: microsPerCall(() => nacl.sign.detached.verify(small, naclSig, naclSign.publicKey), 300, 3),
    node_ed25519_sign_200: microsPerCall(() => nodeSign(null, small, privateKey)),
    node_ed25519_verify_200: microsPerCall(() => nodeVerify(null, small, publicKey, nodeSig)),
  };
}

/** The real guard: seal + open of one full-size transport datagram, and of a small one. */
export function measureGuard(datagramBytes = 1200): Record<string, number> {
  const a = generateIdentity();
  const b = generateIdentity();
  const sender = secureGuard(a, [b]);
  const receiver = secureGuard(b, [a]);
  const full = new Uint8Array(datagramBytes - 44).fill(7);
  const small = new Uint8Array(40).fill(7);
  const sealedFull = sender.seal(b.keyId, full);
  return {
    guard_seal_full_datagram: microsPerCall(() => sender.seal(b.keyId, full)),
    // Opening the same datagram twice is a replay: each call opens a freshly sealed one, so subtract the seal.
    guard_seal_plus_open_full_datagram: microsPerCall(() => receiver.open(sender.seal(b.keyId, full))),
    guard_seal_plus_open_small: microsPerCall(() => receiver.open(sender.seal(b.keyId, small))),
    sealed_overhead_bytes: sealedFull.length - full.length,
  };
}
