import { decodeMessage } from '../protocol/codec';
import type { Clock, TimerHandle } from '../protocol/transport/clock';
import { createNanoprobeCounters } from './counters';
import { Liveness } from './liveness';
import { LogThrottle, silentLogger } from './logger';
import type { ConfigPayload, PartnerReportPayload } from './partner-monitor';
import type { UnexpectedHeartbeatPayload } from './unexpected-heartbeats';

const SELF = 'aaaaaaaaaaaaaaaa';
const PARTNER = '1111111111111111';
const STRANGER = '2222222222222222';
const key = new Uint8Array(32).fill(3);
const partner = { keyId: PARTNER, ed25519: key, x25519: key, address: { ip: '10.0.0.2', port: 1984 }, rings: ['global'] };
const config = (partners: ConfigPayload['partners']): ConfigPayload => ({ configVersion: 1, heartbeatIntervalMs: 1000, warnTimeMs: 2500, deadTimeMs: 4500, partners });

/**
 * A fake clock that can also stall: time moves on and no timer runs, as when the whole process is
 * paused; the overdue timers run at the next advance, as Node runs them once the process runs again.
 */
class StallingClock implements Clock {
  private current = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.current;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + Math.max(0, delayMs), fn });
    return { id };
  }
  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
  pendingTimers(): number {
    return this.timers.size;
  }
  stall(ms: number): void {
    this.current += ms;
  }
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > target) break;
      this.timers.delete(next[0]);
      this.current = Math.max(this.current, next[1].at);
      next[1].fn();
    }
    this.current = target;
  }
}

function harness() {
  const clock = new StallingClock();
  const sent: Array<{ to: string; at: number; seq: number }> = [];
  const reports: PartnerReportPayload[] = [];
  const unexpected: UnexpectedHeartbeatPayload[] = [];
  let joined = false;
  const liveness = new Liveness({
    keyId: SELF,
    clock,
    epochNow: () => 1_800_000_000_000 + clock.now(),
    endpoint: {
      sendUnreliable: (peer, _address, bytes) => {
        const decoded = decodeMessage(bytes);
        if (decoded.ok && decoded.message.type === 'HEARTBEAT') sent.push({ to: peer, at: clock.now(), seq: decoded.message.payload.seq });
      },
    },
    counters: createNanoprobeCounters(),
    log: silentLogger,
    throttle: new LogThrottle(() => clock.now()),
    unexpectedReportIntervalMs: 60_000,
    joined: () => joined,
    cmaKeyId: () => 'cccccccccccccccc',
    report: (r) => reports.push(r),
    reportUnexpected: (p) => unexpected.push(p),
  });
  return { clock, liveness, sent, reports, unexpected, join: () => (joined = true) };
}

describe('Liveness', () => {
  it('drives heartbeats and silence deadlines from one timer, without polling', () => {
    const h = harness();
    h.liveness.applyConfig(config([partner]), 's1');
    h.clock.advance(0);
    expect(h.sent).toEqual([{ to: PARTNER, at: 0, seq: 0 }]);
    h.clock.advance(2_000);
    h.liveness.heartbeat(PARTNER, { host: '10.0.0.2', port: 1984 }, 0);
    h.clock.advance(10_000);
    expect(h.sent.map((s) => s.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000, 11_000, 12_000]);
    expect(h.reports.map((r) => [r.status, r.reportedAt - 1_800_000_000_000])).toEqual([
      ['late', 4_500],
      ['dead', 6_500],
    ]);
    expect(h.clock.pendingTimers()).toBe(1);
    h.liveness.stop();
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('does not count a stall of its own process as silence of its partners', () => {
    const h = harness();
    h.liveness.applyConfig(config([partner]), 's1');
    h.clock.advance(0);
    h.liveness.heartbeat(PARTNER, { host: '10.0.0.2', port: 1984 }, 0); // heard at 0
    // The process stalls for 3 s (past the 2.5 s warn time): the clock moves, no timer runs. The fake
    // clock fires overdue timers on the next advance, as Node does when the process runs again.
    h.clock.stall(3_000);
    h.clock.advance(0);
    expect(h.reports).toEqual([]);
    h.liveness.heartbeat(PARTNER, { host: '10.0.0.2', port: 1984 }, 1); // the heartbeat that waited in the socket
    h.clock.advance(20_000); // truly silent from now on: reported, from the time it was last heard
    expect(h.reports.map((r) => [r.status, r.reportedAt - 1_800_000_000_000])).toEqual([
      ['late', 5_500],
      ['dead', 7_500],
    ]);
  });

  it('holds reports of unexpected heartbeats until joined, and ignores the CMA and new partners', () => {
    const h = harness();
    const from = { host: '10.0.0.9', port: 4000 };
    h.liveness.heartbeat(STRANGER, from, 1);
    h.liveness.unexpectedSender('cccccccccccccccc', from);
    h.liveness.unexpectedSender(PARTNER, from);
    h.clock.advance(30_000);
    expect(h.unexpected).toEqual([]);
    h.liveness.applyConfig(config([partner]), 's1'); // PARTNER's heartbeats are expected now
    h.join();
    h.liveness.rejoined();
    h.clock.advance(0);
    expect(h.unexpected).toEqual([expect.objectContaining({ observer: SELF, claimedSender: STRANGER, count: 1, from: { ip: '10.0.0.9', port: 4000 } })]);
  });
});
