import { createHash } from 'node:crypto';
import { decodeFrame } from './frame';
import type { GiveUpEvent, IncomingMessage } from './endpoint';
import { memoryPair, payload, type MemoryPair } from './memory-harness';
import type { SocketAddress } from './datagram-socket';

const B_ADDR = { host: '10.0.0.2', port: 2000 };

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Records every DATA/PROBE frame A puts on the network (seq, time, was it a retransmission). */
function tapSender(p: MemoryPair): { at: number; type: string; seq?: number }[] {
  const log: { at: number; type: string; seq?: number }[] = [];
  const carry = p.network.carry.bind(p.network);
  p.network.carry = (bytes: Uint8Array, from: SocketAddress, to: SocketAddress) => {
    if (from.port === 1000) {
      const opened = p.guardB.open(bytes);
      if (opened.ok) {
        const f = decodeFrame(opened.frame);
        if (f.ok) log.push({ at: p.clock.now(), type: f.frame.type, ...(f.frame.type === 'data' ? { seq: f.frame.seq } : {}) });
      }
    }
    carry(bytes, from, to);
  };
  return log;
}

describe('reliability over a faulty in-memory network', () => {
  it.each([
    { seed: 11, loss: 0.3, duplicate: 0.1, reorder: 0.2 },
    { seed: 12, loss: 0.1, duplicate: 0.3, reorder: 0.5 },
  ])('delivers every message exactly once, in order, byte-identical (%o)', async ({ seed, loss, duplicate, reorder }) => {
    const p = memoryPair({ seed, faults: { loss, duplicate, reorder, delayMs: 2, jitterMs: 3, reorderDelayMs: 20 } });
    const got: IncomingMessage[] = [];
    p.b.on('message', (m) => got.push(m));
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) sent.push(payload(i, i % 50 === 0 ? 60_000 : (i * 37) % 3000));
    const promises = sent.map((m) => p.a.sendReliable(p.guardB.keyId, B_ADDR, m));
    expect(p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === sent.length)).toBe(true);
    await Promise.all(promises);
    expect(got.map((m) => digest(m.bytes))).toEqual(sent.map(digest));
    const a = p.a.counters();
    const b = p.b.counters();
    expect(a.retransmitted).toBeGreaterThan(0);
    expect(b.duplicates_suppressed).toBeGreaterThan(0);
    expect(b.reliable_messages_delivered).toBe(sent.length);
    expect(a.give_ups).toBe(0);
    expect(p.network.stats().lost).toBeGreaterThan(0);
  });

  it('estimates the round-trip time from acknowledgements (Karn: no samples from retransmissions)', () => {
    const p = memoryPair({ seed: 13, faults: { delayMs: 40 } });
    for (let i = 0; i < 20; i++) void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(i, 100));
    p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 20);
    const rtt = p.a.connection(p.guardB.keyId)?.send.rtt;
    expect(rtt?.srttMs).toBeGreaterThanOrEqual(79);
    expect(rtt?.srttMs).toBeLessThanOrEqual(81);
    // A steady RTT: the timeout converges to srtt plus a small variance term, not the initial 333 ms.
    expect(rtt?.rtoMs).toBeLessThan(200);
    expect(rtt?.rtoMs).toBeGreaterThanOrEqual(80);
  });

  it('backs off exponentially up to the cap, then gives up and reports it', async () => {
    const p = memoryPair({ seed: 14, options: { giveUpAfterTries: 8, giveUpAfterMs: 1_000_000, maxRtoMs: 3000 } });
    const log = tapSender(p);
    p.network.setFaults({ loss: 1 });
    const gaveUp: GiveUpEvent[] = [];
    p.a.on('giveUp', (e) => gaveUp.push(e));
    const sending = p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 10));
    const outcome = sending.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    p.clock.runUntil(() => gaveUp.length > 0);
    const times = log.filter((l) => l.type === 'data').map((l) => l.at);
    // First transmission plus 8 retransmissions, then the 9th expiry gives up.
    expect(times).toHaveLength(9);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps).toEqual([333, 666, 1332, 2664, 3000, 3000, 3000, 3000]);
    expect(gaveUp[0]).toMatchObject({ peer: p.guardB.keyId, messages: 1 });
    expect(await outcome).toMatchObject({ code: 'UNI_TRANS_001' });
    expect(p.a.counters().give_ups).toBe(1);
    expect(p.a.connection(p.guardB.keyId)?.history.some((h) => h.why.startsWith('gave up'))).toBe(true);
  });

  it('gives up after the time limit even before the try limit', async () => {
    const p = memoryPair({ seed: 15, options: { giveUpAfterTries: 100, giveUpAfterMs: 5000 } });
    p.network.setFaults({ loss: 1 });
    const outcome = p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 10)).catch((e: unknown) => e);
    p.clock.runUntil(() => p.a.counters().give_ups === 1);
    expect(p.clock.now()).toBeGreaterThanOrEqual(5000);
    expect(p.clock.now()).toBeLessThan(5000 + 4000 + 1);
    expect(await outcome).toMatchObject({ code: 'UNI_TRANS_001' });
  });

  it('keeps at most `windowDatagrams` datagrams in flight', () => {
    const p = memoryPair({ seed: 16, options: { windowDatagrams: 16, maxBufferedFragments: 16 } });
    const log = tapSender(p);
    p.network.setFaults({ loss: 1 });
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 100_000)).catch(() => undefined);
    p.clock.advance(100);
    expect(log.filter((l) => l.type === 'data').map((l) => l.seq)).toEqual([...Array(16).keys()]);
    expect(p.a.connection(p.guardB.keyId)?.send.inFlight).toBe(16);
    p.network.setFaults({});
    p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 1);
    const seqs = log.filter((l) => l.type === 'data').map((l) => l.seq ?? -1);
    expect(Math.max(...seqs)).toBeGreaterThan(16 * 4);
  });

  it('fast-retransmits a lost datagram without waiting for the timeout', () => {
    const p = memoryPair({ seed: 17 });
    const carry = p.network.carry.bind(p.network);
    let dropped = false;
    p.network.carry = (bytes, from, to) => {
      const opened = from.port === 1000 ? p.guardB.open(bytes) : undefined;
      const f = opened?.ok ? decodeFrame(opened.frame) : undefined;
      // Drop the first transmission of datagram 5 only.
      if (!dropped && f?.ok && f.frame.type === 'data' && f.frame.seq === 5) {
        dropped = true;
        return;
      }
      carry(bytes, from, to);
    };
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 30_000));
    p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 1);
    expect(dropped).toBe(true);
    expect(p.a.counters().retransmitted_fast).toBe(1);
    expect(p.a.counters().retransmitted_timeout).toBe(0);
    expect(p.clock.now()).toBeLessThan(100);
  });
});

describe("Karn's rule", () => {
  it('takes no RTT sample from a datagram that was retransmitted', () => {
    const p = memoryPair({ seed: 18, faults: { delayMs: 10 } });
    const carry = p.network.carry.bind(p.network);
    let dataSeen = 0;
    p.network.carry = (bytes, from, to) => {
      if (from.port === 1000) {
        dataSeen++;
        // The original is held up 400 ms (arrives after the 333 ms timeout); the retransmission is lost.
        if (dataSeen === 1) {
          p.clock.setTimer(390, () => carry(bytes, from, to));
          return;
        }
        if (dataSeen === 2) return;
      }
      carry(bytes, from, to);
    };
    void p.a.sendReliable(p.guardB.keyId, B_ADDR, payload(1, 10));
    p.clock.runUntil(() => p.a.counters().reliable_messages_acknowledged === 1);
    expect(p.a.counters().retransmitted_timeout).toBe(1);
    // The ACK answers the original, 410 ms after it was sent and 77 ms after the retransmission:
    // neither is the path's RTT (20 ms), so no sample is taken.
    expect(p.a.connection(p.guardB.keyId)?.send.rtt.samples).toBe(0);
  });
});
