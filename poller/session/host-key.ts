/**
 * Host-key checking. The caller either pins the device's key by its SHA-256 fingerprint (OpenSSH's
 * `SHA256:<base64>` form, as `ssh-keygen -lf` prints it) or supplies a trust-on-first-use callback;
 * there is no "accept anything" mode. A key trusted on first use is pinned for the life of the
 * connector, so a device whose key changes between reconnects is refused without asking again.
 */
import { createHash } from 'node:crypto';

export type TrustOnFirstUse = (fingerprint: string, device: { name: string; host: string; port: number }) => boolean | Promise<boolean>;

export type HostKeyPolicy =
  /** One fingerprint, or several (a key rollover). */
  | { fingerprint: string | readonly string[] }
  | { trustOnFirstUse: TrustOnFirstUse };

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob (SSH wire format), as OpenSSH shows it. */
export function fingerprintOfKeyBlob(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export function fingerprintOfPublicKey(line: string): string {
  const b64 = line.trim().split(/\s+/)[1];
  if (b64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new TypeError('not an OpenSSH public key line');
  return fingerprintOfKeyBlob(Buffer.from(b64, 'base64'));
}

/** Accepts `SHA256:abc…`, `abc…`, with or without base64 padding; returns the canonical form. */
export function normalizeFingerprint(input: unknown): string {
  if (typeof input !== 'string') throw new TypeError('a host-key fingerprint must be a string');
  const body = input.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  // 32 bytes of SHA-256 are 43 base64 characters unpadded.
  if (!/^[A-Za-z0-9+/]{43}$/.test(body)) throw new TypeError(`not a SHA-256 host-key fingerprint: ${JSON.stringify(input)}`);
  return `SHA256:${body}`;
}

export type HostKeyVerdict =
  | { ok: true; fingerprint: string }
  | { ok: false; code: 'host_key_mismatch' | 'host_key_untrusted'; message: string; fingerprint: string; cause?: unknown };

/**
 * One device's host-key state: the pinned fingerprints, or the TOFU callback and whatever it has
 * trusted so far. `check` is called with the key blob at every handshake.
 */
export class HostKeyChecker {
  private pinned: ReadonlySet<string> | undefined;
  private readonly tofu: TrustOnFirstUse | undefined;

  constructor(
    policy: HostKeyPolicy,
    private readonly device: { name: string; host: string; port: number },
  ) {
    if ('fingerprint' in policy) {
      const list = typeof policy.fingerprint === 'string' ? [policy.fingerprint] : policy.fingerprint;
      if (list.length === 0) throw new TypeError('a pinned host-key policy needs at least one fingerprint');
      this.pinned = new Set(list.map(normalizeFingerprint));
    } else if (typeof policy.trustOnFirstUse === 'function') {
      this.tofu = policy.trustOnFirstUse;
    } else {
      throw new TypeError('a host-key policy is { fingerprint } or { trustOnFirstUse }');
    }
  }

  /** The fingerprints a connection must present now (empty before first use under TOFU). */
  get expected(): readonly string[] {
    return this.pinned ? [...this.pinned] : [];
  }

  async check(blob: Uint8Array): Promise<HostKeyVerdict> {
    const fingerprint = fingerprintOfKeyBlob(blob);
    if (this.pinned) {
      if (this.pinned.has(fingerprint)) return { ok: true, fingerprint };
      return {
        ok: false,
        code: 'host_key_mismatch',
        fingerprint,
        message: `host key ${fingerprint} is not the pinned ${[...this.pinned].join(' or ')}`,
      };
    }
    let trusted: boolean;
    try {
      trusted = (await this.tofu!(fingerprint, this.device)) === true;
    } catch (cause) {
      return { ok: false, code: 'host_key_untrusted', fingerprint, message: `trust-on-first-use callback failed for ${fingerprint}`, cause };
    }
    if (!trusted) return { ok: false, code: 'host_key_untrusted', fingerprint, message: `host key ${fingerprint} was not trusted on first use` };
    // Two handshakes racing could both reach here; the first pin wins, the second is then checked against it.
    const pinnedMeanwhile = this.pinned as ReadonlySet<string> | undefined;
    if (pinnedMeanwhile) return pinnedMeanwhile.has(fingerprint) ? { ok: true, fingerprint } : { ok: false, code: 'host_key_mismatch', fingerprint, message: `host key ${fingerprint} changed during first use` };
    this.pinned = new Set([fingerprint]);
    return { ok: true, fingerprint };
  }
}
