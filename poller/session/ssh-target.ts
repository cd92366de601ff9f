/**
 * Where and how to log in to one device over SSH, and its validation: targets come from
 * configuration files and the CMA, so `parseSshTarget` takes `unknown` and names the bad field. The
 * host-key policy is given separately when it is a callback (trust on first use), since functions do
 * not travel in JSON.
 */
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import type { HostKeyPolicy } from './host-key';
import { normalizeFingerprint } from './host-key';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  password?: string;
  /** An OpenSSH or PEM private key. */
  privateKey?: string;
  passphrase?: string;
  hostKey: HostKeyPolicy;
  /** SSH-level keepalive every this many ms (0: off). Default 30 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is declared dead. Default 3. */
  keepaliveCountMax?: number;
}

const fingerprint = z.string().refine((s) => {
  try {
    normalizeFingerprint(s);
    return true;
  } catch {
    return false;
  }
}, 'a SHA-256 fingerprint (SHA256:<43 base64 characters>)');

const targetSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65_535).default(22),
    username: z.string().min(1).max(256),
    password: z.string().optional(),
    privateKey: z.string().min(1).optional(),
    passphrase: z.string().optional(),
    hostKeyFingerprint: z.union([fingerprint, z.array(fingerprint).min(1)]).optional(),
    keepaliveIntervalMs: z.number().int().min(0).optional(),
    keepaliveCountMax: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((t) => t.password !== undefined || t.privateKey !== undefined, { message: 'a password or a privateKey is needed' });

/**
 * A target from JSON-like input. Its host key is pinned by `hostKeyFingerprint`; without one,
 * `trustOnFirstUse` must be given, else the target is refused (never "accept any key").
 */
export function parseSshTarget(input: unknown, trustOnFirstUse?: Extract<HostKeyPolicy, { trustOnFirstUse: unknown }>['trustOnFirstUse']): SshTarget {
  const r = targetSchema.safeParse(input);
  if (!r.success) throw new TypeError(`bad SSH target: ${formatIssues(r.error.issues, { root: 'target' })}`);
  const { hostKeyFingerprint, ...rest } = r.data;
  let hostKey: HostKeyPolicy;
  if (hostKeyFingerprint !== undefined) hostKey = { fingerprint: hostKeyFingerprint };
  else if (trustOnFirstUse !== undefined) hostKey = { trustOnFirstUse };
  else throw new TypeError('bad SSH target: hostKeyFingerprint: required unless a trust-on-first-use callback is given');
  const target: SshTarget = { host: rest.host, port: rest.port, username: rest.username, hostKey };
  if (rest.password !== undefined) target.password = rest.password;
  if (rest.privateKey !== undefined) target.privateKey = rest.privateKey;
  if (rest.passphrase !== undefined) target.passphrase = rest.passphrase;
  if (rest.keepaliveIntervalMs !== undefined) target.keepaliveIntervalMs = rest.keepaliveIntervalMs;
  if (rest.keepaliveCountMax !== undefined) target.keepaliveCountMax = rest.keepaliveCountMax;
  return target;
}
