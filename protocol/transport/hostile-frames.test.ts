import fc from 'fast-check';
import { encodeAck, encodeData, encodeProbe } from './frame';
import { Endpoint } from './endpoint';
import { memoryPair } from './memory-harness';
import { PlainGuard } from './plain-guard';

const B_ADDR = { host: '10.0.0.2', port: 2000 };

/**
 * Authenticated but hostile (or buggy) peers: frames that pass the guard, then carry nonsense. The
 * transport must count and survive them, and keep serving honest traffic.
 */
describe('hostile frames from an authenticated peer', () => {
  it('never throws, and other peers are still served', async () => {
    const p = memoryPair({ seed: 31 });
    // A raw socket that seals frames with A's guard: the receiver sees them as coming from A.
    const raw = p.network.bind('10.0.0.1', 1001);
    const inject = (frame: Uint8Array): void => raw.send(p.guardA.seal(p.guardB.keyId, frame), B_ADDR);
    const valid = [
      encodeData({ epoch: 1, dstSession: 0n, seq: 0, base: 0, msgId: 0, fragIndex: 0, fragCount: 2, compressed: true, needsAck: false, payload: Uint8Array.of(1, 2, 3) }),
      encodeAck({ epoch: 1, reset: true, cumAck: 5, committed: 3, window: 0, ranges: [{ start: 7, end: 9 }] }),
      encodeProbe({ epoch: 9, dstSession: 123n, base: 77 }),
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 120 }).map((b) => {
            b[0] = 1 + ((b[0] ?? 0) % 5);
            return b;
          }),
          fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, pos, v]) => {
            const m = f.slice();
            m[pos % m.length] = v;
            return m;
          }),
        ),
        (frame) => {
          inject(frame);
          p.clock.advance(1);
        },
      ),
      { numRuns: 20_000 },
    );
    const c = p.b.counters();
    expect(c.internal_errors).toBe(0);
    expect(c.handler_errors).toBe(0);
    expect(c.dropped_malformed + c.resets_sent + c.dropped_stale_epoch).toBeGreaterThan(0);
    // A hostile peer can only spoil its own connection: another peer, C, is served as usual.
    const guardC = new PlainGuard({ keyId: 'cccccccccccccccc', replayFilter: false });
    guardC.learnPeer(p.guardB.keyId);
    p.guardB.learnPeer(guardC.keyId);
    const c3 = new Endpoint({ socket: p.network.bind('10.0.0.3', 3000), guard: guardC, clock: p.clock });
    const got: Uint8Array[] = [];
    p.b.on('message', (m) => got.push(m.bytes));
    const sending = c3.sendReliable(p.guardB.keyId, B_ADDR, Uint8Array.of(42));
    p.clock.runUntil(() => c3.counters().reliable_messages_acknowledged === 1, 120_000);
    await sending;
    expect(got.some((b) => b.length === 1 && b[0] === 42)).toBe(true);
    expect(p.b.counters().internal_errors).toBe(0);
  }, 120_000);
});
