/**
 * A poller's relationship with the CMA: it announces with role `poller` through the agents' shared
 * link (agent/cma-link.ts: which CMA to believe, losing and finding it again), then says which
 * workers it runs (POLLER_WORKERS) at once and every `renewEveryMs` — that renews its lease, so a
 * poller that stops saying it loses its devices — and hands each POLLER_ASSIGN to its workers. It
 * sends POLLER_CONFIRM and POLL_RESULT reliably: they resolve once the CMA stored them.
 *
 * A POLLER_ASSIGN older (lower epoch) than the newest one already applied for that worker is
 * dropped: the reliable channel keeps order per sender, but a restarted CMA starts a new session.
 */
import { decodeMessage } from '../../protocol/codec';
import type { MessageName, PayloadOf } from '../../protocol/message-types';
import type { PublicKeys, Identity } from '../../protocol/security/identity';
import type { SecurePacketGuard } from '../../protocol/security/packet-guard';
import type { Clock, TimerHandle } from '../../protocol/transport/clock';
import type { Endpoint, IncomingMessage } from '../../protocol/transport/endpoint';
import { CmaLink } from '../../agent/cma-link';
import { DEFAULT_BACKOFF } from '../../agent/announcer';
import type { BootstrapTarget } from '../../agent/bootstrap-target';
import { createAgentCounters } from '../../agent/counters';
import type { Logger } from '../../common/logger';
import { LogThrottle } from '../../common/log-throttle';

type WorkerState = PayloadOf<'POLLER_WORKERS'>['workers'][number];

export type PollerAgentDeps = {
  endpoint: Endpoint;
  guard: SecurePacketGuard;
  identity: Identity;
  bootstrap: BootstrapTarget;
  cmaKeys: PublicKeys | undefined;
  hostname: string;
  softwareVersion: string;
  /** The workers as they are now (asked at every renewal). */
  workers: () => WorkerState[];
  onAssign: (assign: PayloadOf<'POLLER_ASSIGN'>) => void;
  /** Joined (again): whatever the CMA has not acknowledged goes out now. */
  onJoined?: () => void;
  renewEveryMs: number;
  clock: Clock;
  log: Logger;
  random?: () => number;
  epochNow?: () => number;
};

/** What the poller accepts, and how it must come (all from the CMA it joined, but ANNOUNCE_ACK). */
const RULES: Partial<Record<MessageName, 'signed' | 'sealed' | 'reliable'>> = {
  ANNOUNCE_ACK: 'signed',
  POLLER_ASSIGN: 'reliable',
  REJOIN: 'sealed',
  APP_ACK: 'sealed',
  APP_NAK: 'sealed',
  SHUTDOWN: 'sealed',
};

export class PollerAgent {
  readonly counters = createAgentCounters();
  private readonly link: CmaLink;
  private readonly throttle: LogThrottle;
  private readonly newestEpoch = new Map<number, number>();
  private renewTimer: TimerHandle | undefined;
  private dropped = 0;
  private stopped = false;

  constructor(private readonly deps: PollerAgentDeps) {
    this.throttle = new LogThrottle(() => deps.clock.now());
    const local = deps.endpoint.localAddress();
    this.link = new CmaLink({
      endpoint: deps.endpoint,
      guard: deps.guard,
      bootstrap: deps.bootstrap,
      cmaKeys: deps.cmaKeys,
      announce: {
        hostname: deps.hostname,
        addresses: [],
        port: local.port,
        ed25519: deps.identity.publicKeys.ed25519,
        x25519: deps.identity.publicKeys.x25519,
        startTime: Math.round((deps.epochNow ?? Date.now)()),
        softwareVersion: deps.softwareVersion,
        role: 'poller',
      },
      backoff: DEFAULT_BACKOFF,
      leaveTimeoutMs: 1_000,
      counters: this.counters,
      log: deps.log,
      throttle: this.throttle,
      clock: deps.clock,
      random: deps.random ?? Math.random,
      onJoined: () => {
        this.renew();
        this.deps.onJoined?.();
      },
      onLost: () => undefined,
    });
    deps.endpoint.on('message', (m: IncomingMessage) => this.onMessage(m));
    deps.endpoint.on('peerRestarted', (e) => this.link.peerRestarted(e));
    deps.endpoint.on('giveUp', (e) => this.link.gaveUp(e));
  }

