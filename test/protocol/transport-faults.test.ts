/**
 * The reliable transport over real loopback UDP sockets, with the real security layer, through the
 * UDP fault proxy: 30% loss, 10% duplication and reordering in both directions.
 *
 * Size: the full 10,000 messages the issue asks for, about 37 MB: mostly small ones (single
 * datagrams), every 10th a few KiB, every 100th 64-192 KiB, and ten of 1 MiB; every third one is
 * compressible. It takes about 16 s here (2 shared cores); the timeout leaves room for a slow machine.
 */
import { createHash } from 'node:crypto';
import { loopbackPair, type LoopbackPair } from '../../protocol/net/loopback-harness';
import type { IncomingMessage } from '../../protocol/transport/endpoint';
import { payload } from '../../protocol/transport/memory-harness';

const MIB = 1024 * 1024;

/** Mostly small messages, some medium, a few large, and 1 MiB every 1,000th. */
function mixedSize(i: number): number {
  if (i % 1000 === 999) return MIB;
  if (i % 100 === 50) return 65_536 + ((i * 7919) % 131_072);
  if (i % 10 === 5) return 2_000 + ((i * 104_729) % 14_000);
  return 4 + ((i * 2_654_435_761) % 1_100);
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('reliable transport through the fault proxy (real sockets, real guard)', () => {
  let pair: LoopbackPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('delivers 10,000 mixed messages (up to 1 MiB) exactly once, in order, byte-identical at 30% loss', async () => {
    const n = 10_000;
    pair = await loopbackPair({ faults: { seed: 42, loss: 0.3, duplicate: 0.1, reorder: 0.1, reorderDelayMs: 5 } });
    const p = pair;
    const expected: string[] = [];
    for (let i = 0; i < n; i++) expected.push(sha(payload(i, mixedSize(i))));
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      p.b.on('message', (m: IncomingMessage) => {
        got.push(sha(m.bytes));
        if (got.length === n) resolve();
      });
    });
    // The application keeps a bounded number of messages in flight, as a real sender would.
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < n; i++) {
      const sending = p.a.sendReliable(p.idB.keyId, p.bAddress, payload(i, mixedSize(i))).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= 64) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await done;
    expect(got).toHaveLength(n);
    expect(got).toEqual(expected);
    const a = p.a.counters();
    const b = p.b.counters();
    const proxy = p.proxy!.stats();
    expect(proxy.toTarget.lost).toBeGreaterThan(0);
    expect(proxy.toTarget.duplicated).toBeGreaterThan(0);
    expect(proxy.toTarget.reordered).toBeGreaterThan(0);
    expect(a.retransmitted).toBeGreaterThan(0);
    expect(a.give_ups).toBe(0);
    expect(b.reliable_messages_delivered).toBe(n);
    // Duplicated datagrams are caught by the guard's replay window (same counter) or, for
    // retransmissions, by the transport's duplicate suppression.
    expect(b.dropped_replay + b.duplicates_suppressed).toBeGreaterThan(0);
  }, 600_000);

  it('carries on through a corrupting link: corrupted datagrams fail authentication and are counted', async () => {
    pair = await loopbackPair({ faults: { seed: 7, corrupt: 0.2, loss: 0.05 } });
    const p = pair;
    const got: string[] = [];
    p.b.on('message', (m) => got.push(sha(m.bytes)));
    const sizes = [10, 5000, 100_000, 300];
    await Promise.all(sizes.map((s, i) => p.a.sendReliable(p.idB.keyId, p.bAddress, payload(i, s))));
    expect(got).toEqual(sizes.map((s, i) => sha(payload(i, s))));
    expect(p.b.counters().dropped_bad_auth + p.a.counters().dropped_bad_auth).toBeGreaterThan(0);
  }, 60_000);
});
