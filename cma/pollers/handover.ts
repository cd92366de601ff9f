/**
 * Moving devices between poller workers without a gap and without lasting double polling. The CMA
 * holds one entry per device: the worker polling it now (`holder`) and the one taking it over
 * (`incoming`). When the rendezvous owner (rendezvous.ts) changes, the new owner is told to start;
 * the old holder keeps polling until the new one confirms its first good poll, and only then is told
 * to stop. So a device is never unpolled while a live worker holds it, and it is polled twice only
 * between the new worker's first poll and the old one's stop, about one interval.
 *
 * A holder that is no longer live (its poller stopped heartbeating) cannot hand over: the device goes
 * straight to its new owner. Pure state: commands come back to the caller, which sends them (new
 * message types) and persists the table (the graph holds it, so a restarted CMA resumes).
 */
import { ownerOf, type Worker } from './rendezvous';

export type Command = { kind: 'start' | 'stop'; device: string; worker: string };

export type DeviceEntry = { holder: string | null; incoming: string | null };

export class HandoverTable {
  private readonly entries = new Map<string, DeviceEntry>();
  /** Devices whose entry changed (or went) since the last `takeChanges`: what must be persisted. */
  private readonly changed = new Set<string>();

  /** The table as it was persisted (a restarted CMA). */
  constructor(initial: Iterable<[string, DeviceEntry]> = []) {
    for (const [device, entry] of initial) this.entries.set(device, { ...entry });
  }

  /** Every device's entry, to persist (copies). */
  all(): Array<[string, DeviceEntry]> {
    return [...this.entries].map(([device, e]) => [device, { ...e }]);
  }

  entry(device: string): DeviceEntry | undefined {
    const e = this.entries.get(device);
    return e === undefined ? undefined : { ...e };
  }

  /**
   * Brings the table towards the owners `workers` give `devices`: the live workers with their
   * capacity, a draining one with weight 0 (it gets no device but is still told to stop). Devices no
   * longer listed are stopped on their workers and forgotten.
   */
  plan(devices: Iterable<string>, workers: readonly Worker[]): Command[] {
    const live = new Set(workers.map((w) => w.id));
    const listed = new Set<string>();
    const commands: Command[] = [];
    for (const device of devices) {
      listed.add(device);
      const known = this.entries.get(device);
      const e = known ?? { holder: null, incoming: null };
      this.entries.set(device, e);
      const before = `${e.holder}\u0000${e.incoming}`;
      this.planDevice(device, e, workers, live, commands);
      if (known === undefined || `${e.holder}\u0000${e.incoming}` !== before) this.changed.add(device);
    }
    for (const [device, e] of this.entries) {
      if (listed.has(device)) continue;
      for (const w of new Set([e.holder, e.incoming])) if (w !== null && live.has(w)) commands.push({ kind: 'stop', device, worker: w });
      this.entries.delete(device);
      this.changed.add(device);
    }
    return commands;
  }

  /** The devices changed since the last call, with their entries (null: no longer in the table). */
  takeChanges(): Array<[string, DeviceEntry | null]> {
    const out: Array<[string, DeviceEntry | null]> = [...this.changed].map((d) => {
      const e = this.entries.get(d);
      return [d, e === undefined ? null : { ...e }];
    });
    this.changed.clear();
    return out;
  }

  /** Changes a failed write did not store: taken again next time. */
  markChanged(devices: Iterable<string>): void {
    for (const d of devices) this.changed.add(d);
  }

  private planDevice(device: string, e: DeviceEntry, workers: readonly Worker[], live: ReadonlySet<string>, commands: Command[]): void {
    {
      if (e.holder !== null && !live.has(e.holder)) e.holder = null;
      if (e.incoming !== null && !live.has(e.incoming)) e.incoming = null;
      const owner = ownerOf(device, workers);
      if (owner === null || owner === e.holder) {
        // Already where it belongs (or nowhere to go): a takeover under way is called off.
        if (e.incoming !== null && e.incoming !== owner) commands.push({ kind: 'stop', device, worker: e.incoming });
        e.incoming = null;
        return;
      }
      if (e.incoming === owner) return;
      if (e.incoming !== null) commands.push({ kind: 'stop', device, worker: e.incoming });
      e.incoming = owner;
      commands.push({ kind: 'start', device, worker: owner });
    }
  }

  /** `worker` polled `device` successfully for the first time: it holds it now, the old holder stops. */
  confirmed(device: string, worker: string): Command[] {
    const e = this.entries.get(device);
    if (e === undefined || e.incoming !== worker) return [];
    const old = e.holder;
    e.holder = worker;
    e.incoming = null;
    this.changed.add(device);
    return old === null || old === worker ? [] : [{ kind: 'stop', device, worker: old }];
  }
}
