import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ed25519KeyPair } from '../emulator/host-key';
import { fingerprintOfKeyBlob, fingerprintOfPublicKey, HostKeyChecker, normalizeFingerprint } from './host-key';

const key = ed25519KeyPair('t');
const other = ed25519KeyPair('t');
const blob = (line: string): Buffer => Buffer.from(line.split(' ')[1]!, 'base64');
const device = { name: 'r1', host: '127.0.0.1', port: 22 };

function sshKeygenFingerprint(line: string): string | undefined {
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-'));
    writeFileSync(path.join(dir, 'k.pub'), `${line}\n`);
    return execFileSync('ssh-keygen', ['-lf', path.join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
  } catch {
    return undefined; // no ssh-keygen here
  }
}

describe('fingerprints', () => {
  it('are OpenSSH SHA256 fingerprints', () => {
    const fp = fingerprintOfPublicKey(key.public);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintOfKeyBlob(blob(key.public))).toBe(fp);
    const openssh = sshKeygenFingerprint(key.public);
    if (openssh !== undefined) expect(fp).toBe(openssh);
  });

  it('normalise with or without prefix and padding, and refuse other text', () => {
    const fp = fingerprintOfPublicKey(key.public);
    expect(normalizeFingerprint(fp.slice('SHA256:'.length))).toBe(fp);
    expect(normalizeFingerprint(`${fp}=`)).toBe(fp);
    expect(() => normalizeFingerprint('MD5:aa:bb')).toThrow(TypeError);
    expect(() => normalizeFingerprint(42)).toThrow(TypeError);
  });
});

describe('HostKeyChecker', () => {
  it('accepts the pinned key and refuses another as host_key_mismatch', async () => {
    const c = new HostKeyChecker({ fingerprint: fingerprintOfPublicKey(key.public) }, device);
    expect(await c.check(blob(key.public))).toMatchObject({ ok: true });
    const bad = await c.check(blob(other.public));
    expect(bad).toMatchObject({ ok: false, code: 'host_key_mismatch' });
    if (!bad.ok) expect(bad.message).toContain(fingerprintOfPublicKey(other.public));
  });

  it('trust on first use: asks once, then pins what it trusted', async () => {
    const asked: string[] = [];
    const c = new HostKeyChecker({ trustOnFirstUse: (fp) => (asked.push(fp), true) }, device);
    expect(c.expected).toEqual([]);
    expect(await c.check(blob(key.public))).toMatchObject({ ok: true });
    expect(await c.check(blob(key.public))).toMatchObject({ ok: true });
    expect(await c.check(blob(other.public))).toMatchObject({ ok: false, code: 'host_key_mismatch' });
    expect(asked).toEqual([fingerprintOfPublicKey(key.public)]);
    expect(c.expected).toEqual([fingerprintOfPublicKey(key.public)]);
  });

  it('trust on first use: a refusal or a failing callback is host_key_untrusted', async () => {
    const no = new HostKeyChecker({ trustOnFirstUse: async () => false }, device);
    expect(await no.check(blob(key.public))).toMatchObject({ ok: false, code: 'host_key_untrusted' });
    const broken = new HostKeyChecker({ trustOnFirstUse: () => { throw new Error('store down'); } }, device);
    expect(await broken.check(blob(key.public))).toMatchObject({ ok: false, code: 'host_key_untrusted' });
  });

  it('refuses a policy without a key or callback', () => {
    expect(() => new HostKeyChecker({ fingerprint: [] }, device)).toThrow(TypeError);
    expect(() => new HostKeyChecker({} as never, device)).toThrow(TypeError);
  });
});
