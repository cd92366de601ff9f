/**
 * One trial of the rings simulation: N simulated nanoprobes around the CMA's real Membership (rings,
 * death judge, segment watch), in virtual time on one event queue.
 *
 * Simulated per packet: every heartbeat (each host ticks once a second at its own phase and sends one
 * datagram to each partner its last CONFIG named; each datagram is lost independently), each host's
 * late/dead/alive detection (a timer at the exact deadline, as a nanoprobe's timers would fire), every
 * report to the CMA, CONFIG and probe, as the project's reliable transport would carry them (attempts,
 * ACKs and retransmissions sampled at the same loss rate; see wire.ts). Process stalls: a stalled host
 * sends nothing and runs no timers; what reaches it is processed when it resumes (kernel buffers).
 * Not simulated: CPU time, queueing delay, bandwidth; one-way latency is a constant 0.5 ms.
 */
import { makeHost } from '../../cma/membership/fixtures';
import { Membership } from '../../cma/membership/membership';
import { RingSet } from '../../cma/membership/ring-set';
import type { Decision, PartnerReport } from '../../cma/membership/decisions';
import type { MembershipTiming } from '../../cma/membership/timing';
import type { RingHost } from '../../cma/membership/types';
import { EventQueue } from './event-queue';
import { Random } from './random';
import { SimClock } from './sim-clock';
import { ONE_WAY_MS, reliableTransfer } from './wire';

const TICK = 1;
const CHECK = 2;
const TIMER = 3;
const REPORT = 4;
const CONFIG = 5;
const PROBE_ATTEMPT = 6;
const PROBE_REPLY = 7;
const KILL = 8;
const STALL = 9;
const SEGMENT_KILL = 10;
const SLOTS = 4;

export type TrialConfig = {
  n: number;
  perSubnet: number;
  loss: number;
  seed: number;
  /** Single hosts killed (crash) at random times in [eventsFromMs, eventsToMs]. */
  kills: number;
  /** Hosts whose process pauses for stallMs, at random times in the same span. */
  stalls: number;
  stallMs: number;
  /** Kill every host of one random subnet at once. */
  segmentKill: boolean;
  /** Joins and graceful leaves (each followed by a rejoin) measured before the heartbeat run. */
  joins: number;
  leaves: number;
  eventsFromMs: number;
  eventsToMs: number;
  endMs: number;
  /** Heartbeats are counted from here (all hosts have ticked at least once). */
  measureFromMs: number;
  timing?: Partial<MembershipTiming>;
  audit: boolean;
};

export type Datagrams = { reports: number; probes: number; repair: number };

export type TrialResult = {
  hbPackets: number;
  hbHostSeconds: number;
  partnersPerNode: number;
  joinConfigs: number[];
  leaveConfigs: number[];
  detectMs: number[];
  undetected: number;
  falseDeathsLoss: number;
  falseDeathsStall: number;
  segment: { hosts: number; detectMs: number | null; ok: boolean } | null;
  deathDatagrams: Datagrams;
  deathMessages: Datagrams;
  deaths: number;
  /** Reports and probe attempts about hosts nobody killed: the CMA's load from loss and stalls. */
  noiseReports: number;
  noiseProbeAttempts: number;
  windowS: number;
  linkTrouble: number;
  resolved: number;
  ignored: Record<string, number>;
  auditViolations: number | null;
  events: number;
  setupMs: number;
  runMs: number;
};

type Probe = { host: number; every: number; giveUpAt: number };
type PendingConfig = { host: number; version: number; partners: Int32Array };

export function runTrial(cfg: TrialConfig, progress: (line: string) => void = () => {}): TrialResult {
  const sim = new FleetSim(cfg, progress);
  return sim.run();
}

class FleetSim {
  private readonly queue = new EventQueue(1 << 16);
  private readonly clock: SimClock;
  private readonly random: Random;
  private readonly membership: Membership;
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly timing: MembershipTiming;

