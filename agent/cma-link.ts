/**
 * An agent's relationship with its CMA (a nanoprobe's now, a poller's next), from the first
 * announcement to leaving:
 *   announcing (announcer.ts decides when) → an ANNOUNCE_ACK (cma-trust.ts decides which to believe)
 *   → joined, holding the CMA's key, address and join id → lost → announcing again.
 *
 * The CMA is lost when its session changes (it restarted), when a reliable send to it gives up, or
 * when it sends REJOIN because it holds us as no member; a REJOIN sent before our current join was
 * accepted is stale (stale-rejoin.ts) and ignored. Losing the CMA stops nothing else: heartbeats go on.
 *
 * Everything the agent says to the CMA goes out here as well, because only this side knows
 * whether there is a CMA to say it to, and where. The daemon routes messages and endpoint events in,
 * and is told of each join (to send again what the CMA may not have) and each loss.
 */
import { encodeMessage } from '../protocol/codec';
import { makeMessage, type MessageName, type PayloadOf } from '../protocol/message-types';
import type { PublicKeys } from '../protocol/security/identity';
import { SIGNED_OVERHEAD } from '../protocol/security/packet-format';
import type { SecurePacketGuard } from '../protocol/security/packet-guard';
import type { Clock } from '../protocol/transport/clock';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import type { Endpoint, GiveUpEvent, IncomingMessage, PeerRestartedEvent } from '../protocol/transport/endpoint';
import { buildAnnounce, type AnnounceFields } from './announce-message';
import { Announcer, type AnnouncerOptions, type AnnouncerState } from './announcer';
import type { BootstrapTarget } from './bootstrap-target';
import { CmaTrust, type AnnounceAck } from './cma-trust';
import type { AgentCounterName } from './counters';
import type { Logger } from '../common/logger';
import { logThrottled, type LogThrottle } from '../common/log-throttle';
import { isStaleRejoin, newerJoinId } from './stale-rejoin';

/** Why we went back to announcing: the CMA restarted, stopped acknowledging, or asked (REJOIN). */
export type LostReason = 'cma_restarted' | 'cma_gave_up' | 'cma_asked';

const LOST_COUNTER: Record<LostReason, AgentCounterName> = {
  cma_restarted: 'cma_lost_restarted',
  cma_gave_up: 'cma_lost_gave_up',
  cma_asked: 'cma_lost_asked',
};

/** The CMA as status() shows it; null before any CMA is known or configured. */
export type CmaStatus = { keyId: string; address: SocketAddress | null; trust: 'configured' | 'tofu' } | null;

export type CmaLinkDeps = {
  endpoint: Pick<Endpoint, 'sendSigned' | 'sendReliable' | 'options'>;
  guard: Pick<SecurePacketGuard, 'learnPeer'>;
  bootstrap: BootstrapTarget;
  /** The CMA keys the operator configured; undefined trusts the first CMA key accepted. */
  cmaKeys: PublicKeys | undefined;
  /** What this run announces; acknowledgements must echo its start time, and LEAVE names it. */
  announce: AnnounceFields;
  backoff: AnnouncerOptions['backoff'];
  /** How long stopping waits for the CMA to acknowledge LEAVE. */
  leaveTimeoutMs: number;
  counters: { add(name: AgentCounterName, by?: number): void };
  log: Logger;
  throttle: LogThrottle;
  clock: Clock;
  random: () => number;
  /** Joined (again), the CMA's key already learned: whatever it may not have goes out now. */
  onJoined: (cmaKeyId: string) => void;
  onLost: (reason: LostReason) => void;
};

type CmaPeer = { keyId: string; address: SocketAddress };

export class CmaLink {
  private readonly trust: CmaTrust;
  private readonly announcer: Announcer;
  private readonly announceBytes: Uint8Array;
  private readonly startTime: number;
  private cma: CmaPeer | undefined;
  private isJoined = false;
  /** The CMA's id for our current join (its ANNOUNCE_ACK's), to recognise a stale REJOIN. */
  private joinId: number | undefined;
  private stopped = false;

