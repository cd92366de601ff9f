import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { isUnimatrixError } from '../errors';
import {
  decodePublicKeys,
  derivePairKey,
  encodePublicKeys,
  generateIdentity,
  identityFromSecrets,
  keyIdOf,
  signBytes,
  verifyBytes,
} from './identity';

/** Ed25519 group order L; adding it to S gives the classic malleated (non-canonical) signature. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function malleate(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).reverse().toString('hex')}`);
  const sPlusL = Buffer.from((s + L).toString(16).padStart(64, '0'), 'hex').reverse();
  return new Uint8Array([...signature.subarray(0, 32), ...sPlusL]);
}

describe('identity', () => {
  test('node:crypto and tweetnacl produce byte-identical Ed25519 signatures and public keys', () => {
    const seed = randomBytes(32);
    const identity = identityFromSecrets(seed, randomBytes(32));
    const naclPair = nacl.sign.keyPair.fromSeed(seed);
    expect(Buffer.from(identity.publicKeys.ed25519)).toEqual(Buffer.from(naclPair.publicKey));
    const message = randomBytes(300);
    const ours = signBytes(identity, message);
    expect(Buffer.from(ours)).toEqual(Buffer.from(nacl.sign.detached(message, naclPair.secretKey)));
    expect(nacl.sign.detached.verify(message, ours, naclPair.publicKey)).toBe(true);
  });

  test('verify accepts the genuine signature and refuses a tampered message or signature', () => {
    const identity = generateIdentity();
    const message = new Uint8Array(randomBytes(64));
    const signature = signBytes(identity, message);
    expect(verifyBytes(identity.publicKeys.ed25519, message, signature)).toBe(true);
    const tamperedMessage = new Uint8Array(message);
    tamperedMessage[5] = (tamperedMessage[5] ?? 0) ^ 1;
    expect(verifyBytes(identity.publicKeys.ed25519, tamperedMessage, signature)).toBe(false);
    const tamperedSignature = new Uint8Array(signature);
    tamperedSignature[40] = (tamperedSignature[40] ?? 0) ^ 0x80;
    expect(verifyBytes(identity.publicKeys.ed25519, message, tamperedSignature)).toBe(false);
    expect(verifyBytes(generateIdentity().publicKeys.ed25519, message, signature)).toBe(false);
    expect(verifyBytes(new Uint8Array(5), message, signature)).toBe(false);
    expect(verifyBytes(identity.publicKeys.ed25519, message, signature.subarray(0, 63))).toBe(false);
  });

  test('a malleated signature (S + L) is refused by our verify, though tweetnacl accepts it', () => {
    const identity = generateIdentity();
    const message = new Uint8Array(randomBytes(100));
    const malleated = malleate(signBytes(identity, message));
    expect(nacl.sign.detached.verify(message, malleated, identity.publicKeys.ed25519)).toBe(true);
    expect(verifyBytes(identity.publicKeys.ed25519, message, malleated)).toBe(false);
  });

  test('key id is the first 8 bytes of SHA-256 of the Ed25519 public key', () => {
    const key = new Uint8Array(32); // SHA-256 of 32 zero bytes starts 66687aadf862bd77
    expect(keyIdOf(key)).toBe('66687aadf862bd77');
    const identity = generateIdentity();
    expect(identity.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(identity.keyId).toBe(keyIdOf(identity.publicKeys.ed25519));
  });

  test('the pair key equals nacl.box.before, and is the same from both sides', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    const ab = derivePairKey(a, b.publicKeys.x25519);
    expect(Buffer.from(ab)).toEqual(Buffer.from(nacl.box.before(b.publicKeys.x25519, a.x25519Secret)));
    expect(Buffer.from(derivePairKey(b, a.publicKeys.x25519))).toEqual(Buffer.from(ab));
  });

  test('a low-order X25519 key is refused instead of yielding a public pair key', () => {
    let caught: unknown;
    try {
      derivePairKey(generateIdentity(), new Uint8Array(32)); // the all-zero point
    } catch (err) {
      caught = err;
    }
    expect(isUnimatrixError(caught, 'UNI_SEC_011')).toBe(true);
  });

  test('public key text round-trips and refuses garbage', () => {
    const keys = generateIdentity().publicKeys;
    const text = encodePublicKeys(keys);
    const back = decodePublicKeys(`  ${text}\n`);
    expect(Buffer.from(back.ed25519)).toEqual(Buffer.from(keys.ed25519));
    expect(Buffer.from(back.x25519)).toEqual(Buffer.from(keys.x25519));
    expect(() => decodePublicKeys(text.slice(4))).toThrow(/UNI_SEC_005|base64/);
    expect(() => decodePublicKeys('not a key')).toThrow();
  });
});
