/**
 * The nanoprobe, wired: one endpoint (one UDP socket, one packet guard, one session per start) and the
 * parts that decide what to say on it:
 *   cma-link (announcing, joining, losing the CMA, everything sent to it);
 *   liveness (heartbeats, late/dead/alive reports, unexpected heartbeats; one timer);
 *   probe-responder; discovery-bridge (scripts → DISCOVERY_RESULT).
 * Those parts are pure, clock-driven or own one relationship; this file builds them, moves messages
 * and endpoint events between them and the endpoint, and answers for start, stop and status.
 *
 * Losing the CMA sends us back to announcing while heartbeats go on; after the re-join, partner
 * states and discovery results the CMA may not have are sent again (the link's onJoined, below).
 */
import { EventEmitter } from 'node:events';
import { encodeMessage } from '../protocol/codec';
import type { CounterSet } from '../protocol/counters';
import { makeMessage, type PayloadOf } from '../protocol/message-types';
import { derivePairKey, keyIdOf, type Identity, type PublicKeys } from '../protocol/security/identity';
import type { SecurePacketGuard } from '../protocol/security/packet-guard';
import { sessionIdToHex } from '../protocol/security/session';
import type { Clock } from '../protocol/transport/clock';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import type { Endpoint, IncomingMessage } from '../protocol/transport/endpoint';
import type { TransportCounterName } from '../protocol/transport/transport-counters';
import type { AnnouncerState } from '../agent/announcer';
import type { BootstrapTarget } from './bootstrap';
import { CmaLink, type CmaStatus, type LostReason } from '../agent/cma-link';
import type { NanoprobeConfig } from './config';
import { createNanoprobeCounters, type NanoprobeCounterName } from './counters';
import { DiscoveryBridge, type DiscoveryBridgeOptions, type DiscoveryBridgeStatus } from './discovery-bridge';
import type { AnnouncedAddress } from '../agent/host-addresses';
import { dispatchInbound, type InboundHandlers } from './inbound';
import { LogThrottle, logThrottled, type Logger } from './logger';
import { Liveness } from './liveness';
import { LoadWatch, type LoadFigures } from './load-watch';
import type { PartnerReportPayload, PartnerSnapshot } from './partner-monitor';
import { probeReply } from './probe-responder';

export type { LostReason } from '../agent/cma-link';