  constructor(private readonly deps: CmaLinkDeps) {
    this.trust = new CmaTrust(deps.cmaKeys);
    this.startTime = deps.announce.startTime;
    // One SIGNED datagram: the guard's signature and header, the transport's one-byte frame type.
    const built = buildAnnounce(deps.announce, deps.endpoint.options.maxDatagramBytes - SIGNED_OVERHEAD - 1);
    this.announceBytes = built.bytes;
    if (built.droppedAddresses > 0) {
      deps.counters.add('announce_addresses_dropped', built.droppedAddresses);
      deps.log.warn({ announced: built.payload.addresses.length, dropped: built.droppedAddresses }, 'too many addresses for one ANNOUNCE; announcing the first ones');
    }
    this.announcer = new Announcer({
      clock: deps.clock,
      random: deps.random,
      backoff: deps.backoff,
      send: () => this.sendAnnounce(),
      onSendError: (err) => {
        deps.counters.add('announce_send_errors');
        logThrottled(deps.log, deps.throttle, 'warn', 'announce-send', { err: String(err) }, 'announcement could not be sent');
      },
      onStateChange: (from, to, why) => deps.log.debug({ from, to, why }, 'announcer state'),
    });
  }

  /** Starts announcing. */
  start(): void {
    this.announcer.start();
  }

  get joined(): boolean {
    return this.isJoined;
  }

  /** The key id of the CMA we joined (kept after losing it, until another one accepts us). */
  get cmaKeyId(): string | undefined {
    return this.cma?.keyId;
  }

  get state(): AnnouncerState {
    return this.announcer.state;
  }

  get trustMode(): 'configured' | 'tofu' {
    return this.trust.mode;
  }

  status(): CmaStatus {
    const trusted = this.trust.trusted;
    if (trusted === undefined && this.cma === undefined) return null;
    return { keyId: this.cma?.keyId ?? trusted?.keyId ?? '', address: this.cma?.address ?? null, trust: this.trust.mode };
  }

  // ---- announcing and joining ----

  private sendAnnounce(): void {
    this.deps.counters.add('announces_sent');
    this.deps.endpoint.sendSigned(this.deps.bootstrap.address, this.announceBytes);
  }

  announceAck(ack: AnnounceAck, m: IncomingMessage): void {
    const { counters, log } = this.deps;
    const signer = m.signerKeys;
    if (signer === undefined) return;
    const verdict = this.trust.check(ack, { keyId: m.peer, keys: signer }, this.startTime);
    if (!verdict.ok) {
      counters.add(`acks_rejected_${verdict.reason}`);
      this.logThrottled('warn', `ack:${verdict.reason}`, { from: m.address, signer: m.peer, reason: verdict.reason, detail: verdict.detail }, 'ANNOUNCE_ACK rejected');
      return;
    }
    if (!ack.accepted) {
      counters.add('acks_refused');
      this.logThrottled('warn', 'ack:refused', { cma: m.peer, code: ack.code, reason: ack.reason }, 'the CMA refused this host; retrying slowly');
      this.announcer.refused();
      return;
    }
    if (this.isJoined && this.cma?.keyId === verdict.cma.keyId) {
      counters.add('acks_duplicate'); // an answer to an announcement sent before the first ack arrived
      this.joinId = newerJoinId(this.joinId, ack.joinId);
      return;
    }
    this.deps.guard.learnPeer(verdict.cma.keyId, verdict.cma.keys);
    this.cma = { keyId: verdict.cma.keyId, address: m.address };
    this.isJoined = true;
    this.joinId = ack.joinId;
    counters.add('acks_accepted');
    counters.add('joins');
    this.announcer.accepted();
    log.info({ cma: verdict.cma.keyId, address: m.address, trust: this.trust.mode, announcements: this.announcer.announcements }, 'joined');
    this.deps.onJoined(verdict.cma.keyId);
  }

  // ---- losing the CMA ----

  peerRestarted(e: PeerRestartedEvent): void {
    if (e.peer === this.cma?.keyId) this.lose('cma_restarted');
    else this.deps.log.debug({ peer: e.peer, address: e.address }, 'peer restarted');
  }

  gaveUp(e: GiveUpEvent): void {
    if (e.peer === this.cma?.keyId) this.lose('cma_gave_up');
  }

