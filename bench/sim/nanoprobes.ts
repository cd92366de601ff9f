/**
 * Simulated nanoprobes, as typed arrays (a million hosts × 4 partner slots, no objects per host):
 * each host ticks once a heartbeat interval at its own phase and sends one datagram to each partner
 * its last CONFIG named; each datagram is lost independently. A host watches its partners as a
 * nanoprobe does — reports "late" at the warn time, "dead" at the dead time, "alive" when heard again —
 * with a timer at the exact next deadline when that falls before its next tick. A stalled host sends
 * nothing and runs no timers; what reaches it meanwhile is processed when it resumes (kernel buffers),
 * and an overdue tick fires at once on resume, as Node's timers do.
 */
import type { PartnerReport } from '../../cma/membership/decisions';
import type { Ring } from '../../cma/membership/ring';
import type { MembershipTiming } from '../../cma/membership/timing';
import type { EventQueue } from './event-queue';
import type { Random } from './random';

export const SLOTS = 4;

export type ReportSink = (observer: number, subject: number, kind: PartnerReport['kind'], silentForMs: number | null, now: number) => void;

export type NanoprobeEvents = { tick: number; check: number };

export class SimNanoprobes {
  readonly alive: Uint8Array;
  readonly stalledUntil: Float64Array;
  readonly partners: Int32Array;
  private readonly nextTick: Float64Array;
  private readonly nextCheck: Float64Array;
  private readonly lastHeard: Float64Array;
  /** 0 nothing reported, 1 reported late, 2 reported dead. */
  private readonly reported: Uint8Array;
  /** Heard at least once since the CONFIG that named the partner (else reports carry no time). */
  private readonly heardEver: Uint8Array;
  /** Heartbeat datagrams sent by hosts `counted` accepts. */
  heartbeats = 0;

  constructor(
    readonly n: number,
    private readonly timing: MembershipTiming,
    private readonly loss: number,
    private readonly random: Random,
    private readonly queue: EventQueue,
    private readonly kinds: NanoprobeEvents,
    private readonly report: ReportSink,
    private readonly counted: (host: number, now: number) => boolean,
  ) {
    this.alive = new Uint8Array(n).fill(1);
    this.stalledUntil = new Float64Array(n);
    this.partners = new Int32Array(n * SLOTS).fill(-1);
    this.nextTick = new Float64Array(n);
    this.nextCheck = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.lastHeard = new Float64Array(n * SLOTS);
    this.reported = new Uint8Array(n * SLOTS);
    this.heardEver = new Uint8Array(n * SLOTS).fill(1);
  }

  /** Fills partner slots from ring order (each member's neighbours); returns the slots filled. */
  loadRings(rings: Iterable<Ring>, index: ReadonlyMap<string, number>): number {
    let filled = 0;
    const add = (i: number, j: number): void => {
      const base = i * SLOTS;
      for (let k = 0; k < SLOTS; k++) {
        const at = this.partners[base + k] as number;
        if (at === j) return;
        if (at < 0) {
          this.partners[base + k] = j;
          filled++;
          return;
        }
      }
      throw new Error(`host ${i} has more than ${SLOTS} partners`);
    };
    for (const ring of rings) {
      const ordered = ring.ordered();
      const size = ordered.length;
      if (size < 2) continue;
      for (let k = 0; k < size; k++) {
        const i = index.get((ordered[k] as { host: string }).host) as number;
        add(i, index.get((ordered[(k + 1) % size] as { host: string }).host) as number);
        add(i, index.get((ordered[(k - 1 + size) % size] as { host: string }).host) as number);
      }
    }
    return filled;
  }

  slotsOf(i: number): number[] {
    return Array.from(this.partners.slice(i * SLOTS, i * SLOTS + SLOTS)).filter((j) => j >= 0);
  }

  /** Schedules every host's first tick at a random phase; all partners count as heard at t=0. */
  start(): void {
    for (let i = 0; i < this.n; i++) {
      this.nextTick[i] = this.random.next() * this.timing.heartbeatMs;
      this.queue.push(this.nextTick[i] as number, this.kinds.tick, i);
    }
  }

  stall(i: number, now: number, ms: number): void {
    this.stalledUntil[i] = now + ms;
  }

