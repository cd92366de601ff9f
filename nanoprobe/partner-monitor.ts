/**
 * Ring partners as one host sees them: whom to heartbeat, whom we have heard, and what to tell the CMA.
 * A pure state machine with an injected time source (memberlist's habit: it knows nothing about
 * sockets). The daemon calls `due()` when `nextWakeAt()` comes and sends what it returns.
 *
 * Per partner:   ok --silent warnTimeMs--> late --silent deadTimeMs--> dead
 *                 ^                          |                          |
 *                 +------- heard again ------+--------------------------+   (reported "alive")
 * Each transition is reported once ("no news is good news": nothing while all is well). A partner
 * never heard since the CONFIG that named it counts as silent since that CONFIG was applied. A partner
 * found silent past deadTimeMs in one step (our own process was stalled) is reported late and dead
 * together, so the CMA always sees the whole sequence.
 *
 * A stall of our own process is not a partner's silence: the caller reads what waited in the socket
 * before it calls `due()` after one (liveness.ts).
 *
 * Config versions: the CMA numbers the configs it sends a host; one older than the last applied is
 * ignored. The numbering belongs to one CMA session (the transport delivers one session's messages in
 * order, and a restarted CMA may count again from its graph), so a config from a new CMA session is
 * always applied.
 */
import type { PayloadOf } from '../protocol/message-types';

export type ConfigPayload = PayloadOf<'CONFIG'>;
export type PartnerReportPayload = PayloadOf<'PARTNER_REPORT'>;
export type HeartbeatPayload = PayloadOf<'HEARTBEAT'>;
export type ReportStatus = PartnerReportPayload['status'];

export type PartnerState = 'ok' | 'late' | 'dead';

export type MonitorTime = {
  /** Monotonic milliseconds: all deadlines use this (a wall-clock step must not fake a silence). */
  now(): number;
  /** Milliseconds since the epoch, for what goes on the wire (lastHeard, reportedAt, sentAt). */
  epoch(): number;
};

export type HeartbeatSend = { partner: string; address: { host: string; port: number }; payload: HeartbeatPayload };
export type MonitorOutput = { heartbeats: HeartbeatSend[]; reports: PartnerReportPayload[] };

export type PartnerSnapshot = {
  keyId: string;
  hostname: string | undefined;
  address: { ip: string; port: number };
  rings: string[];
  state: PartnerState;
  /** Epoch ms of the last heartbeat heard since the CONFIG that named it, or null. */
  lastHeard: number | null;
  lastSeq: number | null;
  heartbeatsHeard: number;
};

export type ConfigOutcome =
  | { applied: true; version: number; added: ConfigPayload['partners']; removed: string[]; kept: string[] }
  | { applied: false; reason: 'stale'; version: number; lastApplied: number };

type Entry = {
  keyId: string;
  hostname: string | undefined;
  address: { ip: string; port: number };
  rings: string[];
  state: PartnerState;
  /** Monotonic time of the last heartbeat, or of the CONFIG that named it when never heard. */
  silentSince: number;
  lastHeard: number | null;
  lastSeq: number | null;
  heartbeatsHeard: number;
  /** The last status the CMA acknowledged for this partner (null: none; it assumes alive). */
  delivered: ReportStatus | null;
};

type Timing = { heartbeatIntervalMs: number; warnTimeMs: number; deadTimeMs: number };

export class PartnerMonitor {
  private readonly partners = new Map<string, Entry>();
  private timing: Timing | undefined;
  private version: number | undefined;
  private origin: string | undefined;
  private nextHeartbeatAt: number | undefined;
  private seq = 0;

  constructor(
    private readonly self: string,
    private readonly time: MonitorTime,
  ) {}

  get configVersion(): number | undefined {
    return this.version;
  }

  get heartbeatIntervalMs(): number | undefined {
    return this.timing?.heartbeatIntervalMs;
  }

  isPartner(keyId: string): boolean {
    return this.partners.has(keyId);
  }

  partnerIds(): string[] {
    return [...this.partners.keys()];
  }

  /**
   * Applies a CONFIG unless it is older than the last one applied from the same CMA session (`origin`).
   * Partners kept from the previous config keep what we know about them (last heard, state).
   */
  applyConfig(config: ConfigPayload, origin: string): ConfigOutcome {
    if (this.origin === origin && this.version !== undefined && config.configVersion < this.version) {
      return { applied: false, reason: 'stale', version: config.configVersion, lastApplied: this.version };
    }
    const now = this.time.now();
    const wanted = new Map<string, ConfigPayload['partners'][number] & { rings: string[] }>();
    for (const p of config.partners) {
      if (p.keyId === this.self) continue; // never heartbeat ourselves, whatever the CMA says
      const seen = wanted.get(p.keyId);
      // The same partner listed twice (two rings): one entry, rings merged, the last address wins.
      wanted.set(p.keyId, seen === undefined ? { ...p, rings: [...p.rings] } : { ...p, rings: [...new Set([...seen.rings, ...p.rings])] });
    }
    const removed = [...this.partners.keys()].filter((k) => !wanted.has(k));
    for (const k of removed) this.partners.delete(k);
    const added: ConfigPayload['partners'] = [];
    const kept: string[] = [];
    for (const p of wanted.values()) {
      const address = { ip: p.address.ip, port: p.address.port };
      const entry = this.partners.get(p.keyId);
      if (entry !== undefined) {
        entry.address = address;
        entry.rings = p.rings;
        entry.hostname = p.hostname ?? entry.hostname;
        kept.push(p.keyId);
        continue;
      }
      this.partners.set(p.keyId, {
        keyId: p.keyId,
        hostname: p.hostname,
        address,
        rings: p.rings,
        state: 'ok',
        silentSince: now,
        lastHeard: null,
        lastSeq: null,
        heartbeatsHeard: 0,
        delivered: null,
      });
      added.push(p);
    }
    this.timing = { heartbeatIntervalMs: config.heartbeatIntervalMs, warnTimeMs: config.warnTimeMs, deadTimeMs: config.deadTimeMs };
    this.version = config.configVersion;
    this.origin = origin;
    // A round of heartbeats right away: new partners start hearing us without waiting an interval.
    this.nextHeartbeatAt = this.partners.size > 0 ? now : undefined;
    return { applied: true, version: config.configVersion, added, removed, kept };
  }

