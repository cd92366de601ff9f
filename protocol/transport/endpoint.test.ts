import { createHash } from 'node:crypto';
import type { IncomingMessage } from './endpoint';
import { memoryPair, payload } from './memory-harness';
import { isTransportError } from './transport-errors';

const B_ADDR = { host: '10.0.0.2', port: 2000 };
const A_ADDR = { host: '10.0.0.1', port: 1000 };

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function collect(endpoint: { on(e: 'message', f: (m: IncomingMessage) => void): unknown }): IncomingMessage[] {
  const got: IncomingMessage[] = [];
  endpoint.on('message', (m) => got.push(m));
  return got;
}

describe('Endpoint over the in-memory network', () => {
  it('delivers messages of mixed sizes in order, byte-identical, and resolves after the ACK', async () => {
    const p = memoryPair({ seed: 1 });
    const got = collect(p.b);
    const sizes = [0, 1, 100, 1200, 1201, 5000, 70_000, 300_000, 3, 2_000_000];
    const sent = sizes.map((s, i) => payload(i, s));
    const promises = sent.map((m) => p.a.sendReliable(p.guardB.keyId, B_ADDR, m));
    // The clock runs synchronously; promise callbacks only run once the test awaits.
    expect(p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === sent.length)).toBe(true);
    await Promise.all(promises);
    expect(got.map((m) => digest(m.bytes))).toEqual(sent.map(digest));
    expect(got.every((m) => m.reliable && m.peer === p.guardA.keyId && m.peerSession === p.guardA.sessionId)).toBe(true);
    const c = p.a.counters();
    expect(c.reliable_messages_acknowledged).toBe(sizes.length);
    expect(c.compressed_messages).toBeGreaterThan(0);
    expect(c.retransmitted).toBe(0);
    expect(p.b.counters().reliable_messages_delivered).toBe(sizes.length);
  });

  it('never sends a datagram larger than the configured maximum', () => {
    const p = memoryPair({ seed: 2 });
    let largest = 0;
    const socketSend = p.network.carry.bind(p.network);
    p.network.carry = (bytes, from, to) => {
      largest = Math.max(largest, bytes.length);
      socketSend(bytes, from, to);
    };
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 500_000));
    p.clock.runUntil(() => p.b.counters().reliable_messages_delivered === 1);
    expect(largest).toBeLessThanOrEqual(1200);
    expect(largest).toBeGreaterThan(1100);
  });

  it('delivers unreliable and signed messages once, without retransmission', () => {
    const p = memoryPair({ seed: 3 });
    const got = collect(p.b);
    p.a.sendUnreliable(p.guardB.keyId, B_ADDR, Uint8Array.of(1, 2, 3));
    p.a.sendSigned(B_ADDR, Uint8Array.of(4, 5));
    p.clock.advance(50);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ reliable: false, bytes: Uint8Array.of(1, 2, 3) });
    expect(got[1]).toMatchObject({ reliable: false, bytes: Uint8Array.of(4, 5), peer: p.guardA.keyId });
    expect(got[1]?.signerKeys).toBeDefined();
    expect(() => p.a.sendUnreliable(p.guardB.keyId, B_ADDR, new Uint8Array(2000))).toThrow(/one datagram/);
    expect(p.a.counters().retransmitted).toBe(0);
  });

  it('refuses unknown peers, oversize messages and a closed endpoint with coded errors', async () => {
    const p = memoryPair({ seed: 4, options: { maxMessageBytes: 10_000 } });
    await expect(p.a.sendReliable('cccccccccccccccc', B_ADDR, Uint8Array.of(1))).rejects.toMatchObject({ code: 'UNI_TRANS_003' });
    await expect(p.a.sendReliable(p.guardB.keyId, B_ADDR, new Uint8Array(10_001))).rejects.toMatchObject({ code: 'UNI_TRANS_002' });
    const pending = p.a.sendReliable(p.guardB.keyId, B_ADDR, Uint8Array.of(1));
    await p.a.close();
    await expect(pending).rejects.toMatchObject({ code: 'UNI_TRANS_004' });
    const error = await p.a.sendReliable(p.guardB.keyId, B_ADDR, Uint8Array.of(1)).catch((e: unknown) => e);
    expect(isTransportError(error, 'UNI_TRANS_004')).toBe(true);
  });

  it('counts and drops garbage without throwing out of the receive path', () => {
    const p = memoryPair({ seed: 5 });
    const raw = p.network.bind('10.0.0.9', 9);
    raw.send(new Uint8Array(0), B_ADDR);
    raw.send(Uint8Array.of(1, 2, 3), B_ADDR);
    const forged = new Uint8Array(80).fill(7);
    forged[0] = 1;
    forged[1] = 1;
    raw.send(forged, B_ADDR);
    p.clock.advance(10);
    const c = p.b.counters();
    expect(c.received_datagrams).toBe(3);
    expect(c.dropped_truncated + c.dropped_bad_auth).toBe(3);
  });

  it('keeps a history of state transitions per connection', () => {
    const p = memoryPair({ seed: 6 });
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 100));
    p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 1);
    const history = p.a.connection(p.guardB.keyId)?.history ?? [];
    const path = history.map((h) => h.to);
    expect(path).toContain('sending');
    expect(path[path.length - 1]).toBe('idle');
    expect(history.some((h) => h.why.includes('peer session'))).toBe(true);
    expect(history.every((h, i) => i === 0 || h.atMs >= (history[i - 1]?.atMs ?? 0))).toBe(true);
    expect(p.b.connection(p.guardA.keyId)?.history.some((h) => h.why.includes('receive epoch'))).toBe(true);
    expect(A_ADDR).toEqual(p.a.localAddress());
  });
});
