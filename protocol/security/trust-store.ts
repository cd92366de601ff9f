/**
 * Which key belongs to which host, as the CMA believes it.
 *
 * Mode `tofu` (trust on first use): the first key a host name presents is pinned; later the same key is
 * `known`, a different one is `key_changed` (refused, and reported so the CMA can raise an alert: a
 * re-imaged host, or someone impersonating it). Mode `registered-only`: only keys an operator registered
 * beforehand are accepted; an unknown host is `not_registered`. In both modes one key cannot serve two
 * host names (`key_in_use`: a cloned image carrying the same key file, or a renamed host that must be
 * forgotten first). An operator replaces a pin with `register`, or drops it with `forget`.
 *
 * Persistence: one JSON file, replaced atomically (temporary file, fsync, rename), mode 0600. Writes are
 * coalesced: many admissions at once cost one write, and `admit` resolves only after a write that
 * includes its pin, so an acknowledged host is never forgotten by a crash.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ProtocolProblem } from '../errors';
import { problem, UnimatrixError } from '../errors';
import type { KeyId } from '../guard';
import type { PublicKeys } from './identity';
import { keyIdOf, samePublicKeys } from './identity';

export type TrustMode = 'tofu' | 'registered-only';

export type PinnedHost = {
  hostname: string;
  keyId: KeyId;
  keys: PublicKeys;
  source: 'tofu' | 'registered';
  pinnedAt: string;
};

export type TrustDecision =
  | { status: 'pinned'; hostname: string; keyId: KeyId }
  | { status: 'known'; hostname: string; keyId: KeyId }
  | { status: 'key_changed'; hostname: string; keyId: KeyId; pinnedKeyId: KeyId; error: ProtocolProblem }
  | { status: 'key_in_use'; hostname: string; keyId: KeyId; pinnedHostname: string; error: ProtocolProblem }
  | { status: 'not_registered'; hostname: string; keyId: KeyId; error: ProtocolProblem };

const FORMAT = 'unimatrix-trust-store';

const keyText = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/)
  .transform((s) => new Uint8Array(Buffer.from(s, 'base64')));

const fileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  hosts: z.record(
    z.string(),
    z.object({
      keyId: z.string(),
      ed25519: keyText,
      x25519: keyText,
      source: z.enum(['tofu', 'registered']),
      pinnedAt: z.string(),
    }),
  ),
});

/** Host names compare case-insensitively and without a trailing dot, as DNS does. */
export function normaliseHostname(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/\.$/, '');
}

export class TrustStore {
  readonly file: string;
  readonly mode: TrustMode;
  private readonly hosts = new Map<string, PinnedHost>();
  private readonly hostByKeyId = new Map<KeyId, string>();
  private writing: Promise<void> | undefined;
  private dirty = false;
  private snapshotsWritten = 0;

  private constructor(file: string, mode: TrustMode) {
    this.file = file;
    this.mode = mode;
  }

