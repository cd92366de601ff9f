/**
 * The nanoprobe, wired: one endpoint (one UDP socket, one packet guard, one session per start) and the
 * parts that decide what to say on it:
 *   announcer (when to announce) → cma-trust (which ANNOUNCE_ACK to believe) → joined;
 *   liveness (heartbeats, late/dead/alive reports, unexpected heartbeats; one timer);
 *   probe-responder; discovery-bridge (scripts → DISCOVERY_RESULT).
 * Those parts are pure or clock-driven; this file only moves messages between them and the endpoint.
 *
 * Losing the CMA (its session changed: it restarted; a reliable send to it gave up; or it sent REJOIN
 * because it holds us as no member) sends us back to announcing while heartbeats go on; after the
 * re-join, partner states and discovery results the CMA may not have are sent again.
 */
import { EventEmitter } from 'node:events';
import { encodeMessage } from '../protocol/codec';
import type { CounterSet } from '../protocol/counters';
import { makeMessage, type MessageName, type PayloadOf } from '../protocol/message-types';
import { derivePairKey, keyIdOf, type Identity, type PublicKeys } from '../protocol/security/identity';
import type { SecurePacketGuard } from '../protocol/security/packet-guard';
import { sessionIdToHex } from '../protocol/security/session';
import type { Clock } from '../protocol/transport/clock';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import type { Endpoint, GiveUpEvent, IncomingMessage, PeerRestartedEvent } from '../protocol/transport/endpoint';
import type { TransportCounterName } from '../protocol/transport/transport-counters';
import { SIGNED_OVERHEAD } from '../protocol/security/packet-format';
import { buildAnnounce } from './announce-message';
import { Announcer, type AnnouncerState } from './announcer';
import type { BootstrapTarget } from './bootstrap';
import { CmaTrust, type AnnounceAck } from './cma-trust';
import type { NanoprobeConfig } from './config';
import { createNanoprobeCounters, type NanoprobeCounterName } from './counters';
import { DiscoveryBridge, type DiscoveryBridgeOptions, type DiscoveryBridgeStatus } from './discovery-bridge';
import type { AnnouncedAddress } from './host-addresses';
import { dispatchInbound, type InboundHandlers } from './inbound';
import { LogThrottle, type Logger } from './logger';
import { Liveness } from './liveness';
import type { PartnerReportPayload, PartnerSnapshot } from './partner-monitor';
import { probeReply } from './probe-responder';
import { isStaleRejoin, newerJoinId } from './stale-rejoin';

export type NanoprobeStatus = {
  hostname: string;
  keyId: string;
  session: string;
  startTime: number;
  address: SocketAddress;
  softwareVersion: string;
  state: AnnouncerState;
  joined: boolean;
  cma: { keyId: string; address: SocketAddress | null; trust: 'configured' | 'tofu' } | null;
  configVersion: number | null;
  heartbeatIntervalMs: number | null;
  partners: PartnerSnapshot[];
  counters: Record<NanoprobeCounterName, number>;
  transport: Record<TransportCounterName, number>;
  discovery: DiscoveryBridgeStatus;
};

export type NanoprobeEvents = {
  joined: [{ cma: string }];
  lost: [{ reason: LostReason }];
  config: [{ version: number; partners: string[] }];
  report: [PartnerReportPayload];
  stopped: [];
};

export type StopOptions = {
  /** Send LEAVE to the CMA and wait (bounded) for its acknowledgement. Default true. */
  leave?: boolean;
  reason?: string;
};

export type NanoprobeParts = {
  config: NanoprobeConfig;
  identity: Identity;
  guard: SecurePacketGuard;
  endpoint: Endpoint;
  cmaKeys: PublicKeys | undefined;
  bootstrap: BootstrapTarget;
  hostname: string;
  addresses: AnnouncedAddress[];
  softwareVersion: string;
  log: Logger;
  clock: Clock;
  epochNow: () => number;
  random: () => number;
  discovery: Pick<DiscoveryBridgeOptions, 'directories' | 'run' | 'clock'>;
};

type CmaPeer = { keyId: string; address: SocketAddress };