  private readonly alive: Uint8Array;
  private readonly measured: Uint8Array;
  private readonly stalledEver: Uint8Array;
  private readonly inSegment: Uint8Array;
  private readonly stalledUntil: Float64Array;
  private readonly killedAt: Float64Array;
  private readonly nextTick: Float64Array;
  private readonly nextCheck: Float64Array;
  private readonly partners: Int32Array;
  private readonly lastHeard: Float64Array;
  private readonly reported: Uint8Array;
  /** Per slot: heard at least once since the CONFIG that named the partner (else reports say "never"). */
  private readonly heardEver: Uint8Array;
  private readonly configVersion: Uint32Array;
  private readonly appliedVersion: Uint32Array;
  /** Per host, when its last report reaches the CMA: the transport delivers in order per connection. */
  private readonly reportChannelAt: Float64Array;

  private readonly reports = new Map<number, PartnerReport>();
  private readonly configs = new Map<number, PendingConfig>();
  private readonly probes = new Map<number, Probe>();
  private seq = 1;
  private setup = true;
  private lastDeathKind: 'single' | 'segment' | 'false' = 'false';

  private readonly result: TrialResult;
  private segmentHosts: number[] = [];
  private segmentKilledAt = Number.NaN;

  constructor(
    private readonly cfg: TrialConfig,
    private readonly progress: (line: string) => void,
  ) {
    const t0 = performance.now();
    const n = cfg.n;
    this.random = new Random(cfg.seed);
    this.clock = new SimClock(this.queue, TIMER);
    this.alive = new Uint8Array(n).fill(1);
    this.measured = new Uint8Array(n).fill(1);
    this.stalledEver = new Uint8Array(n);
    this.inSegment = new Uint8Array(n);
    this.stalledUntil = new Float64Array(n);
    this.killedAt = new Float64Array(n).fill(Number.NaN);
    this.nextTick = new Float64Array(n);
    this.nextCheck = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.partners = new Int32Array(n * SLOTS).fill(-1);
    this.lastHeard = new Float64Array(n * SLOTS);
    this.reported = new Uint8Array(n * SLOTS);
    this.heardEver = new Uint8Array(n * SLOTS).fill(1);
    this.configVersion = new Uint32Array(n);
    this.appliedVersion = new Uint32Array(n);
    this.reportChannelAt = new Float64Array(n);
    this.result = {
      hbPackets: 0, hbHostSeconds: 0, partnersPerNode: 0, joinConfigs: [], leaveConfigs: [], detectMs: [], undetected: 0,
      falseDeathsLoss: 0, falseDeathsStall: 0, segment: null,
      deathDatagrams: { reports: 0, probes: 0, repair: 0 }, deathMessages: { reports: 0, probes: 0, repair: 0 }, deaths: 0,
      noiseReports: 0, noiseProbeAttempts: 0, windowS: (cfg.endMs - cfg.measureFromMs) / 1000,
      linkTrouble: 0, resolved: 0, ignored: {}, auditViolations: null, events: 0, setupMs: 0, runMs: 0,
    };

    // The fleet: bulk-load all but the hosts whose joins are measured, then join those one by one.
    const hosts: RingHost[] = [];
    for (let i = 0; i < n; i++) {
      const h = makeHost(i, cfg.perSubnet);
      hosts.push(h);
      this.ids.push(h.id);
      this.index.set(h.id, i);
    }
    const joiners = new Set(this.random.sample(n, Math.min(cfg.joins, Math.floor(n / 2))));
    const rings = new RingSet();
    rings.joinAll(hosts.filter((_, i) => !joiners.has(i)));
    this.membership = new Membership({ clock: this.clock, timing: cfg.timing ?? {}, emit: (d) => this.onDecision(d) }, rings);
    this.timing = this.membership.timing;
    for (const i of joiners) this.result.joinConfigs.push(this.countConfigs(() => this.membership.announce(hosts[i] as RingHost)));
    for (const i of this.random.sample(n, Math.min(cfg.leaves, Math.floor(n / 2)))) {
      this.result.leaveConfigs.push(this.countConfigs(() => this.membership.leave(this.ids[i] as string)));
      this.result.joinConfigs.push(this.countConfigs(() => this.membership.announce(hosts[i] as RingHost)));
    }
    progress(`  n=${n}: rings built (${this.membership.ringSet.ringNames().length} rings) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Every host starts with the partners the rings give it, all heard at t=0, ticking at a random phase.
    // Read straight from ring order (partnersOf for a million hosts is slow), checked on a sample.
    let slots = 0;
    const add = (i: number, j: number): void => {
      const base = i * SLOTS;
      for (let k = 0; k < SLOTS; k++) {
        const at = this.partners[base + k] as number;
        if (at === j) return;
        if (at < 0) {
          this.partners[base + k] = j;
          slots++;
          return;
        }
      }
      throw new Error(`host ${i} has more than ${SLOTS} partners`);
    };
    for (const name of this.membership.ringSet.ringNames()) {
      const ordered = this.membership.ringSet.ring(name)?.ordered() ?? [];
      const size = ordered.length;
      if (size < 2) continue;
      for (let k = 0; k < size; k++) {
        const i = this.index.get((ordered[k] as { host: string }).host) as number;
        add(i, this.index.get((ordered[(k + 1) % size] as { host: string }).host) as number);
        add(i, this.index.get((ordered[(k - 1 + size) % size] as { host: string }).host) as number);
      }
    }
    for (const i of this.random.sample(n, Math.min(n, 1000))) {
      const expected = this.membership.ringSet.partnersOf(this.ids[i] as string).map((p) => this.index.get(p.host) as number).sort((a, b) => a - b);
      const got = Array.from(this.partners.slice(i * SLOTS, i * SLOTS + SLOTS)).filter((j) => j >= 0).sort((a, b) => a - b);
      if (expected.join() !== got.join()) throw new Error(`partner slots of host ${i} disagree with partnersOf: ${got} vs ${expected}`);
    }
    for (let i = 0; i < n; i++) {
      this.nextTick[i] = this.random.next() * this.timing.heartbeatMs;
      this.queue.push(this.nextTick[i] as number, TICK, i);
    }
    this.result.partnersPerNode = slots / n;
    this.scheduleFaults();
    this.setup = false;
    this.result.setupMs = performance.now() - t0;
  }

  run(): TrialResult {
    const t0 = performance.now();
    const q = this.queue;
    const end = this.cfg.endMs;
    let events = 0;
    let nextProgress = 1000;
    while (q.pop()) {
      const time = q.time;
      if (time > end) break;
      this.clock.current = time;
      events++;
      const arg = q.arg;
      switch (q.kind) {
        case TICK: this.tick(arg, time); break;
        case CHECK: this.onCheck(arg, time); break;
        case TIMER: this.clock.fire(arg); break;
        case REPORT: this.deliverReport(arg); break;
        case CONFIG: this.deliverConfig(arg, time); break;
        case PROBE_ATTEMPT: this.probeAttempt(arg, time); break;
        case PROBE_REPLY: this.probeReply(arg); break;
        case KILL: this.kill(arg, time); break;
        case STALL: this.stalledUntil[arg] = time + this.cfg.stallMs; break;
        case SEGMENT_KILL: for (const i of this.segmentHosts) this.kill(i, time); this.segmentKilledAt = time; break;
        default: throw new Error(`unknown event kind ${q.kind}`);
      }
      if (this.cfg.n >= 100_000 && time >= nextProgress) {
        this.progress(`  n=${this.cfg.n} loss=${this.cfg.loss}: t=${(time / 1000).toFixed(0)} s simulated, ${events} events, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        nextProgress += 2000;
      }
    }
    this.result.events = events;
    this.result.runMs = performance.now() - t0;
    this.finish();
    return this.result;
  }

  private scheduleFaults(): void {
    const cfg = this.cfg;
    const n = cfg.n;
    if (cfg.segmentKill) {
      const subnets = Math.ceil(n / cfg.perSubnet);
      const s = this.random.int(Math.max(1, subnets - 1)); // a full subnet (the last may be partial)
      for (let i = s * cfg.perSubnet; i < Math.min(n, (s + 1) * cfg.perSubnet); i++) {
        this.segmentHosts.push(i);
        this.inSegment[i] = 1;
        this.measured[i] = 0;
      }
      this.queue.push(this.random.between(cfg.eventsFromMs, cfg.eventsToMs), SEGMENT_KILL, s);
    }
    const taken = (i: number): boolean => this.measured[i] === 0;
    for (const i of this.random.sample(n, Math.min(cfg.kills, Math.floor(n / 4)), taken)) {
      this.measured[i] = 0;
      this.queue.push(this.random.between(cfg.eventsFromMs, cfg.eventsToMs), KILL, i);
    }
    for (const i of this.random.sample(n, Math.min(cfg.stalls, Math.floor(n / 4)), taken)) {
      this.measured[i] = 0;
      this.stalledEver[i] = 1;
      this.queue.push(this.random.between(cfg.eventsFromMs, cfg.eventsToMs), STALL, i);
    }
  }

  private tick(i: number, now: number): void {
    if (this.alive[i] === 0) return;
    const stalled = this.stalledUntil[i] as number;
    if (stalled > now) {
      this.nextTick[i] = stalled;
      this.queue.push(stalled, TICK, i);
      return;
    }
    const next = now + this.timing.heartbeatMs;
    this.nextTick[i] = next;
    this.queue.push(next, TICK, i);
    const count = now >= this.cfg.measureFromMs && this.measured[i] === 1;
    const loss = this.cfg.loss;
    const base = i * SLOTS;
    for (let k = 0; k < SLOTS; k++) {
      const j = this.partners[base + k] as number;
      if (j < 0) continue;
      if (count) this.result.hbPackets++;
      if (loss > 0 && this.random.next() < loss) continue;
      if (this.alive[j] === 0) continue;
      const jb = j * SLOTS;
      let s = 0;
      while (s < SLOTS && this.partners[jb + s] !== i) s++;
      if (s === SLOTS) continue; // not (or no longer) its partner: a nanoprobe counts and drops it
      this.lastHeard[jb + s] = now;
      this.heardEver[jb + s] = 1;
      if (this.reported[jb + s] !== 0) {
        this.reported[jb + s] = 0;
        this.sendReport(j, i, 'alive', 0, now);
      }
    }
    this.check(i, now);
  }

  private onCheck(i: number, now: number): void {
    if (this.nextCheck[i] === now) this.nextCheck[i] = Number.POSITIVE_INFINITY;
    if (this.alive[i] === 0) return;
    const stalled = this.stalledUntil[i] as number;
    if (stalled > now) {
      this.queue.push(stalled, CHECK, i);
      return;
    }
    this.check(i, now);
  }

  /** The nanoprobe's partner watch: report transitions, and arm a timer for the next deadline if it
   * falls before the next tick (which checks anyway). */
  private check(i: number, now: number): void {
    const base = i * SLOTS;
    const { warnMs, deadMs } = this.timing;
    let next = Number.POSITIVE_INFINITY;
    for (let k = 0; k < SLOTS; k++) {
      const j = this.partners[base + k] as number;
      if (j < 0) continue;
      const heard = this.lastHeard[base + k] as number;
      const silent = now - heard;
      let state = this.reported[base + k] as number;
      if (state === 0) {
        if (silent >= warnMs) {
          this.reported[base + k] = state = 1;
          this.sendReport(i, j, 'late', this.heardEver[base + k] === 1 ? silent : null, now);
        } else next = Math.min(next, heard + warnMs);
      }
      if (state === 1) {
        if (silent >= deadMs) {
          this.reported[base + k] = 2;
          this.sendReport(i, j, 'dead', this.heardEver[base + k] === 1 ? silent : null, now);
        } else next = Math.min(next, heard + deadMs);
      }
    }
    if (next < (this.nextTick[i] as number) && next < (this.nextCheck[i] as number)) {
      this.nextCheck[i] = next;
      this.queue.push(next, CHECK, i);
    }
  }

  private sendReport(observer: number, subject: number, kind: PartnerReport['kind'], silent: number | null, now: number): void {
    const sendAt = Math.max(now, this.stalledUntil[observer] as number);
    const t = reliableTransfer(this.random, this.cfg.loss);
    const id = this.seq++;
    this.reports.set(id, { observer: this.ids[observer] as string, subject: this.ids[subject] as string, kind, silentForMs: silent === null ? null : silent + (sendAt - now) });
    // Strictly after the previous one: equal times could pop in either order from the heap.
    const arrives = Math.max(sendAt + t.delayMs, (this.reportChannelAt[observer] as number) + 0.001);
    this.reportChannelAt[observer] = arrives;
    this.queue.push(arrives, REPORT, id);
    const about = this.attribution(subject);
    if (about === 'single') {
      this.result.deathDatagrams.reports += t.datagrams;
      this.result.deathMessages.reports++;
    } else if (about === 'noise' && now >= this.cfg.measureFromMs) this.result.noiseReports++;
  }

  private deliverReport(id: number): void {
    const r = this.reports.get(id);
    if (r === undefined) return;
    this.reports.delete(id);
    if (process.env.SIM_TRACE !== undefined && (r.subject === this.ids[Number(process.env.SIM_TRACE)])) this.progress(`  TRACE t=${this.clock.now()} report ${JSON.stringify(r)} from ${this.index.get(r.observer)}`);
    this.membership.report(r);
  }

  private deliverConfig(id: number, now: number): void {
    const c = this.configs.get(id);
    if (c === undefined) return;
    this.configs.delete(id);
    const j = c.host;
    if (this.alive[j] === 0 || c.version <= (this.appliedVersion[j] as number)) return;
    this.appliedVersion[j] = c.version;
    const applyAt = Math.max(now, this.stalledUntil[j] as number);
    const base = j * SLOTS;
    const oldPartners = this.partners.slice(base, base + SLOTS);
    const oldHeard = this.lastHeard.slice(base, base + SLOTS);
    const oldReported = this.reported.slice(base, base + SLOTS);
    const oldHeardEver = this.heardEver.slice(base, base + SLOTS);
    for (let k = 0; k < SLOTS; k++) {
      const p = k < c.partners.length ? (c.partners[k] as number) : -1;
      this.partners[base + k] = p;
      const was = p < 0 ? -1 : oldPartners.indexOf(p);
      this.lastHeard[base + k] = was >= 0 ? (oldHeard[was] as number) : applyAt;
      this.reported[base + k] = was >= 0 ? (oldReported[was] as number) : 0;
      this.heardEver[base + k] = was >= 0 ? (oldHeardEver[was] as number) : 0;
    }
  }

  private probeAttempt(id: number, now: number): void {
    const p = this.probes.get(id);
    if (p === undefined) return;
    if (now >= p.giveUpAt) {
      this.probes.delete(id);
      return;
    }
    const about = this.attribution(p.host);
    let datagrams = 1;
    if (this.random.next() >= this.cfg.loss && this.alive[p.host] === 1) {
      datagrams++; // the answer
      const replyAt = Math.max(now, this.stalledUntil[p.host] as number) + ONE_WAY_MS;
      if (this.random.next() >= this.cfg.loss) this.queue.push(replyAt + ONE_WAY_MS, PROBE_REPLY, id);
    }
    if (about === 'single') {
      this.result.deathDatagrams.probes += datagrams;
      this.result.deathMessages.probes++;
    } else if (about === 'noise' && now >= this.cfg.measureFromMs) this.result.noiseProbeAttempts++;
    this.queue.push(now + p.every, PROBE_ATTEMPT, id);
  }

  private probeReply(id: number): void {
    const p = this.probes.get(id);
    if (p === undefined) return;
    this.probes.delete(id);
    this.membership.probeAnswered(this.ids[p.host] as string, id);
  }

  private kill(i: number, now: number): void {
    this.alive[i] = 0;
    this.killedAt[i] = now;
  }

  /** Whose death a packet about `host` serves: a killed host, the killed segment, a stalled host, or
   * none (noise: reports and probes caused by loss alone). */
  private attribution(host: number): 'single' | 'segment' | 'stall' | 'noise' {
    if (this.inSegment[host] === 1) return 'segment';
    if (this.stalledEver[host] === 1) return 'stall';
    return Number.isNaN(this.killedAt[host] as number) ? 'noise' : 'single';
  }

  private countConfigs(action: () => void): number {
    let configs = 0;
    const previous = this.onConfig;
    this.onConfig = () => configs++;
    action();
    this.onConfig = previous;
    return configs;
  }

  private onConfig: (d: Extract<Decision, { type: 'ring_config' }>) => void = () => {};

  private onDecision(d: Decision): void {
    const now = this.clock.now();
    if (process.env.SIM_TRACE !== undefined && 'host' in d && d.host === this.ids[Number(process.env.SIM_TRACE)]) this.progress(`  TRACE t=${now} decision ${JSON.stringify(d).slice(0, 300)}`);
    switch (d.type) {
      case 'ring_config': {
        if (this.setup) {
          this.onConfig(d);
          return;
        }
        const j = this.index.get(d.host) as number;
        const version = (this.configVersion[j] ?? 0) + 1;
        this.configVersion[j] = version;
        const partners = Int32Array.from(d.partners.map((p) => this.index.get(p.host) as number));
        const t = reliableTransfer(this.random, this.cfg.loss);
        const id = this.seq++;
        this.configs.set(id, { host: j, version, partners });
        this.queue.push(now + t.delayMs, CONFIG, id);
        if (d.reason === 'death' && this.lastDeathKind === 'single') {
          this.result.deathDatagrams.repair += t.datagrams;
          this.result.deathMessages.repair++;
        }
        return;
      }
      case 'probe': {
        const host = this.index.get(d.host) as number;
        this.probes.set(d.probeId, { host, every: d.attemptEveryMs, giveUpAt: now + d.giveUpAfterMs });
        this.queue.push(now, PROBE_ATTEMPT, d.probeId);
        return;
      }
      case 'probe_cancel':
        this.probes.delete(d.probeId);
        return;
      case 'host_down':
        if (process.env.SIM_DEBUG) this.debugDeath(d.host, JSON.stringify(d.evidence));
        this.onDeaths([d.host], now, false);
        return;
      case 'segment_down':
        this.onDeaths(d.hosts, now, true);
        return;
      case 'resolved':
        this.result.resolved++;
        return;
      case 'link_trouble':
        this.result.linkTrouble++;
        if (process.env.SIM_DEBUG) {
          const x = this.index.get(d.host) as number;
          const obs = d.observers.map((o) => this.index.get(o) as number);
          this.progress(`  DEBUG link_trouble x=${x} alive=${this.alive[x]} stalled=${this.stalledEver[x]} until=${this.stalledUntil[x]} t=${now} observers=${obs.map((o) => `${o}(alive=${this.alive[o]},stalled=${this.stalledEver[o]},until=${this.stalledUntil[o]},hasX=${Array.from(this.partners.slice(o * SLOTS, o * SLOTS + SLOTS)).includes(x)},xHasO=${Array.from(this.partners.slice(x * SLOTS, x * SLOTS + SLOTS)).includes(o)})`).join(' ')}`);
        }
        return;
      case 'ignored':
        this.result.ignored[d.reason] = (this.result.ignored[d.reason] ?? 0) + 1;
        return;
      default:
        return;
    }
  }

  private debugDeath(host: string, evidence: string): void {
    const i = this.index.get(host) as number;
    const falseDeath = Number.isNaN(this.killedAt[i] as number);
    const late = !falseDeath && (this.clock.now() - (this.killedAt[i] as number) > 5000 || this.inSegment[i] === 1);
    if (late) {
      for (const pt of this.membership.ringSet.partnersOf(host)) {
        const j = this.index.get(pt.host) as number;
        this.progress(`    partner ${j} alive=${this.alive[j]} killedAt=${this.killedAt[j]} seg=${this.inSegment[j]} stalled=${this.stalledEver[j]} stalledUntil=${this.stalledUntil[j]} suspect=${this.membership.isSuspect(pt.host)} rings=${pt.rings}`);
      }
    }
    if (falseDeath || late) this.progress(`  DEBUG ${falseDeath ? 'false' : 'late'} death of ${i} at ${this.clock.now()} killedAt=${this.killedAt[i]} stall=${this.stalledEver[i]} stalledUntil=${this.stalledUntil[i]} evidence=${evidence}`);
  }

  private onDeaths(hosts: string[], now: number, asSegment: boolean): void {
    let kind: 'single' | 'segment' | 'false' = 'false';
    for (const id of hosts) {
      const i = this.index.get(id) as number;
      const killedAt = this.killedAt[i] as number;
      if (Number.isNaN(killedAt) || this.alive[i] === 1) {
        if (this.stalledEver[i] === 1) this.result.falseDeathsStall++;
        else this.result.falseDeathsLoss++;
        this.progress(`  FALSE DEATH n=${this.cfg.n} loss=${this.cfg.loss} host=${i} stalled=${this.stalledEver[i]} t=${now}`);
      } else if (this.inSegment[i] === 1) {
        kind = 'segment';
      } else {
        kind = 'single';
        this.result.deaths++;
        this.result.detectMs.push(now - killedAt);
        if (asSegment) this.progress(`  host ${i} was grouped into a segment it does not belong to`);
      }
    }
    if (kind === 'segment') {
      const named = new Set(hosts.map((h) => this.index.get(h) as number));
      const ok = asSegment && named.size === this.segmentHosts.length && this.segmentHosts.every((i) => named.has(i));
      const seg = this.result.segment;
      if (seg === null) this.result.segment = { hosts: this.segmentHosts.length, detectMs: now - this.segmentKilledAt, ok };
      else seg.ok = false; // more than one decision for the segment
      if (process.env.SIM_DEBUG && (!ok || seg !== null)) this.progress(`  DEBUG segment decision asSegment=${asSegment} named=${named.size}/${this.segmentHosts.length} at ${now - this.segmentKilledAt} ms after the kill`);
    }
    this.lastDeathKind = kind;
  }

  private finish(): void {
    const r = this.result;
    let measuredHosts = 0;
    for (let i = 0; i < this.cfg.n; i++) if (this.measured[i] === 1) measuredHosts++;
    r.hbHostSeconds = (measuredHosts * (this.cfg.endMs - this.cfg.measureFromMs)) / 1000;
    for (let i = 0; i < this.cfg.n; i++) {
      if (!Number.isNaN(this.killedAt[i] as number) && this.inSegment[i] === 0 && this.membership.status(this.ids[i] as string) !== 'dead') r.undetected++;
    }
    if (this.segmentHosts.length > 0 && r.segment === null) r.segment = { hosts: this.segmentHosts.length, detectMs: null, ok: false };
    if (this.cfg.audit) r.auditViolations = this.membership.audit().length;
  }
}