  /**
   * The CMA holds us as no member (it declared us dead while we were cut off from it, or restarted
   * without us on its rings): our config is void, so we announce again, the one way in. The REJOIN
   * is sealed by the CMA we joined (inbound.ts), so nobody else can send us back to announcing. One
   * sent before our current join was accepted is stale (stale-rejoin.ts) and ignored.
   */
  rejoinAsked(rejoin: PayloadOf<'REJOIN'>): void {
    this.deps.counters.add('rejoins_asked');
    if (!this.isJoined) {
      this.announcer.hurry();
      return;
    }
    if (isStaleRejoin(rejoin.joinId, this.joinId)) {
      this.deps.counters.add('rejoins_stale');
      this.deps.log.info({ rejoinJoinId: rejoin.joinId, joinId: this.joinId, reason: rejoin.reason }, 'REJOIN sent before our current join ignored');
      return;
    }
    this.lose('cma_asked', rejoin.reason);
  }

  private lose(reason: LostReason, detail?: string): void {
    if (!this.isJoined || this.stopped) return;
    this.isJoined = false;
    this.deps.counters.add(LOST_COUNTER[reason]);
    this.deps.log.warn({ reason, detail, cma: this.cma?.keyId }, 'lost the CMA; announcing again');
    this.announcer.lost(reason);
    this.deps.onLost(reason);
  }

  // ---- sending to the CMA ----

  /** Sends reliably to the CMA; resolves once it acknowledged (committed) the message. */
  send<N extends MessageName>(type: N, payload: PayloadOf<N>): Promise<void> {
    const cma = this.cma;
    if (cma === undefined || !this.isJoined) return Promise.reject(new Error('not joined to a CMA'));
    try {
      return this.deps.endpoint.sendReliable(cma.keyId, cma.address, encodeMessage(makeMessage(type, payload)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A partner's new state; `delivered` runs once the CMA acknowledged it. */
  reportPartner(report: PayloadOf<'PARTNER_REPORT'>, delivered: () => void): void {
    if (!this.isJoined) return; // re-reported after the next join (PartnerMonitor.rejoinReports)
    this.deps.counters.add('partner_reports_sent');
    this.send('PARTNER_REPORT', report).then(
      () => {
        this.deps.counters.add('partner_reports_delivered');
        delivered();
      },
      () => this.deps.counters.add('partner_reports_failed'),
    );
  }

  reportUnexpected(payload: PayloadOf<'UNEXPECTED_HEARTBEAT'>): void {
    this.deps.counters.add('unexpected_reports_sent');
    this.deps.log.info({ sender: payload.claimedSender, from: payload.from, count: payload.count }, 'heartbeats from a non-partner reported');
    this.send('UNEXPECTED_HEARTBEAT', payload).catch(() => undefined); // a later one carries the news again
  }

  // ---- stopping ----

  /** No more announcements; losing the CMA from now on sends us nowhere (we are stopping). */
  stop(): void {
    this.stopped = true;
    this.announcer.stop();
  }

  /**
   * Tells the CMA we leave (LEAVE, reliable) if `leave` and joined, waiting for its acknowledgement at
   * most leaveTimeoutMs; from then on we are not joined, so nothing more is sent to it.
   */
  async disconnect(leave: { reason: string } | undefined): Promise<void> {
    if (leave !== undefined && this.isJoined && this.cma !== undefined) {
      const reason = leave.reason.slice(0, 1024);
      this.deps.counters.add('leaves_sent');
      const acknowledged = await this.withTimeout(this.send('LEAVE', { reason, startTime: this.startTime }), this.deps.leaveTimeoutMs);
      if (acknowledged) this.deps.counters.add('leaves_acknowledged');
      this.deps.log.info({ reason, acknowledged }, acknowledged ? 'left the CMA' : 'leaving without acknowledgement from the CMA');
    }
    this.isJoined = false;
  }

  /** Whether `p` settled successfully within `ms`; a rejection or the timeout is false. */
  private withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimer(ms, () => resolve(false));
      p.then(
        () => {
          this.deps.clock.clearTimer(timer);
          resolve(true);
        },
        () => {
          this.deps.clock.clearTimer(timer);
          resolve(false);
        },
      );
    });
  }

  private logThrottled(level: 'warn' | 'info', key: string, fields: Record<string, unknown>, message: string): void {
    logThrottled(this.deps.log, this.deps.throttle, level, key, fields, message);
  }
}
