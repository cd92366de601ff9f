import { randomBytes } from 'node:crypto';
import { isUnimatrixError } from '../errors';
import type { OpenedFrame, RejectedFrame } from '../guard';
import type { Identity } from './identity';
import { generateIdentity } from './identity';
import { KIND_SIGNED, SEALED_HEADER_BYTES, SEALED_OVERHEAD, SIGNED_OVERHEAD } from './packet-format';
import { SecurePacketGuard } from './packet-guard';
import { LocalSession } from './session';

/** Ed25519 group order L (see identity.test.ts). */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

type Party = { identity: Identity; guard: SecurePacketGuard };

function party(session = new LocalSession(), identity = generateIdentity()): Party {
  return { identity, guard: new SecurePacketGuard({ identity, session, replay: { windowSize: 64 } }) };
}

function introduce(a: Party, b: Party): void {
  a.guard.learnPeer(b.identity.keyId, b.identity.publicKeys);
  b.guard.learnPeer(a.identity.keyId, a.identity.publicKeys);
}

function expectOpened(result: OpenedFrame | RejectedFrame): OpenedFrame {
  if (!result.ok) throw new Error(`expected an opened frame, got ${result.reason} ${result.detail ?? ''}`);
  return result;
}

function expectRejected(result: OpenedFrame | RejectedFrame, reason: RejectedFrame['reason']): void {
  expect(result.ok ? 'accepted' : result.reason).toBe(reason);
}

const frame = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

