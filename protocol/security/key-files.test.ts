import { testNeedingRoot } from '../../test/support/needs-root';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUnimatrixError } from '../errors';
import { encodePublicKeys, generateIdentity, signBytes, verifyBytes } from './identity';
import {
  CMA_PUBKEY_ENV,
  createIdentityFile,
  loadIdentity,
  loadOrCreateIdentity,
  readPublicKeyFile,
  resolveCmaPublicKey,
  writePublicKeyFile,
} from './key-files';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unimatrix-keys-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('identity key files', () => {
  test('created on first run with mode 0600 in a 0700 directory, loaded unchanged afterwards', () => {
    const file = path.join(dir, 'keys', 'nanoprobe.key');
    const oldUmask = process.umask(0o000); // even a permissive umask must not widen the mode
    let first;
    try {
      first = loadOrCreateIdentity(file);
    } finally {
      process.umask(oldUmask);
    }
    expect(first.created).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['nanoprobe.key']); // no temporary left behind

    const second = loadOrCreateIdentity(file);
    expect(second.created).toBe(false);
    expect(second.identity.keyId).toBe(first.identity.keyId);
    // The reloaded secrets really are the same keys: a signature from one verifies with the other.
    const message = new Uint8Array([1, 2, 3]);
    expect(verifyBytes(first.identity.publicKeys.ed25519, message, signBytes(second.identity, message))).toBe(true);
    expect(Buffer.from(second.identity.x25519Secret)).toEqual(Buffer.from(first.identity.x25519Secret));
  });

  test('a 0644 key file is refused with a message that says how to fix it', () => {
    const file = path.join(dir, 'cma.key');
    loadOrCreateIdentity(file);
    fs.chmodSync(file, 0o644);
    const err = errorOf(() => loadOrCreateIdentity(file));
    expect(isUnimatrixError(err, 'UNI_SEC_002')).toBe(true);
    expect((err as Error).message).toContain('0644');
    expect((err as Error).message).toContain(`chmod 600 ${file}`);
    expect(modeOf(file)).toBe(0o644); // refused, not silently changed
    fs.chmodSync(file, 0o640);
    expect(isUnimatrixError(errorOf(() => loadIdentity(file)), 'UNI_SEC_002')).toBe(true);
  });

  testNeedingRoot('a key file owned by another user is refused (needs root to set up)', () => {
    const file = path.join(dir, 'foreign.key');
    loadOrCreateIdentity(file);
    fs.chownSync(file, 65534, 65534);
    expect(isUnimatrixError(errorOf(() => loadIdentity(file)), 'UNI_SEC_004')).toBe(true);
  });

  test('repair mode fixes a loose mode to 0600 and says so', () => {
    const file = path.join(dir, 'cma.key');
    const created = loadOrCreateIdentity(file).identity;
    fs.chmodSync(file, 0o664);
    const repaired: Array<[string, number]> = [];
    const loaded = loadOrCreateIdentity(file, { repairMode: true, onRepair: (f, m) => repaired.push([f, m]) });
    expect(loaded.identity.keyId).toBe(created.keyId);
    expect(modeOf(file)).toBe(0o600);
    expect(repaired).toEqual([[file, 0o664]]);
  });

  test('a corrupt or tampered key file is refused, not replaced', () => {
    const file = path.join(dir, 'broken.key');
    fs.writeFileSync(file, '{"format":"something-else"}', { mode: 0o600 });
    expect(isUnimatrixError(errorOf(() => loadOrCreateIdentity(file)), 'UNI_SEC_003')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"format":"something-else"}');

    const good = path.join(dir, 'good.key');
    loadOrCreateIdentity(good);
    const json = JSON.parse(fs.readFileSync(good, 'utf8')) as Record<string, unknown>;
    json['keyId'] = '0000000000000000';
    fs.writeFileSync(good, JSON.stringify(json));
    expect(isUnimatrixError(errorOf(() => loadIdentity(good)), 'UNI_SEC_003')).toBe(true);
  });

  test('a creator that loses the race loads the winner\'s file instead of overwriting it', () => {
    const file = path.join(dir, 'race.key');
    const winner = loadOrCreateIdentity(file).identity;
    const before = fs.readFileSync(file, 'utf8');
    // The loser found no file when it looked, then the winner created it: the loser's create step runs.
    const loser = createIdentityFile(file);
    expect(loser.created).toBe(false);
    expect(loser.identity.keyId).toBe(winner.keyId);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['race.key']);
  });
});

describe('CMA public key', () => {
  const cma = generateIdentity().publicKeys;
  const text = encodePublicKeys(cma);

  test('from the environment variable', () => {
    const keys = resolveCmaPublicKey({ env: { [CMA_PUBKEY_ENV]: text } });
    expect(keys && encodePublicKeys(keys)).toBe(text);
  });

  test('from a file with comments, written by writePublicKeyFile', () => {
    const file = path.join(dir, 'cma.pub');
    writePublicKeyFile(file, cma, 'CMA key of lab-1');
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# CMA key of lab-1\n/);
    expect(encodePublicKeys(readPublicKeyFile(file))).toBe(text);
    const keys = resolveCmaPublicKey({ env: {}, file });
    expect(keys && encodePublicKeys(keys)).toBe(text);
  });

  test('neither given: undefined; both given and equal: fine; different: an error', () => {
    expect(resolveCmaPublicKey({ env: {} })).toBeUndefined();
    const file = path.join(dir, 'cma.pub');
    writePublicKeyFile(file, cma);
    expect(resolveCmaPublicKey({ env: { [CMA_PUBKEY_ENV]: text }, file })).toBeDefined();
    const other = encodePublicKeys(generateIdentity().publicKeys);
    expect(isUnimatrixError(errorOf(() => resolveCmaPublicKey({ env: { [CMA_PUBKEY_ENV]: other }, file })), 'UNI_SEC_006')).toBe(true);
  });

  test('malformed text is a clear error naming its source', () => {
    const err = errorOf(() => resolveCmaPublicKey({ env: { [CMA_PUBKEY_ENV]: 'abc' } }));
    expect(isUnimatrixError(err, 'UNI_SEC_005')).toBe(true);
    expect((err as Error).message).toContain(CMA_PUBKEY_ENV);
    const file = path.join(dir, 'two-lines.pub');
    fs.writeFileSync(file, `${text}\n${text}\n`);
    expect(isUnimatrixError(errorOf(() => readPublicKeyFile(file)), 'UNI_SEC_005')).toBe(true);
    const missing = errorOf(() => readPublicKeyFile(path.join(dir, 'missing.pub')));
    expect(isUnimatrixError(missing, 'UNI_SEC_013')).toBe(true);
    expect((missing as Error).message).toBe(`cannot read the public key file: ${path.join(dir, 'missing.pub')}: no such file`);
  });
});
