import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUnimatrixError } from '../errors';
import type { PublicKeys } from './identity';
import { generateIdentity } from './identity';
import { TrustStore } from './trust-store';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unimatrix-trust-'));
  file = path.join(dir, 'state', 'trusted-hosts.json');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const keys = (): PublicKeys => generateIdentity().publicKeys;

describe('trust on first use', () => {
  test('the first key is pinned durably; the same key later is known, also after a restart', async () => {
    const web1 = keys();
    const store = await TrustStore.open(file);
    const first = await store.admit('web-01', web1);
    expect(first.status).toBe('pinned');
    // Durable as soon as admit resolves: a fresh process reading the file sees the pin.
    const reopened = await TrustStore.open(file);
    expect(await reopened.admit('WEB-01.', web1)).toMatchObject({ status: 'known', hostname: 'web-01' });
    expect(reopened.lookup('web-01')?.source).toBe('tofu');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['trusted-hosts.json']); // no temporary left
  });

  test('a different key later for the same host is refused and reported', async () => {
    const store = await TrustStore.open(file);
    const original = keys();
    await store.admit('db-01', original);
    const impostor = keys();
    const decision = await store.admit('db-01', impostor);
    expect(decision.status).toBe('key_changed');
    if (decision.status !== 'key_changed') return;
    expect(decision.error.code).toBe('UNI_SEC_007');
    expect(decision.pinnedKeyId).toBe(store.lookup('db-01')?.keyId);
    expect(decision.keyId).not.toBe(decision.pinnedKeyId);
    // The pin is unchanged, in memory and on disk.
    expect((await TrustStore.open(file)).lookup('db-01')?.keys.ed25519).toEqual(original.ed25519);
    // Only an operator's register() replaces it.
    await store.register('db-01', impostor);
    expect((await store.admit('db-01', impostor)).status).toBe('known');
    expect((await TrustStore.open(file)).lookup('db-01')?.source).toBe('registered');
  });

  test('a changed X25519 key with the same Ed25519 key is also a changed key', async () => {
    const store = await TrustStore.open(file);
    const k = keys();
    await store.admit('h', k);
    expect((await store.admit('h', { ed25519: k.ed25519, x25519: keys().x25519 })).status).toBe('key_changed');
  });

  test('one key cannot be pinned to two host names (cloned image)', async () => {
    const store = await TrustStore.open(file);
    const shared = keys();
    await store.admit('clone-a', shared);
    const decision = await store.admit('clone-b', shared);
    expect(decision).toMatchObject({ status: 'key_in_use', pinnedHostname: 'clone-a' });
    expect(store.lookup('clone-b')).toBeUndefined();
    await expect(store.register('clone-b', shared)).rejects.toThrow(/UNI_SEC_012|already pinned/);
    expect(await store.forget('clone-a')).toBe(true);
    expect((await store.admit('clone-b', shared)).status).toBe('pinned');
  });

  test('many admissions at once all become durable', async () => {
    const store = await TrustStore.open(file);
    const hosts = Array.from({ length: 50 }, (_, i) => ({ name: `host-${i}`, keys: keys() }));
    const decisions = await Promise.all(hosts.map((h) => store.admit(h.name, h.keys)));
    expect(decisions.every((d) => d.status === 'pinned')).toBe(true);
    // One write for the first, one for everything pinned while it was under way: not one per host.
    expect(store.writes).toBeLessThanOrEqual(2);
    const reopened = await TrustStore.open(file);
    expect(reopened.list().map((h) => h.hostname).sort()).toEqual(hosts.map((h) => h.name).sort());
  });
});

describe('pre-registered keys only', () => {
  test('an unknown host is refused; a registered host with its key is accepted', async () => {
    const store = await TrustStore.open(file, { mode: 'registered-only' });
    const registered = keys();
    await store.register('router-gw', registered);
    expect((await store.admit('router-gw', registered)).status).toBe('known');
    const unknown = await store.admit('laptop-7', keys());
    expect(unknown).toMatchObject({ status: 'not_registered', hostname: 'laptop-7' });
    if (unknown.status === 'not_registered') expect(unknown.error.code).toBe('UNI_SEC_008');
    expect(store.lookup('laptop-7')).toBeUndefined();
    expect((await store.admit('router-gw', keys())).status).toBe('key_changed');
  });
});

describe('the file', () => {
  test('a corrupt trust store is an error, never silently replaced by an empty one', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"format":"unimatrix-trust-store","version":1,"hosts":{"x":{}}}');
    const err = await TrustStore.open(file).catch((e: unknown) => e);
    expect(isUnimatrixError(err, 'UNI_SEC_009')).toBe(true);
    fs.writeFileSync(file, 'not json');
    expect(isUnimatrixError(await TrustStore.open(file).catch((e: unknown) => e), 'UNI_SEC_009')).toBe(true);
  });

  test('a failed write is reported and retried by the next flush', async () => {
    const store = await TrustStore.open(file);
    fs.mkdirSync(file, { recursive: true }); // a directory where the file should go: rename fails
    const err = await store.admit('h1', keys()).catch((e: unknown) => e);
    expect(isUnimatrixError(err, 'UNI_SEC_009')).toBe(true);
    fs.rmSync(file, { recursive: true });
    await store.flush();
    expect((await TrustStore.open(file)).lookup('h1')).toBeDefined();
  });
});