describe('SEALED', () => {
  test('round trip in both directions, with sender, session and counter', () => {
    const a = party();
    const b = party();
    introduce(a, b);
    for (const size of [0, 1, 100, 1200, 60_000]) {
      const payload = frame(size);
      const datagram = a.guard.seal(b.identity.keyId, payload);
      expect(datagram.byteLength).toBe(size + SEALED_OVERHEAD);
      const opened = expectOpened(b.guard.open(datagram));
      expect(Buffer.from(opened.frame)).toEqual(Buffer.from(payload));
      expect(opened).toMatchObject({ sender: a.identity.keyId, senderSession: a.guard.sessionId, kind: 'sealed' });
      const back = expectOpened(a.guard.open(b.guard.seal(a.identity.keyId, payload)));
      expect(Buffer.from(back.frame)).toEqual(Buffer.from(payload));
      expect(back.sender).toBe(b.identity.keyId);
    }
    expect(b.guard.counters.get('opened_sealed')).toBe(5);
    expect(a.guard.counters.get('sealed')).toBe(5);
  });

  test('the payload is encrypted, not just authenticated', () => {
    const a = party();
    const b = party();
    introduce(a, b);
    const secret = new Uint8Array(Buffer.from('the quick brown fox jumps over the lazy dog'));
    const datagram = Buffer.from(a.guard.seal(b.identity.keyId, secret));
    expect(datagram.includes(Buffer.from('quick brown'))).toBe(false);
  });

  test('nonces never repeat under one pair key, even when both sides use equal sessions and counters', () => {
    // Both directions share the pair key; the sender key id in the nonce keeps them apart.
    const a = party(new LocalSession(7n));
    const b = party(new LocalSession(7n));
    introduce(a, b);
    const same = new Uint8Array(32);
    const fromA = a.guard.seal(b.identity.keyId, same);
    const fromB = b.guard.seal(a.identity.keyId, same);
    expect(Buffer.from(fromA.subarray(10, 26))).toEqual(Buffer.from(fromB.subarray(10, 26))); // same session+counter
    expect(Buffer.from(fromA.subarray(2, SEALED_HEADER_BYTES))).not.toEqual(Buffer.from(fromB.subarray(2, SEALED_HEADER_BYTES)));
    expect(Buffer.from(fromA.subarray(SEALED_HEADER_BYTES))).not.toEqual(Buffer.from(fromB.subarray(SEALED_HEADER_BYTES)));
    expectOpened(b.guard.open(fromA));
    expectOpened(a.guard.open(fromB));
  });

  test('a tampered packet is rejected and counted as bad_auth, wherever the flipped bit is', () => {
    const a = party();
    const b = party();
    introduce(a, b);
    let rejected = 0;
    const datagram = a.guard.seal(b.identity.keyId, frame(100));
    // Every bit of the session, counter and ciphertext (the key id and version/kind bytes have their own
    // reasons, tested below).
    for (let byte = 10; byte < datagram.byteLength; byte++) {
      const copy = new Uint8Array(datagram);
      copy[byte] = (copy[byte] ?? 0) ^ (1 << byte % 8);
      const result = b.guard.open(copy);
      expectRejected(result, 'bad_auth');
      rejected++;
    }
    expect(b.guard.counters.get('dropped_bad_auth')).toBe(rejected);
    expect(b.guard.counters.get('opened_sealed')).toBe(0);
    // The untouched original still opens: failed attempts did not poison the replay state.
    expectOpened(b.guard.open(datagram));
  });

  test('a packet sealed with the wrong key is rejected as bad_auth', () => {
    const a = party();
    const b = party();
    const c = party();
    introduce(a, b);
    introduce(a, c);
    introduce(b, c);
    // Sealed by a for c, delivered to b: b knows a, but the pair key (a,b) does not open it.
    expectRejected(b.guard.open(a.guard.seal(c.identity.keyId, frame(50))), 'bad_auth');
    // An impostor claiming a's key id: it has to use its own pair key, which b does not share with a.
    const impostor = party(new LocalSession(), generateIdentity());
    impostor.guard.learnPeer(b.identity.keyId, b.identity.publicKeys);
    const forged = impostor.guard.seal(b.identity.keyId, frame(50));
    forged.set(Buffer.from(a.identity.keyId, 'hex'), 2);
    expectRejected(b.guard.open(forged), 'bad_auth');
    expect(b.guard.counters.get('dropped_bad_auth')).toBe(2);
  });

  test('a replayed packet is rejected and counted as replay; late but unseen packets pass', () => {
    const a = party();
    const b = party();
    introduce(a, b);
    const first = a.guard.seal(b.identity.keyId, frame(10));
    const second = a.guard.seal(b.identity.keyId, frame(10));
    expectOpened(b.guard.open(second));
    expectOpened(b.guard.open(first)); // reordered, inside the window
    expectRejected(b.guard.open(first), 'replay');
    expectRejected(b.guard.open(second), 'replay');
    expect(b.guard.counters.get('dropped_replay')).toBe(2);
  });

  test('a packet from a replaced session is rejected as stale_session', () => {
    const identity = generateIdentity();
    const oldRun = party(new LocalSession(), identity);
    const newRun = party(new LocalSession(), identity);
    const b = party();
    introduce(oldRun, b);
    newRun.guard.learnPeer(b.identity.keyId, b.identity.publicKeys);
    const recorded = oldRun.guard.seal(b.identity.keyId, frame(10));
    const oldLater = oldRun.guard.seal(b.identity.keyId, frame(10));
    expectOpened(b.guard.open(recorded));
    expectOpened(b.guard.open(newRun.guard.seal(b.identity.keyId, frame(10)))); // the restart
    expect(b.guard.counters.get('peer_restarts')).toBe(1);
    expectRejected(b.guard.open(oldLater), 'stale_session');
    expectRejected(b.guard.open(recorded), 'stale_session');
    expect(b.guard.counters.get('dropped_stale_session')).toBe(2);
    expectOpened(b.guard.open(newRun.guard.seal(b.identity.keyId, frame(10)))); // the new session goes on
  });

  test('unknown peers, bad versions, bad kinds, truncation and oversize each have their reason', () => {
    const a = party();
    const b = party();
    a.guard.learnPeer(b.identity.keyId, b.identity.publicKeys); // b does not know a
    const datagram = a.guard.seal(b.identity.keyId, frame(20));
    expectRejected(b.guard.open(datagram), 'unknown_peer');
    introduce(a, b);
    const v2 = new Uint8Array(datagram);
    v2[0] = 2;
    expectRejected(b.guard.open(v2), 'bad_version');
    const k9 = new Uint8Array(datagram);
    k9[1] = 9;
    expectRejected(b.guard.open(k9), 'bad_kind');
    expectRejected(b.guard.open(datagram.subarray(0, SEALED_OVERHEAD - 1)), 'truncated');
    expectRejected(b.guard.open(new Uint8Array(1)), 'truncated');
    expectRejected(b.guard.open(new Uint8Array(70_000)), 'oversize');
    const counts = b.guard.counters.snapshot();
    expect(counts).toMatchObject({
      dropped_unknown_peer: 1,
      dropped_bad_version: 1,
      dropped_bad_kind: 1,
      dropped_truncated: 2,
      dropped_oversize: 1,
      received: 6,
    });
  });

  test('sealing for an unknown peer or beyond the size cap throws a typed error', () => {
    const a = party();
    const small = new SecurePacketGuard({ identity: a.identity, maxDatagramBytes: 1200 });
    const b = party();
    small.learnPeer(b.identity.keyId, b.identity.publicKeys);
    expect(isUnimatrixError(catchError(() => a.guard.seal(b.identity.keyId, frame(1))), 'UNI_SEC_001')).toBe(true);
    expect(small.seal(b.identity.keyId, frame(1200 - SEALED_OVERHEAD)).byteLength).toBe(1200);
    expect(isUnimatrixError(catchError(() => small.seal(b.identity.keyId, frame(1200 - SEALED_OVERHEAD + 1))), 'UNI_SEC_010')).toBe(true);
  });

  test('learnPeer refuses keys that do not match the key id', () => {
    const a = party();
    const b = party();
    const c = party();
    expect(isUnimatrixError(catchError(() => a.guard.learnPeer(b.identity.keyId, c.identity.publicKeys)), 'UNI_SEC_011')).toBe(true);
    expect(a.guard.knowsPeer(b.identity.keyId)).toBe(false);
    a.guard.learnPeer(b.identity.keyId, b.identity.publicKeys);
    expect(a.guard.knowsPeer(b.identity.keyId)).toBe(true);
    a.guard.forgetPeer(b.identity.keyId);
    expect(a.guard.knowsPeer(b.identity.keyId)).toBe(false);
  });
});