  get joined(): boolean {
    return this.link.joined;
  }

  /** Messages that were not for a poller, or not from its CMA. */
  get droppedMessages(): number {
    return this.dropped;
  }

  start(): void {
    this.link.start();
    this.scheduleRenewal();
  }

  /** Says the workers again now (one started, stopped or began draining). */
  workersChanged(): void {
    this.renew();
  }

  confirm(payload: PayloadOf<'POLLER_CONFIRM'>): Promise<void> {
    return this.link.send('POLLER_CONFIRM', payload);
  }

  result(payload: PayloadOf<'POLL_RESULT'>): Promise<void> {
    return this.link.send('POLL_RESULT', payload);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer !== undefined) this.deps.clock.clearTimer(this.renewTimer);
    this.link.stop();
    // No LEAVE: the CMA moves a poller's devices when its lease runs out (or its transport gives up).
    await this.link.disconnect(undefined);
  }

  private scheduleRenewal(): void {
    if (this.stopped) return;
    this.renewTimer = this.deps.clock.setTimer(this.deps.renewEveryMs, () => {
      this.renew();
      this.scheduleRenewal();
    });
  }

  private renew(): void {
    if (!this.link.joined || this.stopped) return;
    this.link.send('POLLER_WORKERS', { workers: this.deps.workers() }).catch((err: unknown) => {
      this.deps.log.debug({ err: (err as Error).message }, 'POLLER_WORKERS not acknowledged; the next renewal says it again');
    });
  }

  private onMessage(m: IncomingMessage): void {
    try {
      const decoded = decodeMessage(m.bytes);
      if (!decoded.ok) {
        this.drop(m, 'undecodable');
        return;
      }
      const { type, payload } = decoded.message;
      const how = RULES[type];
      const signed = m.signerKeys !== undefined;
      const fits = how === 'signed' ? signed : how === 'sealed' ? !signed : how === 'reliable' ? m.reliable : false;
      if (!fits || (type !== 'ANNOUNCE_ACK' && m.peer !== this.link.cmaKeyId)) {
        this.drop(m, type);
        return;
      }
      switch (type) {
        case 'ANNOUNCE_ACK':
          this.link.announceAck(payload as PayloadOf<'ANNOUNCE_ACK'>, m);
          break;
        case 'REJOIN':
          this.link.rejoinAsked(payload as PayloadOf<'REJOIN'>);
          break;
        case 'POLLER_ASSIGN':
          this.assign(payload as PayloadOf<'POLLER_ASSIGN'>);
          break;
        default:
          break;
      }
    } catch (err) {
      this.deps.log.error({ err, peer: m.peer }, 'internal error while handling a message');
    } finally {
      m.ack();
    }
  }

  private assign(a: PayloadOf<'POLLER_ASSIGN'>): void {
    const newest = this.newestEpoch.get(a.worker);
    if (newest !== undefined && a.epoch < newest) {
      this.deps.log.info({ worker: a.worker, epoch: a.epoch, newest }, 'older assignment ignored');
      return;
    }
    this.newestEpoch.set(a.worker, a.epoch);
    this.deps.onAssign(a);
  }

  private drop(m: IncomingMessage, what: string): void {
    this.dropped += 1;
    const suppressed = this.throttle.admit(`drop:${what}`);
    if (suppressed !== null) this.deps.log.warn({ peer: m.peer, what, suppressed }, 'message dropped: not for a poller, or not from its CMA');
  }
}