/** Why we went back to announcing: the CMA restarted, stopped acknowledging, or asked (REJOIN). */
export type LostReason = 'cma_restarted' | 'cma_gave_up' | 'cma_asked';

const LOST_COUNTER: Record<LostReason, NanoprobeCounterName> = {
  cma_restarted: 'cma_lost_restarted',
  cma_gave_up: 'cma_lost_gave_up',
  cma_asked: 'cma_lost_asked',
};

export class Nanoprobe extends EventEmitter<NanoprobeEvents> {
  readonly keyId: string;
  readonly hostname: string;
  readonly startTime: number;
  private readonly config: NanoprobeConfig;
  private readonly parts: NanoprobeParts;
  private readonly endpoint: Endpoint;
  private readonly guard: SecurePacketGuard;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly counters: CounterSet<NanoprobeCounterName> = createNanoprobeCounters();
  private readonly throttle: LogThrottle;
  private readonly trust: CmaTrust;
  private readonly announcer: Announcer;
  private readonly liveness: Liveness;
  private readonly discovery: DiscoveryBridge;
  private readonly announceBytes: Uint8Array;
  private cma: CmaPeer | undefined;
  private joined = false;
  /** The CMA's id for our current join (its ANNOUNCE_ACK's), to recognise a stale REJOIN. */
  private joinId: number | undefined;
  private stopping: Promise<void> | undefined;

  constructor(parts: NanoprobeParts) {
    super();
    this.parts = parts;
    this.config = parts.config;
    this.endpoint = parts.endpoint;
    this.guard = parts.guard;
    this.clock = parts.clock;
    this.keyId = parts.identity.keyId;
    this.hostname = parts.hostname;
    this.startTime = Math.round(parts.epochNow());
    this.log = parts.log.child({ host: parts.hostname, keyId: this.keyId });
    this.throttle = new LogThrottle(() => this.clock.now());
    this.trust = new CmaTrust(parts.cmaKeys);
    this.liveness = new Liveness({
      keyId: this.keyId,
      clock: this.clock,
      epochNow: parts.epochNow,
      endpoint: this.endpoint,
      counters: this.counters,
      log: this.log,
      throttle: this.throttle,
      unexpectedReportIntervalMs: this.config.unexpectedReportIntervalMs,
      joined: () => this.joined,
      cmaKeyId: () => this.cma?.keyId,
      report: (report) => this.sendReport(report),
      reportUnexpected: (payload) => {
        this.counters.add('unexpected_reports_sent');
        this.log.info({ sender: payload.claimedSender, from: payload.from, count: payload.count }, 'heartbeats from a non-partner reported');
        this.sendToCma('UNEXPECTED_HEARTBEAT', payload).catch(() => undefined); // a later one carries the news again
      },
    });
    this.discovery = new DiscoveryBridge({
      ...parts.discovery,
      maxConcurrent: this.config.discovery.maxConcurrent,
      send: (result) => this.sendToCma('DISCOVERY_RESULT', result),
      canSend: () => this.joined,
      log: this.log,
      epochNow: () => Math.round(parts.epochNow()),
    });

    const built = buildAnnounce(
      {
        hostname: parts.hostname,
        addresses: parts.addresses,
        port: this.endpoint.localAddress().port,
        ed25519: parts.identity.publicKeys.ed25519,
        x25519: parts.identity.publicKeys.x25519,
        startTime: this.startTime,
        softwareVersion: parts.softwareVersion,
        role: 'nanoprobe',
      },
      // One SIGNED datagram: the guard's signature and header, the transport's one-byte frame type.
      this.endpoint.options.maxDatagramBytes - SIGNED_OVERHEAD - 1,
    );
    this.announceBytes = built.bytes;
    if (built.droppedAddresses > 0) {
      this.counters.add('announce_addresses_dropped', built.droppedAddresses);
      this.log.warn({ announced: built.payload.addresses.length, dropped: built.droppedAddresses }, 'too many addresses for one ANNOUNCE; announcing the first ones');
    }

    this.announcer = new Announcer({
      clock: this.clock,
      random: parts.random,
      backoff: this.config.announce,
      send: () => this.sendAnnounce(),
      onSendError: (err) => {
        this.counters.add('announce_send_errors');
        this.logThrottled('warn', 'announce-send', { err: String(err) }, 'announcement could not be sent');
      },
      onStateChange: (from, to, why) => this.log.debug({ from, to, why }, 'announcer state'),
    });

    this.endpoint.on('message', (m) => this.onMessage(m));
    this.endpoint.on('peerRestarted', (e) => this.onPeerRestarted(e));
    this.endpoint.on('giveUp', (e) => this.onGiveUp(e));
    this.endpoint.on('transportError', (err) => {
      this.counters.add('transport_errors');
      this.logThrottled('warn', `transport:${(err as { code?: string }).code ?? err.message.slice(0, 40)}`, { err: err.message }, 'transport error');
    });
  }

