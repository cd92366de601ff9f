/**
 * What the workers said that the CMA has not acknowledged yet: the latest result per (device,
 * command) and every confirm, kept until acknowledged and sent again after each (re-)join, so a
 * CMA that was away misses no change. Only the latest result of a command is kept: an older one is
 * obsolete.
 */
import type { PayloadOf } from '../../protocol/message-types';

type Confirm = PayloadOf<'POLLER_CONFIRM'>;
type Result = PayloadOf<'POLL_RESULT'>;
type Send = { confirm: (c: Confirm) => Promise<void>; result: (r: Result) => Promise<void>; canSend: () => boolean };

/** At most this many waiting results; past it the oldest is dropped (and counted). */
const MAX_PENDING = 100_000;

export class PendingReports {
  private readonly results = new Map<string, { payload: Result; inFlight: boolean }>();
  private readonly confirms = new Map<string, { payload: Confirm; inFlight: boolean }>();
  dropped = 0;

  constructor(private readonly send: Send) {}

  result(r: Result): void {
    const key = `${r.worker}\u0000${r.device}\u0000${r.command}`;
    this.results.delete(key); // re-inserted last: the map's order is the age order
    this.results.set(key, { payload: r, inFlight: false });
    if (this.results.size > MAX_PENDING) {
      const oldest = this.results.keys().next().value as string;
      this.results.delete(oldest);
      this.dropped += 1;
    }
    this.trySend(key, this.results, this.send.result);
  }

  confirm(c: Confirm): void {
    const key = `${c.worker}\u0000${c.device}\u0000${c.epoch}`;
    this.confirms.set(key, { payload: c, inFlight: false });
    this.trySend(key, this.confirms, this.send.confirm);
  }

  /** Joined (again): everything not acknowledged goes out. */
  rejoined(): void {
    for (const key of this.confirms.keys()) this.trySend(key, this.confirms, this.send.confirm);
    for (const key of this.results.keys()) this.trySend(key, this.results, this.send.result);
  }

  get waiting(): number {
    return this.results.size + this.confirms.size;
  }

  private trySend<P>(key: string, map: Map<string, { payload: P; inFlight: boolean }>, send: (p: P) => Promise<void>): void {
    const entry = map.get(key);
    if (entry === undefined || entry.inFlight || !this.send.canSend()) return;
    entry.inFlight = true;
    send(entry.payload).then(
      () => {
        // Acknowledged: forget it, unless a newer one replaced it meanwhile.
        if (map.get(key) === entry) map.delete(key);
      },
      () => {
        entry.inFlight = false; // sent again after the next join
      },
    );
  }
}
