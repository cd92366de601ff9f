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
  nextDueAt(): number | undefined {
    const ats = [...this.timers.values()].map((t) => t.at);
    return ats.length === 0 ? undefined : Math.min(...ats);
  }
  /** Node's timers phase: runs only the timers due when it starts (those they set wait for later). */
  timersPhase(): void {
    const due = [...this.timers.entries()].filter(([, t]) => t.at <= this.current).sort((a, b) => a[1].at - b[1].at);
    for (const [id, t] of due) {
      this.timers.delete(id);
      t.fn();
    }
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

  it('after a stall, reads the heartbeats that waited in the socket before judging silences', () => {
    const h = harness();
    h.liveness.applyConfig(config([partner]), 's1');
    h.clock.advance(0);
    h.liveness.heartbeat(PARTNER, { host: '10.0.0.2', port: 1984 }, 0); // heard at 0
    // The process stalls for 3 s (past the 2.5 s warn time): the clock moves, no timer runs. When it
    // runs again, Node runs the overdue timers first, then reads the socket, then the immediates.
    h.clock.stall(3_000);
    h.clock.timersPhase();
    expect(h.reports).toEqual([]);
    h.liveness.heartbeat(PARTNER, { host: '10.0.0.2', port: 1984 }, 1); // the heartbeat that waited in the socket
    h.clock.advance(20_000); // truly silent from now on: reported, from the time it was last heard
    expect(h.reports.map((r) => [r.status, r.reportedAt - 1_800_000_000_000])).toEqual([
      ['late', 5_500],
      ['dead', 7_500],
    ]);
  });

  it('reports a dead partner on time when every tick of a starved process fires late', () => {
    const h = harness();
    h.liveness.applyConfig(config([partner]), 's1');
    h.clock.advance(0);
    h.liveness.heartbeat(PARTNER, { host: '10.0.0.2', port: 1984 }, 0); // last heard at 0, then it dies
    // A busy machine: every timer runs 700 ms after it was due (the heartbeat interval is 1 s). Crediting
    // that lateness to the partner would push its deadlines on forever; it is reported all the same.
    for (let i = 0; i < 12; i++) {
      h.clock.stall(h.clock.nextDueAt()! + 700 - h.clock.now());
      h.clock.timersPhase();
      // Nothing waited in the socket (the partner is silent); then the immediates.
      h.clock.timersPhase();
    }
    const [late, dead] = h.reports;
    expect(late?.status).toBe('late');
    expect(dead?.status).toBe('dead');
    // Each at most one late tick (plus its deferral) after the warn and dead times.
    expect(late!.reportedAt - 1_800_000_000_000).toBeLessThanOrEqual(2_500 + 1_000);
    expect(dead!.reportedAt - 1_800_000_000_000).toBeLessThanOrEqual(4_500 + 1_000);
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