  /** Starts announcing. Called once by startNanoprobe. */
  start(): void {
    const target = this.parts.bootstrap;
    this.log.info(
      {
        port: this.endpoint.localAddress().port,
        session: sessionIdToHex(this.guard.sessionId),
        bootstrap: `${target.kind} ${target.address.host}:${target.address.port}`,
        cmaTrust: this.trust.mode,
        version: this.parts.softwareVersion,
      },
      'nanoprobe started',
    );
    this.announcer.start();
  }

  get address(): SocketAddress {
    return this.endpoint.localAddress();
  }

  status(): NanoprobeStatus {
    const trusted = this.trust.trusted;
    return {
      hostname: this.hostname,
      keyId: this.keyId,
      session: sessionIdToHex(this.guard.sessionId),
      startTime: this.startTime,
      address: this.endpoint.localAddress(),
      softwareVersion: this.parts.softwareVersion,
      state: this.announcer.state,
      joined: this.joined,
      cma:
        trusted === undefined && this.cma === undefined
          ? null
          : { keyId: this.cma?.keyId ?? trusted?.keyId ?? '', address: this.cma?.address ?? null, trust: this.trust.mode },
      configVersion: this.liveness.monitor.configVersion ?? null,
      heartbeatIntervalMs: this.liveness.monitor.heartbeatIntervalMs ?? null,
      partners: this.liveness.monitor.snapshot(),
      counters: this.counters.snapshot(),
      transport: this.endpoint.counters(),
      discovery: this.discovery.status(),
    };
  }

