import { createHash } from 'node:crypto';
import { decodeFrame } from './frame';
import type { IncomingMessage, PeerRestartedEvent } from './endpoint';
import { memoryPair, payload } from './memory-harness';

const B_ADDR = { host: '10.0.0.2', port: 2000 };

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('deferred acknowledgement', () => {
  it('resolves the sender only once the receiving application acknowledges', async () => {
    const p = memoryPair({ seed: 21, autoAck: false });
    const got: IncomingMessage[] = [];
    p.b.on('message', (m) => got.push(m));
    let resolved = false;
    const sending = p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 5000)).then(() => (resolved = true));
    p.clock.advance(2000);
    await settle();
    expect(got).toHaveLength(1);
    expect(resolved).toBe(false);
    // Arrival was acknowledged (no retransmission storm while the application works)…
    expect(p.a.counters().retransmitted).toBe(0);
    expect(p.a.connection(p.guardB.keyId)?.state).toBe('awaiting_commit');
    got[0]?.ack();
    p.clock.advance(10);
    await sending;
    expect(resolved).toBe(true);
    got[0]?.ack(); // a second call is harmless
    expect(p.b.counters().reliable_messages_committed).toBe(1);
  });

  it('redelivers to a restarted receiver whatever the crashed one had not committed', async () => {
    const p = memoryPair({ seed: 22, autoAck: false, options: { maxRtoMs: 1000 } });
    const first: IncomingMessage[] = [];
    p.b.on('message', (m) => first.push(m));
    const sent = [payload(1, 100), payload(2, 20_000), payload(3, 10)];
    const promises = sent.map((m) => p.a.sendReliable(p.guardB.keyId, B_ADDR, m));
    p.clock.advance(100);
    expect(first).toHaveLength(3);
    first[0]?.ack(); // committed before the crash
    p.clock.advance(10);
    await promises[0];
    const restarted: PeerRestartedEvent[] = [];
    p.a.on('peerRestarted', (e) => restarted.push(e));
    await p.restartB({ crash: true, autoAck: false });
    const second: IncomingMessage[] = [];
    p.b.on('message', (m) => second.push(m));
    // The sender probes, the new incarnation answers (RESET: "not my stream"), the sender resends.
    p.clock.runUntil(() => second.length === 2, 10_000);
    expect(second.map((m) => digest(m.bytes))).toEqual([sent[1], sent[2]].map((m) => digest(m!)));
    expect(restarted).toHaveLength(1);
    expect(restarted[0]?.newSession).toBe(p.guardB.sessionId);
    for (const m of second) m.ack();
    p.clock.advance(100);
    await Promise.all(promises);
    expect(p.a.counters().give_ups).toBe(0);
  });

  it('stops delivering while the application is behind, then catches up', async () => {
    const p = memoryPair({ seed: 23, autoAck: false, options: { maxUncommittedMessages: 4 } });
    const got: IncomingMessage[] = [];
    p.b.on('message', (m) => got.push(m));
    const promises = Array.from({ length: 20 }, (_, i) => p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(i, 3000)));
    p.clock.advance(5000);
    expect(got).toHaveLength(4);
    expect(p.b.connection(p.guardA.keyId)?.receive?.uncommitted).toBe(4);
    for (let round = 0; round < 20 && p.a.counters().reliable_messages_acknowledged < 20; round++) {
      for (const m of got) m.ack();
      p.clock.advance(200);
    }
    await Promise.all(promises);
    expect(got.map((m) => new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0))).toEqual([...Array(20).keys()]);
    expect(p.a.counters().give_ups).toBe(0);
  });
});

