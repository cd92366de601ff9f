/**
 * Heartbeats from someone who is not one of our partners: a host whose CONFIG changed later than ours,
 * a misconfigured or stale host, or someone probing us. The CMA wants to know (its rings may be wrong),
 * but never at heartbeat rate: per sender, at most one UNEXPECTED_HEARTBEAT per interval, carrying how
 * many arrived since the last one.
 *
 * A sender is first reported only after a grace period, and forgotten when it becomes a partner: during
 * a ring change both ends get their new CONFIG at slightly different times, and those few heartbeats
 * are not news. Memory is bounded: at most `maxSenders` are tracked (the oldest is dropped), and a
 * sender quiet for two intervals is forgotten.
 * Pure: time is passed in; the daemon sends what `due()` returns.
 */
import type { PayloadOf } from '../protocol/message-types';

export type UnexpectedHeartbeatPayload = PayloadOf<'UNEXPECTED_HEARTBEAT'>;

export type UnexpectedSender = {
  /** Key id the datagram names; for an unknown sender it is unauthenticated, only claimed. */
  claimedSender: string | null;
  from: { ip: string; port: number };
};

export type UnexpectedOptions = {
  /** At most one report per sender per this interval (ms). */
  reportIntervalMs: number;
  /** A sender must still be unexpected this long after it was first seen before it is reported. */
  graceMs: number;
  maxSenders: number;
};

export const DEFAULT_UNEXPECTED_OPTIONS: UnexpectedOptions = { reportIntervalMs: 60_000, graceMs: 5_000, maxSenders: 256 };

type Tracked = {
  sender: UnexpectedSender;
  /** Heartbeats since the last report. */
  count: number;
  total: number;
  firstSeenMono: number;
  /** Epoch ms of the first and last heartbeat since the last report. */
  firstSeen: number;
  lastSeen: number;
  lastSeenMono: number;
  /** Monotonic time before which no report may go out for this sender. */
  notBefore: number;
};

export class UnexpectedHeartbeats {
  private readonly senders = new Map<string, Tracked>();
  private readonly options: UnexpectedOptions;
  private totalSeen = 0;

  constructor(options: Partial<UnexpectedOptions> = {}) {
    this.options = { ...DEFAULT_UNEXPECTED_OPTIONS, ...options };
  }

  /** Everything seen since start, for counters. */
  get seenTotal(): number {
    return this.totalSeen;
  }

  get tracked(): number {
    return this.senders.size;
  }

  seen(sender: UnexpectedSender, nowMono: number, nowEpoch: number): void {
    this.totalSeen += 1;
    const key = keyOf(sender);
    const t = this.senders.get(key);
    if (t !== undefined) {
      if (t.count === 0) t.firstSeen = nowEpoch;
      t.count += 1;
      t.total += 1;
      t.lastSeen = nowEpoch;
      t.lastSeenMono = nowMono;
      t.sender = sender; // the latest source address is where it can be found now
      return;
    }
    if (this.senders.size >= this.options.maxSenders) {
      const oldest = this.senders.keys().next();
      if (oldest.done !== true) this.senders.delete(oldest.value);
    }
    this.senders.set(key, {
      sender,
      count: 1,
      total: 1,
      firstSeenMono: nowMono,
      firstSeen: nowEpoch,
      lastSeen: nowEpoch,
      lastSeenMono: nowMono,
      notBefore: nowMono + this.options.graceMs,
    });
  }

  /** The sender is a partner now (or the CMA): its heartbeats are expected. */
  forget(keyId: string): void {
    this.senders.delete(keyId);
  }

  /** Reports due at `nowMono` (each resets its sender's count and starts its quiet interval). */
  due(observer: string, nowMono: number): UnexpectedHeartbeatPayload[] {
    const out: UnexpectedHeartbeatPayload[] = [];
    for (const [key, t] of this.senders) {
      if (t.count === 0) {
        if (nowMono - t.lastSeenMono >= 2 * this.options.reportIntervalMs) this.senders.delete(key);
        continue;
      }
      if (nowMono < t.notBefore) continue;
      out.push({
        observer,
        claimedSender: t.sender.claimedSender,
        from: { ip: t.sender.from.ip, port: t.sender.from.port },
        count: t.count,
        firstSeen: t.firstSeen,
        lastSeen: t.lastSeen,
      });
      t.count = 0;
      t.notBefore = nowMono + this.options.reportIntervalMs;
    }
    return out;
  }

  /** When `due()` may next have something to do, or undefined when nothing is pending. */
  nextWakeAt(): number | undefined {
    let next = Infinity;
    for (const t of this.senders.values()) {
      next = Math.min(next, t.count > 0 ? t.notBefore : t.lastSeenMono + 2 * this.options.reportIntervalMs);
    }
    return next === Infinity ? undefined : next;
  }
}

/** One entry per claimed key id; a datagram that names no key is tracked by its source address. */
function keyOf(sender: UnexpectedSender): string {
  return sender.claimedSender ?? `${sender.from.ip}|${sender.from.port}`;
}