export type NanoprobeStatus = {
  hostname: string;
  keyId: string;
  session: string;
  startTime: number;
  address: SocketAddress;
  softwareVersion: string;
  state: AnnouncerState;
  joined: boolean;
  cma: CmaStatus;
  configVersion: number | null;
  heartbeatIntervalMs: number | null;
  partners: PartnerSnapshot[];
  counters: Record<NanoprobeCounterName, number>;
  transport: Record<TransportCounterName, number>;
  discovery: DiscoveryBridgeStatus;
  /** Event-loop delay and partners' heartbeat lateness in the minute in progress (load-watch.ts). */
  load: LoadFigures;
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
  discovery: Pick<DiscoveryBridgeOptions, 'directories' | 'run' | 'clock' | 'runChild' | 'onStop'>;
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
  private readonly link: CmaLink;
  private readonly liveness: Liveness;
  private readonly load: LoadWatch;
  private readonly discovery: DiscoveryBridge;
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
    this.link = new CmaLink({
      endpoint: this.endpoint,
      guard: this.guard,
      bootstrap: parts.bootstrap,
      cmaKeys: parts.cmaKeys,
      announce: {
        hostname: parts.hostname,
        addresses: parts.addresses,
        port: this.endpoint.localAddress().port,
        ed25519: parts.identity.publicKeys.ed25519,
        x25519: parts.identity.publicKeys.x25519,
        startTime: this.startTime,
        softwareVersion: parts.softwareVersion,
        role: 'nanoprobe',
      },
      backoff: this.config.announce,
      leaveTimeoutMs: this.config.leaveTimeoutMs,
      counters: this.counters,
      log: this.log,
      throttle: this.throttle,
      clock: this.clock,
      random: parts.random,
      onJoined: (cma) => this.onJoined(cma),
      onLost: (reason) => this.emit('lost', { reason }),
    });
    this.load = new LoadWatch(this.log, () => parts.clock.now(), undefined, (load) => {
      // Not retried after a loss of the CMA: the next slow minute says it again.
      if (this.link.joined) this.link.send('AGENT_LOAD', load).catch(() => undefined);
    });
    this.liveness = new Liveness({
      keyId: this.keyId,
      clock: this.clock,
      epochNow: parts.epochNow,
      endpoint: this.endpoint,
      counters: this.counters,
      log: this.log,
      throttle: this.throttle,
      unexpectedReportIntervalMs: this.config.unexpectedReportIntervalMs,
      joined: () => this.link.joined,
      cmaKeyId: () => this.link.cmaKeyId,
      report: (report) => this.onPartnerReport(report),
      reportUnexpected: (payload) => this.link.reportUnexpected(payload),
    });
    this.discovery = new DiscoveryBridge({
      ...parts.discovery,
      maxConcurrent: this.config.discovery.maxConcurrent,
      firstRunSplay: { maxMs: this.config.discovery.firstRunSplayMs, seed: this.keyId },
      send: (result) => this.link.send('DISCOVERY_RESULT', result),
      canSend: () => this.link.joined,
      log: this.log,
      epochNow: () => Math.round(parts.epochNow()),
    });

    this.endpoint.on('message', (m) => this.onMessage(m));
    this.endpoint.on('peerRestarted', (e) => this.link.peerRestarted(e));
    this.endpoint.on('giveUp', (e) => this.link.gaveUp(e));
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
        cmaTrust: this.link.trustMode,
        version: this.parts.softwareVersion,
      },
      'nanoprobe started',
    );
    this.link.start();
  }

  get address(): SocketAddress {
    return this.endpoint.localAddress();
  }

  status(): NanoprobeStatus {
    return {
      hostname: this.hostname,
      keyId: this.keyId,
      session: sessionIdToHex(this.guard.sessionId),
      startTime: this.startTime,
      address: this.endpoint.localAddress(),
      softwareVersion: this.parts.softwareVersion,
      state: this.link.state,
      joined: this.link.joined,
      cma: this.link.status(),
      configVersion: this.liveness.monitor.configVersion ?? null,
      heartbeatIntervalMs: this.liveness.monitor.heartbeatIntervalMs ?? null,
      partners: this.liveness.monitor.snapshot(),
      counters: this.counters.snapshot(),
      transport: this.endpoint.counters(),
      discovery: this.discovery.status(),
      load: this.load.figures(),
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
    this.link.stop();
    this.discovery.stop();
    await this.link.disconnect((options.leave ?? true) ? { reason: options.reason ?? 'stopped' } : undefined);
    this.liveness.stop();
    this.load.stop();
    await this.endpoint.close();
    this.log.info('nanoprobe stopped');
    this.emit('stopped');
  }

  /** A sealed datagram from a sender whose keys we do not hold (unknown-sender-tap). */
  noteUnexpected(claimedSender: string | null, from: SocketAddress): void {
    if (this.stopping === undefined) this.liveness.unexpectedSender(claimedSender, from);
  }

  /** Joined (again): what a restarted CMA lost, or what could not reach it while it was away, goes again now. */
  private onJoined(cma: string): void {
    // Sealed traffic from the CMA that arrived before we knew its key was noted as "unexpected".
    this.liveness.forgetUnexpected(cma);
    this.liveness.rejoined();
    this.discovery.rejoined();
    this.emit('joined', { cma });
  }

  private onPartnerReport(report: PartnerReportPayload): void {
    this.emit('report', report);
    this.log.info({ partner: report.partner, status: report.status, lastHeard: report.lastHeard, ring: report.ring }, 'partner report');
    this.link.reportPartner(report, () => this.liveness.monitor.delivered(report));
  }

  // ---- incoming ----

  private onMessage(m: IncomingMessage): void {
    dispatchInbound(m, { counters: this.counters, log: this.log, throttle: this.throttle, cmaKeyId: () => this.link.cmaKeyId }, this.handlers);
  }

  private readonly handlers: InboundHandlers = {
    ANNOUNCE_ACK: (ack, m) => this.link.announceAck(ack, m),
    CONFIG: (config, m) => this.onConfig(config, m),
    HEARTBEAT: (hb, m) => {
      this.liveness.heartbeat(m.peer, m.address, hb.seq);
      const interval = this.liveness.monitor.heartbeatIntervalMs;
      if (interval !== undefined && this.liveness.monitor.isPartner(m.peer)) this.load.heartbeat(m.peer, interval);
    },
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
    REJOIN: (r) => this.link.rejoinAsked(r),
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
    for (const k of outcome.removed) if (k !== this.link.cmaKeyId) this.guard.forgetPeer(k);
    for (const k of outcome.removed) this.load.forget(k);
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

  private logThrottled(level: 'warn' | 'info', key: string, fields: Record<string, unknown>, message: string): void {
    logThrottled(this.log, this.throttle, level, key, fields, message);
  }
}