describe('peer restarts', () => {
  it('notices a restarted receiver mid-stream and loses nothing sent to the new session', async () => {
    const p = memoryPair({ seed: 24, faults: { loss: 0.2, duplicate: 0.1, reorder: 0.2, delayMs: 2, reorderDelayMs: 10 } });
    const old: IncomingMessage[] = [];
    p.b.on('message', (m) => old.push(m));
    const restarted: PeerRestartedEvent[] = [];
    p.a.on('peerRestarted', (e) => restarted.push(e));
    const sent = Array.from({ length: 200 }, (_, i) => payload(i, 4 + ((i * 211) % 4000)));
    const before = sent.slice(0, 100).map((m) => p.a.sendReliable(p.guardB.keyId, B_ADDR, m));
    p.clock.runUntil(() => old.length >= 50);
    await p.restartB({ crash: true });
    const fresh: IncomingMessage[] = [];
    p.b.on('message', (m) => fresh.push(m));
    const after = sent.slice(100).map((m) => p.a.sendReliable(p.guardB.keyId, B_ADDR, m));
    expect(p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 200, 120_000)).toBe(true);
    await Promise.all([...before, ...after]);
    expect(restarted).toHaveLength(1);
    const index = (m: IncomingMessage): number => new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0);
    const freshIds = fresh.map(index);
    // The new incarnation gets everything sent after the restart, in order, exactly once…
    expect(freshIds.filter((i) => i >= 100)).toEqual([...Array(100).keys()].map((i) => i + 100));
    expect(new Set(freshIds).size).toBe(freshIds.length);
    // …and, before those, whatever the old one had not acknowledged; nothing falls between the two.
    const oldIds = new Set(old.map(index));
    for (let i = 0; i < 100; i++) expect(oldIds.has(i) || freshIds.includes(i)).toBe(true);
    for (const m of [...old, ...fresh]) expect(digest(m.bytes)).toBe(digest(sent[index(m)]!));
  });

  it('refuses datagrams from a retired session', async () => {
    const p = memoryPair({ seed: 25 });
    const fromOldB: { bytes: Uint8Array }[] = [];
    const carry = p.network.carry.bind(p.network);
    p.network.carry = (bytes, from, to) => {
      if (from.port === 2000) fromOldB.push({ bytes });
      carry(bytes, from, to);
    };
    await Promise.all([p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 10)), p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 1)]);
    const oldAck = fromOldB[0];
    await p.restartB();
    p.b.sendUnreliable(p.guardA.keyId, { host: '10.0.0.1', port: 1000 }, Uint8Array.of(1));
    p.clock.advance(10);
    expect(p.a.counters().peer_restarts).toBe(1);
    const raw = p.network.bind('10.0.0.2', 2001);
    raw.send(oldAck!.bytes, { host: '10.0.0.1', port: 1000 });
    p.clock.advance(10);
    expect(p.a.counters().dropped_stale_session).toBe(1);
    expect(p.a.connection(p.guardB.keyId)?.peerSession).toBe(p.guardB.sessionId);
  });

  it('recognises a restarted sender and drops the stream of its old session', () => {
    const p = memoryPair({ seed: 26 });
    const got: IncomingMessage[] = [];
    p.b.on('message', (m) => got.push(m));
    const restarted: PeerRestartedEvent[] = [];
    p.b.on('peerRestarted', (e) => restarted.push(e));
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 10));
    p.clock.runUntil(() => got.length === 1);
    // A new incarnation of A: same keys, new session, new socket.
    const { Endpoint } = jest.requireActual<typeof import('./endpoint')>('./endpoint');
    const { PlainGuard } = jest.requireActual<typeof import('./plain-guard')>('./plain-guard');
    const guard = new PlainGuard({ keyId: p.guardA.keyId, replayFilter: false });
    guard.learnPeer(p.guardB.keyId);
    const a2 = new Endpoint({ socket: p.network.bind('10.0.0.1', 1001), guard, clock: p.clock });
    for (let i = 0; i < 5; i++) void a2.sendReliable(p.guardB.keyId, B_ADDR, payload(100 + i, 2000));
    p.clock.runUntil(() => got.length === 6);
    expect(restarted).toEqual([expect.objectContaining({ peer: p.guardA.keyId, newSession: guard.sessionId })]);
    expect(got.slice(1).every((m) => m.peerSession === guard.sessionId)).toBe(true);
    expect(got.slice(1).map((m) => new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0))).toEqual([100, 101, 102, 103, 104]);
  });
});

describe('receiver caps, end to end', () => {
  it('counts and skips an oversize message and carries on', async () => {
    const p = memoryPair({ seed: 27, options: { compressThresholdBytes: 1_000_000_000 }, receiverOptions: { maxMessageBytes: 50_000 } });
    const got: IncomingMessage[] = [];
    p.b.on('message', (m) => got.push(m));
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 80_000));
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(2, 100));
    p.clock.runUntil(() => got.length === 1);
    expect(p.b.counters().dropped_oversize).toBe(1);
    expect(digest(got[0]!.bytes)).toBe(digest(payload(2, 100)));
  });

  it('drops a stream stuck on a hole past the reassembly timeout; the sender restarts it and delivers', () => {
    const p = memoryPair({ seed: 28, options: { reassemblyTimeoutMs: 2000, giveUpAfterMs: 60_000, giveUpAfterTries: 50 } });
    const got: IncomingMessage[] = [];
    p.b.on('message', (m) => got.push(m));
    const carry = p.network.carry.bind(p.network);
    let blackout = true;
    p.network.carry = (bytes, from, to) => {
      if (blackout && from.port === 1000) {
        const opened = p.guardB.open(bytes);
        const f = opened.ok ? decodeFrame(opened.frame) : undefined;
        // Only fragment 1 of the message ever gets through while the blackout lasts.
        if (!(f?.ok && f.frame.type === 'data' && f.frame.fragIndex === 1)) return;
      }
      carry(bytes, from, to);
    };
    // Incompressible, so it takes three fragments.
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 3000));
    p.clock.advance(3000);
    expect(p.b.counters().dropped_reassembly_timeout).toBe(1);
    blackout = false;
    p.clock.runUntil(() => got.length === 1, 30_000);
    expect(p.a.counters().resets_received).toBeGreaterThanOrEqual(1);
    expect(digest(got[0]!.bytes)).toBe(digest(payload(1, 3000)));
  });
});
