/**
 * One trial of the rings simulation: N simulated nanoprobes (nanoprobes.ts) around the CMA's real
 * Membership (rings, death judge, segment watch), in virtual time on one event queue.
 *
 * Simulated per packet: every heartbeat; every report to the CMA, CONFIG and probe, as the project's
 * reliable transport would carry them (attempts, ACKs and retransmissions sampled at the trial's loss
 * rate, in order per sender; see wire.ts); probes as one datagram per attempt every 250 ms, each
 * answered unless lost. Faults: hosts killed, hosts stalled, one whole subnet killed.
 * Not simulated: CPU time, queueing delay, bandwidth; one-way latency is a constant 0.5 ms.
 */
import { makeHost } from '../../cma/membership/fixtures';
import { Membership } from '../../cma/membership/membership';
import { RingSet } from '../../cma/membership/ring-set';
import type { Decision, PartnerReport } from '../../cma/membership/decisions';
import type { MembershipTiming } from '../../cma/membership/timing';
import type { Ring } from '../../cma/membership/ring';
import type { RingHost } from '../../cma/membership/types';
import { EventQueue } from './event-queue';
import { SimNanoprobes } from './nanoprobes';
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

  private readonly hosts: SimNanoprobes;
  private readonly measured: Uint8Array;
  private readonly stalledEver: Uint8Array;
  private readonly inSegment: Uint8Array;
  private readonly killedAt: Float64Array;
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
    this.measured = new Uint8Array(n).fill(1);
    this.stalledEver = new Uint8Array(n);
    this.inSegment = new Uint8Array(n);
    this.killedAt = new Float64Array(n).fill(Number.NaN);
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
    const bulk = new RingSet();
    bulk.joinAll(hosts.filter((_, i) => !joiners.has(i)));
    this.membership = new Membership({ clock: this.clock, timing: cfg.timing ?? {}, emit: (d) => this.onDecision(d) }, bulk);
    this.timing = this.membership.timing;
    this.hosts = new SimNanoprobes(
      n, this.timing, cfg.loss, this.random, this.queue, { tick: TICK, check: CHECK },
      (observer, subject, kind, silent, now) => this.sendReport(observer, subject, kind, silent, now),
      (host, now) => now >= cfg.measureFromMs && this.measured[host] === 1,
    );
    for (const i of joiners) this.result.joinConfigs.push(this.countConfigs(() => this.membership.announce(hosts[i] as RingHost)));
    for (const i of this.random.sample(n, Math.min(cfg.leaves, Math.floor(n / 2)))) {
      this.result.leaveConfigs.push(this.countConfigs(() => this.membership.leave(this.ids[i] as string)));
      this.result.joinConfigs.push(this.countConfigs(() => this.membership.announce(hosts[i] as RingHost)));
    }
    progress(`  n=${n}: rings built (${this.membership.ringSet.ringNames().length} rings) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Every host starts with the partners the rings give it, read straight from ring order (partnersOf
    // for a million hosts is slow) and checked against partnersOf on a sample.
    const rings = this.membership.ringSet;
    const slots = this.hosts.loadRings(rings.ringNames().map((name) => rings.ring(name) as Ring), this.index);
    for (const i of this.random.sample(n, Math.min(n, 1000))) {
      const expected = rings.partnersOf(this.ids[i] as string).map((p) => this.index.get(p.host) as number).sort((a, b) => a - b);
      const got = this.hosts.slotsOf(i).sort((a, b) => a - b);
      if (expected.join() !== got.join()) throw new Error(`partner slots of host ${i} disagree with partnersOf: ${got} vs ${expected}`);
    }
    this.hosts.start();
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
        case TICK: this.hosts.tick(arg, time); break;
        case CHECK: this.hosts.onCheck(arg, time); break;
        case TIMER: this.clock.fire(arg); break;
        case REPORT: this.deliverReport(arg); break;
        case CONFIG: this.deliverConfig(arg, time); break;
        case PROBE_ATTEMPT: this.probeAttempt(arg, time); break;
        case PROBE_REPLY: this.probeReply(arg); break;
        case KILL: this.kill(arg, time); break;
        case STALL: this.hosts.stall(arg, time, this.cfg.stallMs); break;
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

  private sendReport(observer: number, subject: number, kind: PartnerReport['kind'], silent: number | null, now: number): void {
    const sendAt = Math.max(now, this.hosts.stalledUntil[observer] as number);
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
    this.membership.report(r);
  }

  private deliverConfig(id: number, now: number): void {
    const c = this.configs.get(id);
    if (c === undefined) return;
    this.configs.delete(id);
    // A CONFIG carries a version; one overtaken by a newer one is ignored, as the nanoprobe does.
    if (c.version <= (this.appliedVersion[c.host] as number)) return;
    this.appliedVersion[c.host] = c.version;
    this.hosts.applyConfig(c.host, c.partners, now);
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
    if (this.random.next() >= this.cfg.loss && this.hosts.alive[p.host] === 1) {
      datagrams++; // the answer
      const replyAt = Math.max(now, this.hosts.stalledUntil[p.host] as number) + ONE_WAY_MS;
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
    this.hosts.alive[i] = 0;
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
        return;
      case 'ignored':
        this.result.ignored[d.reason] = (this.result.ignored[d.reason] ?? 0) + 1;
        return;
      default:
        return;
    }
  }

  private onDeaths(hosts: string[], now: number, asSegment: boolean): void {
    let kind: 'single' | 'segment' | 'false' = 'false';
    for (const id of hosts) {
      const i = this.index.get(id) as number;
      const killedAt = this.killedAt[i] as number;
      if (Number.isNaN(killedAt) || this.hosts.alive[i] === 1) {
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
      if (!ok || seg !== null) this.progress(`  segment not grouped as one: decision named ${named.size}/${this.segmentHosts.length} hosts, grouped=${asSegment}`);
    }
    this.lastDeathKind = kind;
  }

  private finish(): void {
    const r = this.result;
    let measuredHosts = 0;
    for (let i = 0; i < this.cfg.n; i++) if (this.measured[i] === 1) measuredHosts++;
    r.hbPackets = this.hosts.heartbeats;
    r.hbHostSeconds = (measuredHosts * (this.cfg.endMs - this.cfg.measureFromMs)) / 1000;
    for (let i = 0; i < this.cfg.n; i++) {
      if (!Number.isNaN(this.killedAt[i] as number) && this.inSegment[i] === 0 && this.membership.status(this.ids[i] as string) !== 'dead') r.undetected++;
    }
    if (this.segmentHosts.length > 0 && r.segment === null) r.segment = { hosts: this.segmentHosts.length, detectMs: null, ok: false };
    if (this.cfg.audit) r.auditViolations = this.membership.audit().length;
  }
}
