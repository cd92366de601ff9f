/**
 * The emulator's SSH host key, made fresh at start (tests trust it by fingerprint or skip checking).
 *
 * Which format: ssh2's key parser reads OpenSSH keys and the old PEM ones (`BEGIN RSA PRIVATE KEY`,
 * i.e. PKCS#1), not PKCS#8 (`BEGIN PRIVATE KEY`), which is all node:crypto writes for Ed25519. So
 * Ed25519 comes from ssh2's own generator (OpenSSH format; the default, since signing each key
 * exchange is ~50× cheaper than RSA and benches open many sessions), and RSA from node:crypto as PKCS#1
 * PEM, for clients that want RSA host keys.
 */
import { generateKeyPairSync } from 'node:crypto';
import { utils } from 'ssh2';

export type HostKeyType = 'ed25519' | 'rsa';

export interface HostKey {
  type: HostKeyType;
  /** What ssh2.Server's hostKeys takes. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…`, for a known_hosts line. */
  publicKey: string;
}

/**
 * An Ed25519 key pair in OpenSSH format (private key, `ssh-ed25519 …` line) that ssh2 can read back.
 * ssh2 1.17's generator drops a leading zero byte of the public key, so about 1 key in 220 (measured:
 * 90 of 20,000) comes out malformed and its own parser refuses it; such a key is thrown away and
 * another one made. The keys kept are therefore still uniformly random.
 */
export function ed25519KeyPair(comment = 'unimatrix-emulator'): { private: string; public: string } {
  for (let attempt = 0; attempt < 32; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) {
      return { private: pair.private, public: pair.public.trim() };
    }
  }
  throw new Error('could not generate a well-formed Ed25519 key');
}

export function generateHostKey(type: HostKeyType = 'ed25519'): HostKey {
  if (type === 'ed25519') {
    const pair = ed25519KeyPair();
    return { type, privateKey: pair.private, publicKey: pair.public };
  }
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const parsed = utils.parseKey(pair.privateKey);
  if (parsed instanceof Error) throw parsed;
  return { type, privateKey: pair.privateKey, publicKey: `ssh-rsa ${parsed.getPublicSSH().toString('base64')}` };
}