describe('SIGNED', () => {
  test('anyone can check it; the signer keys and key id come from the verified header', () => {
    const a = party();
    const stranger = party();
    const payload = frame(300);
    const datagram = a.guard.sign(payload);
    expect(datagram.byteLength).toBe(300 + SIGNED_OVERHEAD);
    expect(datagram[1]).toBe(KIND_SIGNED);
    const opened = expectOpened(stranger.guard.open(datagram));
    expect(opened.kind).toBe('signed');
    expect(opened.sender).toBe(a.identity.keyId);
    expect(Buffer.from(opened.frame)).toEqual(Buffer.from(payload));
    expect(Buffer.from(opened.signerKeys?.ed25519 ?? [])).toEqual(Buffer.from(a.identity.publicKeys.ed25519));
    expect(Buffer.from(opened.signerKeys?.x25519 ?? [])).toEqual(Buffer.from(a.identity.publicKeys.x25519));
    // What the signature proved is enough to start sealing to the signer.
    stranger.guard.learnPeer(opened.sender, opened.signerKeys ?? a.identity.publicKeys);
    a.guard.learnPeer(stranger.identity.keyId, stranger.identity.publicKeys);
    expectOpened(a.guard.open(stranger.guard.seal(a.identity.keyId, frame(5))));
  });

  test('tampering with the header, the frame or the signature is bad_auth', () => {
    const a = party();
    const b = party();
    const datagram = a.guard.sign(frame(64));
    // Tampering the Ed25519 key changes the claimed sender, so this covers "someone else's key" too.
    for (const byte of [2, 20, 40, 66, 80, 100, datagram.byteLength - 64, datagram.byteLength - 1]) {
      const copy = new Uint8Array(datagram);
      copy[byte] = (copy[byte] ?? 0) ^ 0x10;
      expectRejected(b.guard.open(copy), 'bad_auth');
    }
    // A signer swapping in its own X25519 key for another's fails too: the keys are signed.
    const c = party();
    const swapped = new Uint8Array(datagram);
    swapped.set(c.identity.publicKeys.x25519, 34);
    expectRejected(b.guard.open(swapped), 'bad_auth');
    expectOpened(b.guard.open(datagram));
  });

  test('a replayed signed packet is a replay; a malleated signature (S + L) is refused, never fresh', () => {
    const a = party();
    const b = party();
    const datagram = a.guard.sign(frame(40));
    const malleated = new Uint8Array(datagram);
    const sigStart = datagram.byteLength - 64;
    const s = BigInt(`0x${Buffer.from(datagram.subarray(sigStart + 32)).reverse().toString('hex')}`);
    malleated.set(Buffer.from((s + L).toString(16).padStart(64, '0'), 'hex').reverse(), sigStart + 32);
    // Before the original arrives: refused outright (our verify requires canonical S).
    expectRejected(b.guard.open(malleated), 'bad_auth');
    expectOpened(b.guard.open(datagram));
    expectRejected(b.guard.open(datagram), 'replay');
    // After it: refused as a replay by (sender, session, counter), before any signature check.
    expectRejected(b.guard.open(malleated), 'replay');
    expect(b.guard.counters.snapshot()).toMatchObject({ dropped_bad_auth: 1, dropped_replay: 2, opened_signed: 1 });
  });

  test('a signed packet from a replaced session is stale_session', () => {
    const identity = generateIdentity();
    const oldRun = new SecurePacketGuard({ identity, session: new LocalSession() });
    const newRun = new SecurePacketGuard({ identity, session: new LocalSession() });
    const b = party();
    const old = oldRun.sign(frame(8));
    expectOpened(b.guard.open(oldRun.sign(frame(8))));
    expectOpened(b.guard.open(newRun.sign(frame(8))));
    expectRejected(b.guard.open(old), 'stale_session');
  });

  test('sealed and signed packets share the sender counter space: one cannot replay as the other', () => {
    const a = party();
    const b = party();
    introduce(a, b);
    const signed = a.guard.sign(frame(8));
    const sealed = a.guard.seal(b.identity.keyId, frame(8));
    const sc = Buffer.from(signed.subarray(74, 82)).readBigUInt64BE();
    const ec = Buffer.from(sealed.subarray(18, 26)).readBigUInt64BE();
    expect(ec).toBe(sc + 1n);
    expectOpened(b.guard.open(sealed));
    expectOpened(b.guard.open(signed));
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
