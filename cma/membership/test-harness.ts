/**
 * For tests: a small fleet of pretend nanoprobes around a real Membership, on a FakeClock, stepping
 * in 10 ms increments. Each host heartbeats the partners its last CONFIG named once a second (at its
 * own phase), reports partners late/dead/alive as a nanoprobe does, and answers the CMA's probes.
 * Hosts can be killed or stalled (a stalled host sends nothing, but what reaches it is processed when
 * it resumes — kernel buffers). Loss is seeded. The large-scale version is bench/rings-sim.ts.
 */
import { FakeClock } from '../../protocol/transport/fake-clock';
import type { Decision } from './decisions';
import { Membership } from './membership';
import type { MembershipTiming } from './timing';
import type { HostId, RingHost } from './types';

const STEP_MS = 10;

export type HarnessOptions = { timing?: Partial<MembershipTiming>; loss?: number; seed?: number; graceFor?: (host: HostId) => number };

export class Harness {
  readonly clock = new FakeClock(0);
  readonly decisions: Decision[] = [];
  readonly membership: Membership;
  private readonly loss: number;
  private random: () => number;
  private readonly view = new Map<HostId, HostId[]>();
  private readonly nextTick = new Map<HostId, number>();
  private readonly lastHeard = new Map<HostId, Map<HostId, number>>();
  private readonly reported = new Map<HostId, Map<HostId, 'late' | 'dead'>>();
  private readonly down = new Set<HostId>();
  private readonly stalledUntil = new Map<HostId, number>();
  private readonly liveProbes = new Set<number>();
  /** observer>subject pairs named by a CONFIG but not heard since: reported with no time of life. */
  private readonly neverHeard = new Set<string>();

  constructor(hosts: RingHost[], options: HarnessOptions = {}) {
    this.loss = options.loss ?? 0;
    let s = (options.seed ?? 1) >>> 0;
    this.random = () => {
      s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return s / 2 ** 32;
    };
    this.membership = new Membership({ clock: this.clock, timing: options.timing ?? {}, graceFor: options.graceFor, emit: (d) => this.onDecision(d) });
    for (const h of hosts) {
      this.nextTick.set(h.id, Math.floor(this.random() * 1000));
      this.membership.announce(h);
    }
  }

  get timing(): MembershipTiming {
    return this.membership.timing;
  }

  kill(host: HostId): void {
    this.down.add(host);
  }

  stall(host: HostId, ms: number): void {
    this.stalledUntil.set(host, this.clock.now() + ms);
  }

  /** Brings a killed host back as a restarted process: it re-announces. */
  restart(host: RingHost): void {
    this.down.delete(host.id);
    this.lastHeard.delete(host.id);
    this.reported.delete(host.id);
    this.membership.announce(host);
  }

  of<T extends Decision['type']>(type: T): Array<Extract<Decision, { type: T }>> {
    return this.decisions.filter((d): d is Extract<Decision, { type: T }> => d.type === type);
  }

  /** Hosts declared dead, one way or the other. */
  declaredDead(): HostId[] {
    return [...this.of('host_down').map((d) => d.host), ...this.of('segment_down').flatMap((d) => d.hosts)];
  }

  run(ms: number): void {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.clock.advance(STEP_MS);
      const now = this.clock.now();
      for (const [host, at] of this.nextTick) if (at <= now) this.tick(host, now);
      for (const host of this.view.keys()) if (this.responsive(host, now)) this.check(host, now);
    }
  }

  private responsive(host: HostId, now: number): boolean {
    return !this.down.has(host) && (this.stalledUntil.get(host) ?? 0) <= now;
  }

  private lost(): boolean {
    return this.loss > 0 && this.random() < this.loss;
  }

  private tick(host: HostId, now: number): void {
    if (this.down.has(host)) return;
    const stalled = this.stalledUntil.get(host) ?? 0;
    if (stalled > now) {
      this.nextTick.set(host, stalled); // an overdue timer fires as soon as the process runs again
      return;
    }
    this.nextTick.set(host, now + 1000);
    for (const partner of this.view.get(host) ?? []) {
      if (this.down.has(partner) || this.lost()) continue;
      if (!(this.view.get(partner) ?? []).includes(host)) continue; // unexpected sender: dropped
      this.heard(partner).set(host, now);
      this.neverHeard.delete(`${partner}>${host}`);
      const state = this.reports(partner);
      if (state.has(host) && this.responsive(partner, now)) {
        state.delete(host);
        this.membership.report({ observer: partner, subject: host, kind: 'alive' });
      }
    }
  }

  private check(host: HostId, now: number): void {
    const heard = this.heard(host);
    const state = this.reports(host);
    for (const partner of this.view.get(host) ?? []) {
      const silent = now - (heard.get(partner) ?? now);
      const was = state.get(partner);
      if (was === undefined && silent >= this.timing.warnMs) {
        state.set(partner, 'late');
        this.membership.report({ observer: host, subject: partner, kind: 'late', silentForMs: this.neverHeard.has(`${host}>${partner}`) ? null : silent });
      } else if (was === 'late' && silent >= this.timing.deadMs) {
        state.set(partner, 'dead');
        this.membership.report({ observer: host, subject: partner, kind: 'dead', silentForMs: this.neverHeard.has(`${host}>${partner}`) ? null : silent });
      }
    }
  }

  private onDecision(d: Decision): void {
    this.decisions.push(d);
    if (d.type === 'ring_config' && !this.down.has(d.host)) {
      const now = this.clock.now();
      const heard = this.heard(d.host);
      const partners = d.partners.map((p) => p.host);
      for (const p of partners) {
        if (heard.has(p)) continue;
        heard.set(p, now); // a new partner: its deadlines count from now, but it has not been heard
        if (this.clock.now() > 0) this.neverHeard.add(`${d.host}>${p}`);
      }
      for (const p of [...heard.keys()]) if (!partners.includes(p)) heard.delete(p);
      for (const p of [...this.reports(d.host).keys()]) if (!partners.includes(p)) this.reports(d.host).delete(p);
      this.view.set(d.host, partners);
    } else if (d.type === 'probe') {
      this.liveProbes.add(d.probeId);
      this.attempt(d.host, d.probeId, d.attemptEveryMs, this.clock.now() + d.giveUpAfterMs);
    } else if (d.type === 'probe_cancel') {
      this.liveProbes.delete(d.probeId);
    }
  }

  private attempt(host: HostId, probeId: number, every: number, giveUpAt: number): void {
    if (!this.liveProbes.has(probeId)) return;
    const now = this.clock.now();
    if (now >= giveUpAt) {
      this.liveProbes.delete(probeId);
      return;
    }
    if (!this.down.has(host) && !this.lost()) {
      const answerAt = Math.max(now, this.stalledUntil.get(host) ?? 0) + 1;
      const replyLost = this.lost();
      this.clock.setTimer(answerAt - now, () => {
        if (this.down.has(host) || replyLost || !this.liveProbes.has(probeId)) return;
        this.liveProbes.delete(probeId);
        this.membership.probeAnswered(host, probeId);
      });
    }
    this.clock.setTimer(every, () => this.attempt(host, probeId, every, giveUpAt));
  }

  private heard(host: HostId): Map<HostId, number> {
    let m = this.lastHeard.get(host);
    if (m === undefined) this.lastHeard.set(host, (m = new Map()));
    return m;
  }

  private reports(host: HostId): Map<HostId, 'late' | 'dead'> {
    let m = this.reported.get(host);
    if (m === undefined) this.reported.set(host, (m = new Map()));
    return m;
  }
}
