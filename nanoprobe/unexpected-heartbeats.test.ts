import fc from 'fast-check';
import { UnexpectedHeartbeats, type UnexpectedHeartbeatPayload } from './unexpected-heartbeats';

const EPOCH = 1_800_000_000_000;
const OBSERVER = 'aaaaaaaaaaaaaaaa';
const stranger = (keyId: string | null, port = 4000) => ({ claimedSender: keyId, from: { ip: '10.0.0.9', port } });

describe('UnexpectedHeartbeats', () => {
  it('waits out the grace period, then reports the sender with the count so far', () => {
    const u = new UnexpectedHeartbeats({ reportIntervalMs: 60_000, graceMs: 5_000 });
    for (let t = 0; t < 4_000; t += 1_000) u.seen(stranger('1111111111111111'), t, EPOCH + t);
    expect(u.due(OBSERVER, 4_000)).toEqual([]);
    expect(u.nextWakeAt()).toBe(5_000);
    expect(u.due(OBSERVER, 5_000)).toEqual([
      { observer: OBSERVER, claimedSender: '1111111111111111', from: { ip: '10.0.0.9', port: 4000 }, count: 4, firstSeen: EPOCH, lastSeen: EPOCH + 3_000 },
    ]);
  });

  it('sends at most one report per sender per minute, aggregating the count', () => {
    const u = new UnexpectedHeartbeats({ reportIntervalMs: 60_000, graceMs: 0 });
    const reports: Array<{ at: number; r: UnexpectedHeartbeatPayload }> = [];
    for (let t = 0; t <= 180_000; t += 1_000) {
      u.seen(stranger('1111111111111111'), t, EPOCH + t);
      for (const r of u.due(OBSERVER, t)) reports.push({ at: t, r });
    }
    expect(reports.map((x) => [x.at, x.r.count])).toEqual([
      [0, 1],
      [60_000, 60],
      [120_000, 60],
      [180_000, 60],
    ]);
    expect(reports[1]?.r).toMatchObject({ firstSeen: EPOCH + 1_000, lastSeen: EPOCH + 60_000 });
  });

  it('never reports one sender twice within the interval and loses no heartbeat from the counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 30_000 }), sender: fc.constantFrom('1111111111111111', '2222222222222222', null) }), {
          minLength: 1,
          maxLength: 200,
        }),
        (events) => {
          const u = new UnexpectedHeartbeats({ reportIntervalMs: 60_000, graceMs: 5_000, maxSenders: 10 });
          const last = new Map<string, number>();
          let t = 0;
          let counted = 0;
          const collect = (now: number): void => {
            for (const r of u.due(OBSERVER, now)) {
              const k = r.claimedSender ?? 'addr';
              const prev = last.get(k);
              if (prev !== undefined) expect(now - prev).toBeGreaterThanOrEqual(60_000);
              last.set(k, now);
              counted += r.count;
            }
          };
          for (const e of events) {
            t += e.gap;
            u.seen(stranger(e.sender), t, EPOCH + t);
            collect(t);
          }
          // Flush: every pending count comes out within one interval plus the grace period.
          collect(t + 65_000);
          expect(counted).toBe(events.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('forgets a sender that became a partner, and one that went quiet', () => {
    const u = new UnexpectedHeartbeats({ reportIntervalMs: 60_000, graceMs: 5_000 });
    u.seen(stranger('1111111111111111'), 0, EPOCH);
    u.forget('1111111111111111');
    expect(u.due(OBSERVER, 10_000)).toEqual([]);
    u.seen(stranger('2222222222222222'), 0, EPOCH);
    expect(u.due(OBSERVER, 5_000)).toHaveLength(1);
    expect(u.tracked).toBe(1);
    expect(u.due(OBSERVER, 130_000)).toEqual([]);
    expect(u.tracked).toBe(0);
    expect(u.nextWakeAt()).toBeUndefined();
  });

  it('tracks a sender without a key by its address, and keeps at most maxSenders', () => {
    const u = new UnexpectedHeartbeats({ reportIntervalMs: 60_000, graceMs: 0, maxSenders: 3 });
    for (let port = 1; port <= 5; port++) u.seen(stranger(null, port), 0, EPOCH);
    expect(u.tracked).toBe(3);
    expect(u.due(OBSERVER, 0).map((r) => r.from.port)).toEqual([3, 4, 5]);
    expect(u.seenTotal).toBe(5);
  });
});