  /** A heartbeat from `keyId` (authenticated). Returns whether it is a partner, and the report to send. */
  heard(keyId: string, seq: number): { partner: false } | { partner: true; report: PartnerReportPayload | null } {
    const entry = this.partners.get(keyId);
    if (entry === undefined) return { partner: false };
    entry.silentSince = this.time.now();
    entry.lastHeard = this.time.epoch();
    entry.lastSeq = seq;
    entry.heartbeatsHeard += 1;
    if (entry.state === 'ok') return { partner: true, report: null };
    entry.state = 'ok';
    return { partner: true, report: this.report(entry, 'alive') };
  }

  /** Heartbeats due now and state transitions reached now. */
  due(): MonitorOutput {
    const out: MonitorOutput = { heartbeats: [], reports: [] };
    const timing = this.timing;
    if (timing === undefined) return out;
    const now = this.time.now();
    if (this.nextHeartbeatAt !== undefined && now >= this.nextHeartbeatAt) {
      const payload: HeartbeatPayload = { seq: this.seq, sentAt: this.time.epoch() };
      this.seq += 1;
      for (const p of this.partners.values()) {
        out.heartbeats.push({ partner: p.keyId, address: { host: p.address.ip, port: p.address.port }, payload });
      }
      this.nextHeartbeatAt += timing.heartbeatIntervalMs;
      // Behind by more than an interval (a stalled process): skip the missed rounds, no burst.
      if (this.nextHeartbeatAt <= now) this.nextHeartbeatAt = now + timing.heartbeatIntervalMs;
    }
    for (const p of this.partners.values()) {
      const silence = now - p.silentSince;
      if (p.state === 'ok' && silence >= timing.warnTimeMs) {
        p.state = 'late';
        out.reports.push(this.report(p, 'late'));
      }
      if (p.state === 'late' && silence >= timing.deadTimeMs) {
        p.state = 'dead';
        out.reports.push(this.report(p, 'dead'));
      }
    }
    return out;
  }

  /** The next time `due()` has something to do (monotonic), or undefined when nothing is configured. */
  nextWakeAt(): number | undefined {
    const timing = this.timing;
    if (timing === undefined) return undefined;
    let next = this.nextHeartbeatAt ?? Infinity;
    for (const p of this.partners.values()) {
      if (p.state === 'ok') next = Math.min(next, p.silentSince + timing.warnTimeMs);
      else if (p.state === 'late') next = Math.min(next, p.silentSince + timing.deadTimeMs);
    }
    return next === Infinity ? undefined : next;
  }

  /** The CMA acknowledged (committed) a report. */
  delivered(report: PartnerReportPayload): void {
    const entry = this.partners.get(report.partner);
    if (entry !== undefined) entry.delivered = report.status;
  }

  /**
   * After (re-)joining a CMA: what it must hear again. Every partner still late or dead (a restarted CMA
   * lost our earlier reports, or they never arrived), and every partner back alive whose recovery the
   * CMA has not acknowledged after hearing it was late or dead.
   */
  rejoinReports(): PartnerReportPayload[] {
    const out: PartnerReportPayload[] = [];
    for (const p of this.partners.values()) {
      if (p.state !== 'ok') out.push(this.report(p, p.state));
      else if (p.delivered !== null && p.delivered !== 'alive') out.push(this.report(p, 'alive'));
    }
    return out;
  }

  snapshot(): PartnerSnapshot[] {
    return [...this.partners.values()].map((p) => ({
      keyId: p.keyId,
      hostname: p.hostname,
      address: { ...p.address },
      rings: [...p.rings],
      state: p.state,
      lastHeard: p.lastHeard,
      lastSeq: p.lastSeq,
      heartbeatsHeard: p.heartbeatsHeard,
    }));
  }

  private report(p: Entry, status: ReportStatus): PartnerReportPayload {
    const report: PartnerReportPayload = { partner: p.keyId, status, lastHeard: p.lastHeard, observer: this.self, reportedAt: this.time.epoch() };
    const ring = p.rings[0];
    if (ring !== undefined) report.ring = ring;
    return report;
  }
}