  /**
   * Stops the nanoprobe: by default it tells the CMA it leaves (LEAVE, reliable) and waits for the
   * acknowledgement at most `leaveTimeoutMs`; then it closes its socket. Idempotent.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.shutdown(options);
    return this.stopping;
  }

  private async shutdown(options: StopOptions): Promise<void> {
    this.announcer.stop();
    this.discovery.stop();
    const cma = this.cma;
    if ((options.leave ?? true) && this.joined && cma !== undefined) {
      const reason = (options.reason ?? 'stopped').slice(0, 1024);
      this.counters.add('leaves_sent');
      const acknowledged = await this.withTimeout(this.sendToCma('LEAVE', { reason, startTime: this.startTime }), this.config.leaveTimeoutMs);
      if (acknowledged) this.counters.add('leaves_acknowledged');
      this.log.info({ reason, acknowledged }, acknowledged ? 'left the CMA' : 'leaving without acknowledgement from the CMA');
    }
    this.joined = false;
    this.liveness.stop();
    await this.endpoint.close();
    this.log.info('nanoprobe stopped');
    this.emit('stopped');
  }

  // ---- announcing and joining ----

  private sendAnnounce(): void {
    this.counters.add('announces_sent');
    this.endpoint.sendSigned(this.parts.bootstrap.address, this.announceBytes);
  }

  private onAnnounceAck(ack: AnnounceAck, m: IncomingMessage): void {
    const signer = m.signerKeys;
    if (signer === undefined) return;
    const verdict = this.trust.check(ack, { keyId: m.peer, keys: signer }, this.startTime);
    if (!verdict.ok) {
      this.counters.add(`acks_rejected_${verdict.reason}`);
      this.logThrottled('warn', `ack:${verdict.reason}`, { from: m.address, signer: m.peer, reason: verdict.reason, detail: verdict.detail }, 'ANNOUNCE_ACK rejected');
      return;
    }
    if (!ack.accepted) {
      this.counters.add('acks_refused');
      this.logThrottled('warn', 'ack:refused', { cma: m.peer, code: ack.code, reason: ack.reason }, 'the CMA refused this host; retrying slowly');
      this.announcer.refused();
      return;
    }
    if (this.joined && this.cma?.keyId === verdict.cma.keyId) {
      this.counters.add('acks_duplicate'); // an answer to an announcement sent before the first ack arrived
      this.joinId = newerJoinId(this.joinId, ack.joinId);
      return;
    }
    this.guard.learnPeer(verdict.cma.keyId, verdict.cma.keys);
    this.cma = { keyId: verdict.cma.keyId, address: m.address };
    // Sealed traffic from the CMA that arrived before we knew its key was noted as "unexpected".
    this.liveness.forgetUnexpected(verdict.cma.keyId);
    this.joined = true;
    this.joinId = ack.joinId;
    this.counters.add('acks_accepted');
    this.counters.add('joins');
    this.announcer.accepted();
    this.log.info({ cma: verdict.cma.keyId, address: m.address, trust: this.trust.mode, announcements: this.announcer.announcements }, 'joined');
    // What a restarted CMA lost, or what could not reach it while it was away, goes again now.
    this.liveness.rejoined();
    this.discovery.rejoined();
    this.emit('joined', { cma: verdict.cma.keyId });
  }

  private lose(reason: LostReason, detail?: string): void {
    if (!this.joined || this.stopping !== undefined) return;
    this.joined = false;
    this.counters.add(LOST_COUNTER[reason]);
    this.log.warn({ reason, detail, cma: this.cma?.keyId }, 'lost the CMA; announcing again');
    this.announcer.lost(reason);
    this.emit('lost', { reason });
  }

  private onPeerRestarted(e: PeerRestartedEvent): void {
    if (e.peer === this.cma?.keyId) this.lose('cma_restarted');
    else this.log.debug({ peer: e.peer, address: e.address }, 'peer restarted');
  }

  private onGiveUp(e: GiveUpEvent): void {
    if (e.peer === this.cma?.keyId) this.lose('cma_gave_up');
  }

  /**
   * The CMA holds us as no member (it declared us dead while we were cut off from it, or restarted
   * without us on its rings): our config is void, so we announce again, the one way in. The REJOIN
   * is sealed by the CMA we joined (inbound.ts), so nobody else can send us back to announcing. One
   * sent before our current join was accepted is stale (stale-rejoin.ts) and ignored.
   */
  private onRejoinAsked(rejoin: PayloadOf<'REJOIN'>): void {
    this.counters.add('rejoins_asked');
    if (!this.joined) {
      this.announcer.hurry();
      return;
    }
    if (isStaleRejoin(rejoin.joinId, this.joinId)) {
      this.counters.add('rejoins_stale');
      this.log.info({ rejoinJoinId: rejoin.joinId, joinId: this.joinId, reason: rejoin.reason }, 'REJOIN sent before our current join ignored');
      return;
    }
    this.lose('cma_asked', rejoin.reason);
  }

  // ---- incoming ----

  private onMessage(m: IncomingMessage): void {
    dispatchInbound(m, { counters: this.counters, log: this.log, throttle: this.throttle, cmaKeyId: () => this.cma?.keyId }, this.handlers);
  }

  private readonly handlers: InboundHandlers = {
    ANNOUNCE_ACK: (ack, m) => this.onAnnounceAck(ack, m),
    CONFIG: (config, m) => this.onConfig(config, m),
    HEARTBEAT: (hb, m) => this.liveness.heartbeat(m.peer, m.address, hb.seq),
    PROBE: (probe, m) => {
      this.endpoint.sendUnreliable(m.peer, m.address, encodeMessage(makeMessage('PROBE_REPLY', probeReply(probe, this.startTime))));
      this.counters.add('probes_answered');
    },
    DISCOVERY_REQUEST: (request) => {
      this.counters.add('discovery_requests');
      this.discovery.request(request);
    },
    APP_ACK: () => undefined,
    APP_NAK: (nak) => {
      this.counters.add('app_naks');
      this.logThrottled('warn', `nak:${nak.code}`, { refType: nak.refType, ref: nak.ref, code: nak.code, message: nak.message }, 'the CMA refused a message');
    },
    SHUTDOWN: (s) => this.log.info({ reason: s.reason }, 'the CMA closed its connection'),
    REJOIN: (r) => this.onRejoinAsked(r),
  };