  tick(i: number, now: number): void {
    if (this.alive[i] === 0) return;
    const stalled = this.stalledUntil[i] as number;
    if (stalled > now) {
      this.nextTick[i] = stalled;
      this.queue.push(stalled, this.kinds.tick, i);
      return;
    }
    const next = now + this.timing.heartbeatMs;
    this.nextTick[i] = next;
    this.queue.push(next, this.kinds.tick, i);
    const count = this.counted(i, now);
    const base = i * SLOTS;
    for (let k = 0; k < SLOTS; k++) {
      const j = this.partners[base + k] as number;
      if (j < 0) continue;
      if (count) this.heartbeats++;
      if (this.loss > 0 && this.random.next() < this.loss) continue;
      if (this.alive[j] === 0) continue;
      const jb = j * SLOTS;
      let s = 0;
      while (s < SLOTS && this.partners[jb + s] !== i) s++;
      if (s === SLOTS) continue; // not (or no longer) its partner: a nanoprobe counts and drops it
      this.lastHeard[jb + s] = now;
      this.heardEver[jb + s] = 1;
      if (this.reported[jb + s] !== 0) {
        this.reported[jb + s] = 0;
        this.report(j, i, 'alive', 0, now);
      }
    }
    this.check(i, now);
  }

  /** A deadline timer fired (or a stale one: checking again is harmless). */
  onCheck(i: number, now: number): void {
    if (this.nextCheck[i] === now) this.nextCheck[i] = Number.POSITIVE_INFINITY;
    if (this.alive[i] === 0) return;
    const stalled = this.stalledUntil[i] as number;
    if (stalled > now) this.queue.push(stalled, this.kinds.check, i);
    else this.check(i, now);
  }

  /** A CONFIG arrived: partners kept keep their watch state; new ones start now, not yet heard. */
  applyConfig(j: number, partners: Int32Array, now: number): void {
    if (this.alive[j] === 0) return;
    const applyAt = Math.max(now, this.stalledUntil[j] as number);
    const base = j * SLOTS;
    const oldPartners = this.partners.slice(base, base + SLOTS);
    const oldHeard = this.lastHeard.slice(base, base + SLOTS);
    const oldReported = this.reported.slice(base, base + SLOTS);
    const oldHeardEver = this.heardEver.slice(base, base + SLOTS);
    if (partners.length > SLOTS) throw new Error(`host ${j} was given ${partners.length} partners`);
    for (let k = 0; k < SLOTS; k++) {
      const p = k < partners.length ? (partners[k] as number) : -1;
      const was = p < 0 ? -1 : oldPartners.indexOf(p);
      this.partners[base + k] = p;
      this.lastHeard[base + k] = was >= 0 ? (oldHeard[was] as number) : applyAt;
      this.reported[base + k] = was >= 0 ? (oldReported[was] as number) : 0;
      this.heardEver[base + k] = was >= 0 ? (oldHeardEver[was] as number) : 0;
    }
  }

  /** Reports transitions, and arms a timer for the next deadline if it falls before the next tick. */
  private check(i: number, now: number): void {
    const base = i * SLOTS;
    const { warnMs, deadMs } = this.timing;
    let next = Number.POSITIVE_INFINITY;
    for (let k = 0; k < SLOTS; k++) {
      const j = this.partners[base + k] as number;
      if (j < 0) continue;
      const heard = this.lastHeard[base + k] as number;
      const silent = now - heard;
      const known = this.heardEver[base + k] === 1 ? silent : null;
      let state = this.reported[base + k] as number;
      if (state === 0) {
        if (silent >= warnMs) {
          this.reported[base + k] = state = 1;
          this.report(i, j, 'late', known, now);
        } else next = Math.min(next, heard + warnMs);
      }
      if (state === 1) {
        if (silent >= deadMs) {
          this.reported[base + k] = 2;
          this.report(i, j, 'dead', known, now);
        } else next = Math.min(next, heard + deadMs);
      }
    }
    if (next < (this.nextTick[i] as number) && next < (this.nextCheck[i] as number)) {
      this.nextCheck[i] = next;
      this.queue.push(next, this.kinds.check, i);
    }
  }
}
