/**
 * A process's cryptographic identity: an Ed25519 key pair (who we are; signatures) and an X25519 key
 * pair (key agreement for per-packet sealing).
 *
 * Implementation choices, measured on this machine (bench/crypto-primitives.ts):
 *  - Ed25519 via node:crypto (OpenSSL): ~100x faster than tweetnacl's, byte-identical RFC 8032
 *    signatures, and it refuses non-canonical signatures (S >= L), which tweetnacl accepts.
 *  - X25519 agreement via node:crypto plus tweetnacl's HSalsa20 step gives exactly `nacl.box.before`
 *    (the pair key for XSalsa20-Poly1305) at about a tenth of its cost; the per-packet sealing itself
 *    stays with tweetnacl's `box.after`.
 * Raw 32-byte public keys are imported as JWK: an order of magnitude cheaper in Node 20 than a DER
 * wrapper (private keys are imported once per process, from PKCS#8, which also derives the public half).
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { UnimatrixError } from '../errors';
import type { KeyId } from '../guard';

export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const KEY_ID_BYTES = 8;

export type PublicKeys = { ed25519: Uint8Array; x25519: Uint8Array };

export type Identity = {
  readonly keyId: KeyId;
  readonly publicKeys: Readonly<PublicKeys>;
  /** Secrets: the 32-byte Ed25519 seed and X25519 secret scalar. Never log or send these. */
  readonly ed25519Seed: Uint8Array;
  readonly x25519Secret: Uint8Array;
  readonly signingKey: KeyObject;
  readonly agreementKey: KeyObject;
};

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** Key id = first 8 bytes of SHA-256 of the Ed25519 public key, as 16 lower-case hex digits. */
export function keyIdOf(ed25519Public: Uint8Array): KeyId {
  return createHash('sha256').update(ed25519Public).digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

/** DER prefixes of a PKCS#8 private key for RFC 8410 curves; the 32-byte secret follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function rawPublicKey(privateKey: KeyObject): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new UnimatrixError('UNI_SEC_003', 'cannot derive the public key');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

export function generateIdentity(): Identity {
  return identityFromSecrets(randomBytes(KEY_BYTES), randomBytes(KEY_BYTES));
}

export function identityFromSecrets(ed25519Seed: Uint8Array, x25519Secret: Uint8Array): Identity {
  if (ed25519Seed.byteLength !== KEY_BYTES || x25519Secret.byteLength !== KEY_BYTES) {
    throw new UnimatrixError('UNI_SEC_003', 'secrets must be 32 bytes each');
  }
  const seed = new Uint8Array(ed25519Seed);
  const secret = new Uint8Array(x25519Secret);
  // Imported from PKCS#8 (seed only) so OpenSSL derives the public halves: ~0.5 ms, vs ~7 ms in tweetnacl.
  const signingKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const agreementKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const ed25519 = rawPublicKey(signingKey);
  const x25519 = rawPublicKey(agreementKey);
  return {
    keyId: keyIdOf(ed25519),
    publicKeys: { ed25519, x25519 },
    ed25519Seed: seed,
    x25519Secret: secret,
    signingKey,
    agreementKey,
  };
}

export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== KEY_BYTES) throw new UnimatrixError('UNI_SEC_011', 'Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

export function signBytes(identity: Identity, data: Uint8Array): Uint8Array {
  return sign(null, data, identity.signingKey);
}

/** True only for a valid, canonical signature. Never throws (a malformed key is just "invalid"). */
export function verifyBytes(publicKey: Uint8Array | KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.byteLength !== SIGNATURE_BYTES) return false;
  try {
    const key = publicKey instanceof Uint8Array ? ed25519PublicKeyObject(publicKey) : publicKey;
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}

/** tweetnacl's low-level API is public but missing from its type declarations. */
type HSalsa20 = (out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array) => number;
const hsalsa20 = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20: HSalsa20 } }).lowlevel.crypto_core_hsalsa20;

const HSALSA_ZERO_NONCE = new Uint8Array(16);
const SIGMA = new Uint8Array(Buffer.from('expand 32-byte k', 'latin1'));

/**
 * The symmetric key shared by us and a peer: X25519 then HSalsa20, exactly `nacl.box.before`. Both
 * directions of a conversation use this same key, which is why nonces include the sender's key id.
 * Throws UNI_SEC_011 for a low-order public key (the shared secret would be all zeros, i.e. public).
 */
export function derivePairKey(identity: Identity, peerX25519: Uint8Array): Uint8Array {
  if (peerX25519.byteLength !== KEY_BYTES) throw new UnimatrixError('UNI_SEC_011', 'X25519 public key must be 32 bytes');
  let shared: Buffer;
  try {
    const peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(peerX25519) }, format: 'jwk' });
    shared = diffieHellman({ privateKey: identity.agreementKey, publicKey: peerKey });
  } catch (err) {
    throw new UnimatrixError('UNI_SEC_011', 'X25519 agreement failed (low-order or invalid public key)', { cause: err });
  }
  const pairKey = new Uint8Array(32);
  hsalsa20(pairKey, HSALSA_ZERO_NONCE, new Uint8Array(shared), SIGMA);
  shared.fill(0);
  return pairKey;
}

/** Public keys as text (base64 of Ed25519 || X25519, 64 bytes): for env vars, files and the CLI. */
export function encodePublicKeys(keys: PublicKeys): string {
  return Buffer.concat([keys.ed25519, keys.x25519]).toString('base64');
}

export function decodePublicKeys(text: string): PublicKeys {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{86}==$/.test(trimmed)) {
    throw new UnimatrixError('UNI_SEC_005', 'expected base64 of 64 bytes (Ed25519 then X25519 public key)');
  }
  const raw = Buffer.from(trimmed, 'base64');
  return { ed25519: new Uint8Array(raw.subarray(0, KEY_BYTES)), x25519: new Uint8Array(raw.subarray(KEY_BYTES)) };
}

export function samePublicKeys(a: PublicKeys, b: PublicKeys): boolean {
  return Buffer.from(a.ed25519).equals(b.ed25519) && Buffer.from(a.x25519).equals(b.x25519);
}