  /** Loads the store (an absent file is an empty store; an unreadable one is an error, never discarded). */
  static async open(file: string, options: { mode?: TrustMode } = {}): Promise<TrustStore> {
    const store = new TrustStore(file, options.mode ?? 'tofu');
    let text: string | undefined;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new UnimatrixError('UNI_SEC_009', `${file}: cannot read`, { cause: err });
      }
    }
    if (text !== undefined) store.load(text);
    return store;
  }

  private load(text: string): void {
    let parsed: z.output<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch (err) {
      throw new UnimatrixError('UNI_SEC_009', `${this.file}: not a valid trust store; fix or move it aside`, { cause: err });
    }
    for (const [hostname, entry] of Object.entries(parsed.hosts)) {
      const keys = { ed25519: entry.ed25519, x25519: entry.x25519 };
      if (keyIdOf(keys.ed25519) !== entry.keyId) {
        throw new UnimatrixError('UNI_SEC_009', `${this.file}: key id of ${hostname} does not match its key`);
      }
      this.put({ hostname: normaliseHostname(hostname), keyId: entry.keyId, keys, source: entry.source, pinnedAt: entry.pinnedAt });
    }
  }

  /** Decides whether `hostname` may use `keys`; pins them on first use in TOFU mode (durably). */
  async admit(hostname: string, keys: PublicKeys): Promise<TrustDecision> {
    const name = normaliseHostname(hostname);
    const keyId = keyIdOf(keys.ed25519);
    const pinned = this.hosts.get(name);
    if (pinned !== undefined) {
      if (samePublicKeys(pinned.keys, keys)) return { status: 'known', hostname: name, keyId };
      return {
        status: 'key_changed',
        hostname: name,
        keyId,
        pinnedKeyId: pinned.keyId,
        error: problem('UNI_SEC_007', `${name} is pinned to ${pinned.keyId}, presented ${keyId}`),
      };
    }
    const owner = this.hostByKeyId.get(keyId);
    if (owner !== undefined) {
      return {
        status: 'key_in_use',
        hostname: name,
        keyId,
        pinnedHostname: owner,
        error: problem('UNI_SEC_012', `${keyId} is pinned to ${owner}, presented by ${name}`),
      };
    }
    if (this.mode === 'registered-only') {
      return { status: 'not_registered', hostname: name, keyId, error: problem('UNI_SEC_008', `${name} (${keyId})`) };
    }
    this.put({ hostname: name, keyId, keys: copyKeys(keys), source: 'tofu', pinnedAt: new Date().toISOString() });
    await this.flush();
    return { status: 'pinned', hostname: name, keyId };
  }

  /** Operator action: pre-register a host, or replace its pin after a legitimate re-key. */
  async register(hostname: string, keys: PublicKeys): Promise<void> {
    const name = normaliseHostname(hostname);
    const keyId = keyIdOf(keys.ed25519);
    const owner = this.hostByKeyId.get(keyId);
    if (owner !== undefined && owner !== name) {
      throw new UnimatrixError('UNI_SEC_012', `${keyId} is already pinned to ${owner}; forget it first`);
    }
    this.remove(name);
    this.put({ hostname: name, keyId, keys: copyKeys(keys), source: 'registered', pinnedAt: new Date().toISOString() });
    await this.flush();
  }

  /** Operator action: drop a host's pin (the next key it presents is trusted anew in TOFU mode). */
  async forget(hostname: string): Promise<boolean> {
    const removed = this.remove(normaliseHostname(hostname));
    if (removed) await this.flush();
    return removed;
  }

  lookup(hostname: string): PinnedHost | undefined {
    return this.hosts.get(normaliseHostname(hostname));
  }

  list(): PinnedHost[] {
    return [...this.hosts.values()];
  }

  /** How many times the file was written: concurrent admissions share writes. */
  get writes(): number {
    return this.snapshotsWritten;
  }

  /** Resolves once everything changed so far is on disk. */
  flush(): Promise<void> {
    this.dirty = true;
    this.writing ??= this.writeWhileDirty();
    return this.writing;
  }

  /** One writer at a time; a change made during a write causes one more write, not one per change. */
  private async writeWhileDirty(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.writeSnapshot();
        this.snapshotsWritten++;
      }
    } catch (err) {
      this.dirty = true; // the next flush retries
      throw new UnimatrixError('UNI_SEC_009', `${this.file}: cannot write`, { cause: err });
    } finally {
      // Cleared in the same tick the loop ends, so a later flush always starts a new write.
      this.writing = undefined;
    }
  }

  private async writeSnapshot(): Promise<void> {
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const hosts: Record<string, unknown> = {};
    for (const h of [...this.hosts.values()].sort((a, b) => a.hostname.localeCompare(b.hostname))) {
      hosts[h.hostname] = { keyId: h.keyId, ed25519: b64(h.keys.ed25519), x25519: b64(h.keys.x25519), source: h.source, pinnedAt: h.pinnedAt };
    }
    const text = `${JSON.stringify({ format: FORMAT, version: 1, hosts }, null, 2)}\n`;
    const dir = path.dirname(this.file);
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      const handle = await fs.promises.open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(temporary, this.file);
    } finally {
      await fs.promises.rm(temporary, { force: true });
    }
    await syncDirectory(dir);
  }

  private put(host: PinnedHost): void {
    this.hosts.set(host.hostname, host);
    this.hostByKeyId.set(host.keyId, host.hostname);
  }

  private remove(hostname: string): boolean {
    const existing = this.hosts.get(hostname);
    if (existing === undefined) return false;
    this.hosts.delete(hostname);
    this.hostByKeyId.delete(existing.keyId);
    return true;
  }
}

function copyKeys(keys: PublicKeys): PublicKeys {
  return { ed25519: new Uint8Array(keys.ed25519), x25519: new Uint8Array(keys.x25519) };
}

/** Makes the rename itself durable; some filesystems cannot open a directory, which is fine to skip. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}
