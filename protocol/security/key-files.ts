/**
 * Key files on disk.
 *
 * Identity file (one per daemon): created on first run with mode 0600 in a 0700 directory, loaded on
 * later runs. A file readable by group or others is refused with an error that says how to fix it (or
 * repaired to 0600 when the caller opts in), like OpenSSH does with private keys; so is a file owned by
 * another user. Creation is atomic and race-free: written to a temporary file, then hard-linked into
 * place, so two processes starting at once end up with the same identity, never a torn file.
 *
 * Public key text (the CMA's keys, handed to nanoprobes): base64 of Ed25519 ‖ X25519 (64 bytes), given
 * in the environment variable UNIMATRIX_CMA_PUBKEY or in a file holding that line (lines starting with
 * '#' are comments).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UnimatrixError } from '../errors';
import type { Identity, PublicKeys } from './identity';
import { decodePublicKeys, encodePublicKeys, generateIdentity, identityFromSecrets, samePublicKeys } from './identity';

export const CMA_PUBKEY_ENV = 'UNIMATRIX_CMA_PUBKEY';
export const IDENTITY_FILE_MODE = 0o600;
export const KEY_DIRECTORY_MODE = 0o700;
const IDENTITY_FORMAT = 'unimatrix-identity';
const MAX_KEY_FILE_BYTES = 64 * 1024;

const base64Key = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'expected base64 of 32 bytes')
  .transform((s) => new Uint8Array(Buffer.from(s, 'base64')));

const identityFileSchema = z.object({
  format: z.literal(IDENTITY_FORMAT),
  version: z.literal(1),
  keyId: z.string(),
  ed25519Seed: base64Key,
  x25519Secret: base64Key,
  createdAt: z.string(),
});

export type KeyFileOptions = {
  /** Fix a group/world-readable identity file to 0600 instead of refusing it. */
  repairMode?: boolean;
  /** Told about a repair (so the daemon can log it). */
  onRepair?: (file: string, oldMode: number) => void;
};

export type LoadedIdentity = { identity: Identity; created: boolean };

export function loadOrCreateIdentity(file: string, options: KeyFileOptions = {}): LoadedIdentity {
  try {
    return { identity: loadIdentity(file, options), created: false };
  } catch (err) {
    if (!isMissingFile(err)) throw err;
  }
  return createIdentityFile(file, options);
}

/**
 * Creates a new identity file, unless one appears meanwhile (another process starting at the same
 * time): then that one is loaded and returned with `created: false`, never overwritten.
 */
export function createIdentityFile(file: string, options: KeyFileOptions = {}): LoadedIdentity {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: KEY_DIRECTORY_MODE });
  const identity = generateIdentity();
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = fs.openSync(temporary, 'wx', IDENTITY_FILE_MODE);
    try {
      fs.fchmodSync(fd, IDENTITY_FILE_MODE); // independent of the umask
      fs.writeSync(fd, serialiseIdentity(identity));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temporary, file); // atomic, and fails if the file exists: then theirs wins
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { identity: loadIdentity(file, options), created: false };
      throw err;
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return { identity, created: true };
}

function isMissingFile(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export function loadIdentity(file: string, options: KeyFileOptions = {}): Identity {
  const text = readPrivateFile(file, options);
  let parsed: z.output<typeof identityFileSchema>;
  try {
    parsed = identityFileSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new UnimatrixError('UNI_SEC_003', `${file}: not a Unimatrix identity file`, { cause: err });
  }
  const identity = identityFromSecrets(parsed.ed25519Seed, parsed.x25519Secret);
  if (identity.keyId !== parsed.keyId) {
    throw new UnimatrixError('UNI_SEC_003', `${file}: stored key id ${parsed.keyId} does not match its keys (${identity.keyId})`);
  }
  return identity;
}

function serialiseIdentity(identity: Identity): string {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return `${JSON.stringify(
    {
      format: IDENTITY_FORMAT,
      version: 1,
      keyId: identity.keyId,
      ed25519Seed: b64(identity.ed25519Seed),
      x25519Secret: b64(identity.x25519Secret),
      createdAt: new Date().toISOString(),
    },
    null,
    2,
  )}\n`;
}

/** Reads a secret file through one descriptor, so the checks and the read see the same file. */
function readPrivateFile(file: string, options: KeyFileOptions): string {
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new UnimatrixError('UNI_SEC_003', `${file} is not a regular file`);
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new UnimatrixError('UNI_SEC_004', `${file} belongs to uid ${stat.uid}, this process runs as uid ${uid}`);
    }
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      if (options.repairMode !== true) {
        throw new UnimatrixError(
          'UNI_SEC_002',
          `${file} has mode ${octal(mode)}; a private key must be readable by its owner only. Fix it with: chmod 600 ${file}`,
        );
      }
      fs.fchmodSync(fd, IDENTITY_FILE_MODE);
      options.onRepair?.(file, mode);
    }
    if (stat.size > MAX_KEY_FILE_BYTES) throw new UnimatrixError('UNI_SEC_003', `${file} is ${stat.size} bytes, too large for a key file`);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;

/** Writes public key text (safe to share; mode 0644). */
export function writePublicKeyFile(file: string, keys: PublicKeys, comment?: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const header = comment === undefined ? '' : `# ${comment.replace(/\n/g, ' ')}\n`;
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temporary, `${header}${encodePublicKeys(keys)}\n`, { mode: 0o644 });
  fs.renameSync(temporary, file);
}

export function readPublicKeyFile(file: string): PublicKeys {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.size > MAX_KEY_FILE_BYTES) throw new Error(`${stat.size} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UnimatrixError('UNI_SEC_013', `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length !== 1 || lines[0] === undefined) {
    throw new UnimatrixError('UNI_SEC_005', `${file}: expected exactly one key line, found ${lines.length}`);
  }
  try {
    return decodePublicKeys(lines[0]);
  } catch (err) {
    throw new UnimatrixError('UNI_SEC_005', `${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The CMA's public keys for a nanoprobe, from UNIMATRIX_CMA_PUBKEY and/or a file. Undefined when
 * neither is given (the caller decides whether that is allowed). Both given and different: an error,
 * rather than silently preferring one.
 */
export function resolveCmaPublicKey(options: { env?: NodeJS.ProcessEnv; file?: string } = {}): PublicKeys | undefined {
  const env = options.env ?? process.env;
  const fromEnvText = env[CMA_PUBKEY_ENV];
  let fromEnv: PublicKeys | undefined;
  if (fromEnvText !== undefined && fromEnvText.trim() !== '') {
    try {
      fromEnv = decodePublicKeys(fromEnvText);
    } catch (err) {
      throw new UnimatrixError('UNI_SEC_005', `${CMA_PUBKEY_ENV}: ${(err as Error).message}`, { cause: err });
    }
  }
  const fromFile = options.file === undefined ? undefined : readPublicKeyFile(options.file);
  if (fromEnv !== undefined && fromFile !== undefined && !samePublicKeys(fromEnv, fromFile)) {
    throw new UnimatrixError('UNI_SEC_006', `${CMA_PUBKEY_ENV} and ${options.file ?? 'the key file'} name different CMA keys`);
  }
  return fromEnv ?? fromFile;
}
