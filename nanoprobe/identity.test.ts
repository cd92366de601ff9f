import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePublicKeys, generateIdentity } from '../protocol/security/identity';
import { configuredCmaKeys, loadNanoprobeIdentity } from './identity';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nanoprobe-identity-'));
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('nanoprobe identity', () => {
  it('creates the state directory 0700 with a 0600 key, and loads the same key on the next start', () => {
    const dir = path.join(tmp, 'fresh', 'state');
    const first = loadNanoprobeIdentity(dir);
    expect(first.created).toBe(true);
    expect(mode(dir)).toBe(0o700);
    expect(mode(first.file)).toBe(0o600);
    const second = loadNanoprobeIdentity(dir);
    expect(second).toMatchObject({ created: false, identity: { keyId: first.identity.keyId } });
  });

  it('tightens a state directory others can read, and says so', () => {
    const dir = path.join(tmp, 'loose');
    mkdirSync(dir, { mode: 0o755 });
    const repaired: string[] = [];
    loadNanoprobeIdentity(dir, (what) => repaired.push(what));
    expect(mode(dir)).toBe(0o700);
    expect(repaired).toEqual([expect.stringContaining('set to 0700')]);
  });

  it('reads the CMA key from UNIMATRIX_CMA_PUBKEY, or none (trust on first use)', () => {
    const cma = generateIdentity().publicKeys;
    expect(configuredCmaKeys(undefined, { UNIMATRIX_CMA_PUBKEY: encodePublicKeys(cma) })).toEqual({ ed25519: cma.ed25519, x25519: cma.x25519 });
    expect(configuredCmaKeys(undefined, {})).toBeUndefined();
    expect(() => configuredCmaKeys(undefined, { UNIMATRIX_CMA_PUBKEY: 'not a key' })).toThrow(/UNIMATRIX_CMA_PUBKEY/);
  });
});
