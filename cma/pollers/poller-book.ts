/**
 * The pollers the CMA knows and their workers, as POLLER_WORKERS told it. Each worker is one unit of
 * rendezvous hashing (rendezvous.ts), with the id `<poller key id>/<index>`, so a
 * restarted worker (same poller key, same index) gets the same devices back.
 *
 * A poller is live while it keeps saying so: every POLLER_WORKERS renews its lease, and one not
 * renewed within `leaseMs` counts as gone (its devices go straight to their next owners; the
 * handover table knows a dead holder cannot hand over). Pure state; the clock is the caller's.
 */
import type { Worker } from './rendezvous';
import type { PayloadOf } from '../../protocol/message-types';

type WorkersPayload = PayloadOf<'POLLER_WORKERS'>;
export type PollerWorkerState = WorkersPayload['workers'][number];

type Poller = { keyid: string; hostname: string; workers: PollerWorkerState[]; renewedAt: number };

export function workerId(keyid: string, index: number): string {
  return `${keyid}/${index}`;
}

/** The poller and index of a worker id; null for an id this book never made. */
export function parseWorkerId(id: string): { keyid: string; index: number } | null {
  const m = /^([0-9a-f]{16})\/(\d{1,3})$/.exec(id);
  return m === null ? null : { keyid: m[1]!, index: Number(m[2]) };
}

export class PollerBook {
  private readonly pollers = new Map<string, Poller>();

  constructor(private readonly leaseMs: number) {}

  /** Records a poller's workers; true when what hashing sees changed (not a mere renewal). */
  report(keyid: string, hostname: string, payload: WorkersPayload, now: number): boolean {
    const before = this.signature(keyid);
    const workers = [...new Map(payload.workers.map((w) => [w.index, w])).values()].sort((a, b) => a.index - b.index);
    this.pollers.set(keyid, { keyid, hostname, workers, renewedAt: now });
    return this.signature(keyid) !== before;
  }

  /** A poller that said goodbye (or whose transport gave up): gone now, not at its lease's end. */
  remove(keyid: string): boolean {
    return this.pollers.delete(keyid);
  }

  /** Forgets pollers whose lease ran out; returns their key ids. */
  expire(now: number): string[] {
    const gone: string[] = [];
    for (const [keyid, p] of this.pollers) {
      if (now - p.renewedAt > this.leaseMs) {
        this.pollers.delete(keyid);
        gone.push(keyid);
      }
    }
    return gone;
  }

  /** The workers hashing spreads devices over: draining ones with weight 0 (they get nothing new). */
  workers(): Worker[] {
    const out: Worker[] = [];
    for (const p of this.pollers.values()) {
      for (const w of p.workers) out.push({ id: workerId(p.keyid, w.index), weight: w.state === 'up' ? w.capacity : 0 });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  hostnameOf(keyid: string): string | undefined {
    return this.pollers.get(keyid)?.hostname;
  }

  list(): Array<{ keyid: string; hostname: string; renewedAt: number; workers: PollerWorkerState[] }> {
    return [...this.pollers.values()].map((p) => ({ ...p, workers: [...p.workers] }));
  }

  private signature(keyid: string): string {
    const p = this.pollers.get(keyid);
    return p === undefined ? '' : JSON.stringify(p.workers);
  }
}
