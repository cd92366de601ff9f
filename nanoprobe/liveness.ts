/**
 * The nanoprobe's heartbeat side, driven by one timer: heartbeats out to every partner, silence
 * deadlines (late, dead), and rate-limited reports of heartbeats from non-partners. The decisions are
 * PartnerMonitor's and UnexpectedHeartbeats' (pure); this class sends what they return and sets the
 * timer for the next thing due, never polling (at 1 s heartbeats: about one wake-up a second).
 * A timer that fires late shows that this process did not run for a while (stalled, or starved of CPU
 * on a busy machine): partners' heartbeats of that time may still be waiting unread in the socket. So a
 * late tick sends what is due and judges silences only after the I/O that waited has been read (a
 * zero-delay timer: setImmediate in the real clock, which Node runs after its poll phase). Silence is
 * never "credited" for the lateness: on a machine where every tick is late, that credit would keep a
 * dead partner from ever being reported (issue 14: no HostDown in 30 s with discovery running).
 * Heartbeats go on whether or not the CMA is there; reports wait for it (see the daemon).
 */
import { encodeMessage } from '../protocol/codec';
import type { CounterSet } from '../protocol/counters';
import { makeMessage } from '../protocol/message-types';
import type { Clock, TimerHandle } from '../protocol/transport/clock';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import type { Endpoint } from '../protocol/transport/endpoint';
import type { NanoprobeCounterName } from './counters';
import type { Logger, LogThrottle } from './logger';
import { PartnerMonitor, type ConfigOutcome, type ConfigPayload, type HeartbeatSend, type PartnerReportPayload } from './partner-monitor';
import { UnexpectedHeartbeats, type UnexpectedHeartbeatPayload } from './unexpected-heartbeats';

/** A timer this late (ms) means our process did not run meanwhile; normal jitter stays far below. */
export const STALL_TOLERANCE_MS = 100;

export type LivenessDeps = {
  keyId: string;
  clock: Clock;
  epochNow: () => number;
  endpoint: Pick<Endpoint, 'sendUnreliable'>;
  counters: CounterSet<NanoprobeCounterName>;
  log: Logger;
  throttle: LogThrottle;
  unexpectedReportIntervalMs: number;
  /** Whether a CMA is there to hear reports of unexpected heartbeats (they wait, counted, until then). */
  joined: () => boolean;
  /** The CMA's key id: its sealed traffic is never an unexpected heartbeat. */
  cmaKeyId: () => string | undefined;
  report: (report: PartnerReportPayload) => void;
  reportUnexpected: (payload: UnexpectedHeartbeatPayload) => void;
};

export class Liveness {
  readonly monitor: PartnerMonitor;
  private readonly unexpected: UnexpectedHeartbeats;
  private timer: TimerHandle | undefined;
  private dueAt: number | undefined;
  /** A late tick was put off once so that waiting I/O is read first; the next run judges. */
  private readingFirst = false;
  private stopped = false;

  constructor(private readonly deps: LivenessDeps) {
    const time = { now: () => deps.clock.now(), epoch: () => Math.round(deps.epochNow()) };
    this.monitor = new PartnerMonitor(deps.keyId, time);
    this.unexpected = new UnexpectedHeartbeats({ reportIntervalMs: deps.unexpectedReportIntervalMs });
  }

  /** Applies a CONFIG (see PartnerMonitor.applyConfig); its partners' heartbeats are expected from now on. */
  applyConfig(config: ConfigPayload, origin: string): ConfigOutcome {
    const outcome = this.monitor.applyConfig(config, origin);
    if (outcome.applied) {
      for (const p of config.partners) this.unexpected.forget(p.keyId);
      this.reschedule();
    }
    return outcome;
  }

  /** An authenticated HEARTBEAT from `peer`. */
  heartbeat(peer: string, from: SocketAddress, seq: number): void {
    const seen = this.monitor.heard(peer, seq);
    if (!seen.partner) {
      this.unexpectedSender(peer, from);
      return;
    }
    this.deps.counters.add('heartbeats_received');
    if (seen.report !== null) this.deps.report(seen.report);
  }

  /** A heartbeat, or a sealed datagram from a sender whose keys we do not hold, from a non-partner. */
  unexpectedSender(claimedSender: string | null, from: SocketAddress): void {
    if (this.stopped || claimedSender === this.deps.cmaKeyId()) return;
    this.deps.counters.add('heartbeats_unexpected');
    this.unexpected.seen({ claimedSender, from: { ip: from.host, port: from.port } }, this.deps.clock.now(), Math.round(this.deps.epochNow()));
    this.reschedule();
  }

  /** The CMA's own traffic, seen before we knew its key, was no heartbeat. */
  forgetUnexpected(keyId: string): void {
    this.unexpected.forget(keyId);
  }

  /** Joined (again): report what the CMA may not know, and start reporting unexpected heartbeats. */
  rejoined(): void {
    for (const report of this.monitor.rejoinReports()) this.deps.report(report);
    this.reschedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  reschedule(): void {
    this.cancel();
    if (this.stopped) return;
    const candidates = [this.monitor.nextWakeAt(), this.deps.joined() ? this.unexpected.nextWakeAt() : undefined].filter((t): t is number => t !== undefined);
    if (candidates.length === 0) return;
    const now = this.deps.clock.now();
    this.dueAt = Math.max(now, Math.min(...candidates));
    this.timer = this.deps.clock.setTimer(this.dueAt - now, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const lateness = this.dueAt === undefined ? 0 : this.deps.clock.now() - this.dueAt;
    this.dueAt = undefined;
    if (lateness > STALL_TOLERANCE_MS && !this.readingFirst) {
      // We did not run for a while: read the heartbeats that waited in the socket before judging.
      this.deps.counters.add('stalls');
      this.readingFirst = true;
      this.timer = this.deps.clock.setTimer(0, () => this.tick());
      return;
    }
    this.readingFirst = false;
    try {
      const out = this.monitor.due();
      this.sendHeartbeats(out.heartbeats);
      for (const report of out.reports) this.deps.report(report);
      if (this.deps.joined()) {
        for (const payload of this.unexpected.due(this.deps.keyId, this.deps.clock.now())) this.deps.reportUnexpected(payload);
      }
    } catch (err) {
      this.deps.counters.add('internal_errors');
      this.deps.log.error({ err }, 'internal error in the heartbeat timer');
    }
    this.reschedule();
  }

  private sendHeartbeats(heartbeats: HeartbeatSend[]): void {
    const first = heartbeats[0];
    if (first === undefined) return;
    // One round shares one payload: encoded once, sealed per partner.
    const bytes = encodeMessage(makeMessage('HEARTBEAT', first.payload));
    for (const hb of heartbeats) {
      try {
        this.deps.endpoint.sendUnreliable(hb.partner, hb.address, bytes);
        this.deps.counters.add('heartbeats_sent');
      } catch (err) {
        this.deps.counters.add('heartbeat_send_errors');
        const suppressed = this.deps.throttle.admit(`hb:${hb.partner}`);
        if (suppressed !== null) this.deps.log.warn({ partner: hb.partner, err: String(err), suppressed }, 'heartbeat not sent');
      }
    }
  }

  private cancel(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.dueAt = undefined;
    this.readingFirst = false;
  }
}