  private onConfig(config: PayloadOf<'CONFIG'>, m: IncomingMessage): void {
    // A partner whose key id is not its key's, or whose X25519 key allows no agreement (low order),
    // cannot be sealed for: leave it out rather than refuse the whole config.
    const partners = config.partners.filter((p) => keyIdOf(p.ed25519) === p.keyId && this.canAgree(p.x25519));
    if (partners.length !== config.partners.length) {
      this.counters.add('config_partners_invalid', config.partners.length - partners.length);
      this.log.warn({ invalid: config.partners.length - partners.length }, 'CONFIG names partners with unusable keys; left out');
    }
    const outcome = this.liveness.applyConfig({ ...config, partners }, sessionIdToHex(m.peerSession));
    if (!outcome.applied) {
      this.counters.add('configs_stale');
      this.log.debug({ version: outcome.version, lastApplied: outcome.lastApplied }, 'stale CONFIG ignored');
      return;
    }
    // Learned in this same turn: the first round of heartbeats runs from a timer, after it.
    for (const p of partners) this.guard.learnPeer(p.keyId, { ed25519: p.ed25519, x25519: p.x25519 });
    for (const k of outcome.removed) if (k !== this.cma?.keyId) this.guard.forgetPeer(k);
    this.counters.add('configs_applied');
    this.log.info(
      { version: outcome.version, partners: this.liveness.monitor.partnerIds(), added: outcome.added.length, removed: outcome.removed.length, heartbeatIntervalMs: config.heartbeatIntervalMs },
      'config applied',
    );
    this.emit('config', { version: outcome.version, partners: this.liveness.monitor.partnerIds() });
  }

  private canAgree(x25519: Uint8Array): boolean {
    try {
      derivePairKey(this.parts.identity, x25519).fill(0);
      return true;
    } catch {
      return false;
    }
  }

  /** A sealed datagram from a sender whose keys we do not hold (unknown-sender-tap). */
  noteUnexpected(claimedSender: string | null, from: SocketAddress): void {
    if (this.stopping === undefined) this.liveness.unexpectedSender(claimedSender, from);
  }

  // ---- outgoing to the CMA ----

  private sendReport(report: PartnerReportPayload): void {
    this.emit('report', report);
    this.log.info({ partner: report.partner, status: report.status, lastHeard: report.lastHeard, ring: report.ring }, 'partner report');
    if (!this.joined) return; // re-reported after the next join (PartnerMonitor.rejoinReports)
    this.counters.add('partner_reports_sent');
    this.sendToCma('PARTNER_REPORT', report).then(
      () => {
        this.counters.add('partner_reports_delivered');
        this.liveness.monitor.delivered(report);
      },
      () => this.counters.add('partner_reports_failed'),
    );
  }

  /** Sends reliably to the CMA; resolves once it acknowledged (committed) the message. */
  private sendToCma<N extends MessageName>(type: N, payload: PayloadOf<N>): Promise<void> {
    const cma = this.cma;
    if (cma === undefined || !this.joined) return Promise.reject(new Error('not joined to a CMA'));
    try {
      return this.endpoint.sendReliable(cma.keyId, cma.address, encodeMessage(makeMessage(type, payload)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(ms, () => resolve(false));
      p.then(
        () => {
          this.clock.clearTimer(timer);
          resolve(true);
        },
        () => {
          this.clock.clearTimer(timer);
          resolve(false);
        },
      );
    });
  }

  private logThrottled(level: 'warn' | 'info', key: string, fields: Record<string, unknown>, message: string): void {
    const suppressed = this.throttle.admit(key);
    if (suppressed !== null) this.log[level]({ ...fields, suppressed }, message);
  }
}
