import { fingerprintOfPublicKey } from './host-key';
import { ed25519KeyPair } from '../emulator/host-key';
import { parseSshTarget } from './ssh-target';

const fp = fingerprintOfPublicKey(ed25519KeyPair('t').public);

describe('parseSshTarget', () => {
  it('takes a JSON target with a pinned key, defaulting the port', () => {
    const t = parseSshTarget({ host: '10.0.0.1', username: 'poller', password: 'x', hostKeyFingerprint: fp });
    expect(t).toMatchObject({ host: '10.0.0.1', port: 22, username: 'poller', password: 'x', hostKey: { fingerprint: fp } });
  });

  it('uses the trust-on-first-use callback when no key is pinned, and refuses neither', () => {
    const tofu = (): boolean => true;
    expect(parseSshTarget({ host: 'h', username: 'u', password: 'p' }, tofu).hostKey).toEqual({ trustOnFirstUse: tofu });
    expect(() => parseSshTarget({ host: 'h', username: 'u', password: 'p' })).toThrow(/hostKeyFingerprint/);
  });

  it('names the bad field', () => {
    expect(() => parseSshTarget({ host: 'h', username: 'u', password: 'p', port: 70_000, hostKeyFingerprint: fp })).toThrow(/port/);
    expect(() => parseSshTarget({ host: 'h', username: 'u', hostKeyFingerprint: fp })).toThrow(/password or a privateKey/);
    expect(() => parseSshTarget({ host: 'h', username: 'u', password: 'p', hostKeyFingerprint: 'MD5:xx' })).toThrow(/hostKeyFingerprint/);
    expect(() => parseSshTarget({ host: 'h', username: 'u', password: 'p', hostKeyFingerprint: fp, extra: 1 })).toThrow(/extra|Unrecognized/i);
    expect(() => parseSshTarget('nope')).toThrow(TypeError);
  });
});
