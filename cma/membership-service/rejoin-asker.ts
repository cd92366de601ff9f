import type { Clock } from '../../protocol/transport/clock';
import type { HostId } from '../membership/types';

/** Asking one host again sooner than this is pointless: the first REJOIN is still on its way. */
export const DEFAULT_REJOIN_INTERVAL_MS = 2_000;
/** Hosts remembered at most (entries older than the interval are pruned first). */
const MAX_TRACKED = 10_000;

export type RejoinAskerOptions = {
  clock: Clock;
  /** Sends the REJOIN (reliably); resolves once the host acknowledged it. */
  send: (host: HostId, reason: string) => Promise<void>;
  count: (what: string) => void;
  intervalMs?: number;
};

/**
 * Sends REJOIN ("announce again") to hosts the CMA holds as no member but hears from. A host that comes
 * back after an outage brings a burst of queued messages (reports, heartbeats others see), each of
 * which says the same thing: one REJOIN per host per interval answers them all, and none while one is
 * still unacknowledged. Forgotten once the host has announced.
 */
export class RejoinAsker {
  private readonly asked = new Map<HostId, { at: number; inFlight: boolean }>();
  private readonly intervalMs: number;

  constructor(private readonly options: RejoinAskerOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_REJOIN_INTERVAL_MS;
  }

  get tracked(): number {
    return this.asked.size;
  }

  /** Asks `host` to announce again, unless it was asked within the interval or an ask is in flight. */
  ask(host: HostId, reason: string): boolean {
    const now = this.options.clock.now();
    const last = this.asked.get(host);
    if (last !== undefined && (last.inFlight || now - last.at < this.intervalMs)) {
      this.options.count('rejoin_suppressed');
      return false;
    }
    if (this.asked.size >= MAX_TRACKED) this.prune(now);
    const entry = { at: now, inFlight: true };
    this.asked.set(host, entry);
    this.options.count('rejoin_sent');
    let sent: Promise<void>;
    try {
      sent = this.options.send(host, reason);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => this.options.count('rejoin_acknowledged'),
      () => this.options.count('rejoin_failed'),
    ).finally(() => {
      entry.inFlight = false;
    });
    return true;
  }

  /** The host announced: whatever it sends next is judged afresh. */
  announced(host: HostId): void {
    this.asked.delete(host);
  }

  private prune(now: number): void {
    for (const [host, e] of this.asked) if (!e.inFlight && now - e.at >= this.intervalMs) this.asked.delete(host);
    // Still full (a flood of distinct hosts in one interval): drop the oldest, so memory stays bounded.
    while (this.asked.size >= MAX_TRACKED) {
      const oldest = this.asked.keys().next();
      if (oldest.done === true) break;
      this.asked.delete(oldest.value);
    }
  }
}
