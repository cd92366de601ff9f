import { decodeMessage } from '../../protocol/codec';
import type { Message, PayloadOf } from '../../protocol/message-types';
import { decodePublicKeys } from '../../protocol/security/identity';
import { TrustStore } from '../../protocol/security/trust-store';
import { SystemClock, type Clock } from '../../protocol/transport/clock';
import type { IncomingMessage } from '../../protocol/transport/endpoint';
import path from 'node:path';
import { AlertStore } from '../alerts/alert-store';
import type { CmaConfig } from '../config/cma-config';
import { HostStore } from '../fleet/host-store';
import { RingStore } from '../fleet/ring-store';
import type { GraphStore } from '../graph/graph-store';
import type { Membership } from '../membership/membership';
import type { TopologyPlacement } from '../membership/types';
import type { Logger } from '../util/logger';
import { b64 } from './announcement';
import { AnnouncementBatch } from './announcement-batch';
import { openCmaTransport, type CmaTransport } from './cma-transport';
import { DecisionRunner } from './decision-runner';
import { EventQueue, MembershipStoppedError } from './event-queue';
import { MembershipWriter } from './membership-writer';
import { PeerDirectory } from './peer-directory';
import { PeerSender } from './peer-sender';
import { Prober } from './prober';
import { RejoinAsker } from './rejoin-asker';
import { Greeter, GREETING_PROBE_ID, restoreMembership } from './restore';

/** How long a stopping CMA waits for membership writes still on their way to the graph. */
const STOP_WRITE_GRACE_MS = 5_000;

/** Handlers for messages other parts of the CMA own (discovery results); resolve once stored. */
export type ExtraHandler = (peer: { keyid: string; hostname: string }, message: Message) => Promise<void>;

/**
 * The CMA's side of membership: announcements in (announcement-batch.ts: checked, pinned, stored,
 * acknowledged), configs and probes out, partner reports and leaves judged by the Membership state
 * machine, its decisions carried out (decision-runner.ts: graph, alerts, messages). Every event runs
 * through one queue (event-queue.ts), in arrival order. Reliable messages are acknowledged only after
 * their effects are stored, and never when the service stopped before applying them. This file wires
 * the parts and routes each incoming message to the one that handles it.
 */
export class MembershipService {
  readonly peers = new PeerDirectory();
  private membershipState!: Membership;
  private readonly events: EventQueue;
  private readonly counters = new Map<string, number>();
  private readonly sender: PeerSender;
  private readonly announcements: AnnouncementBatch;
  private readonly prober: Prober;
  private readonly greeter: Greeter;
  private readonly rejoin: RejoinAsker;
  private readonly writer: MembershipWriter;
  private readonly extraHandlers = new Map<Message['type'], ExtraHandler>();
  private readonly joinListeners: Array<(peer: { keyid: string; hostname: string }) => void> = [];

  private constructor(
    readonly transport: CmaTransport,
    trust: TrustStore,
    readonly hosts: HostStore,
    readonly rings: RingStore,
    readonly alerts: AlertStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    const count = (what: string): void => this.count(what);
    this.sender = new PeerSender({ endpoint: transport.endpoint, peers: this.peers, stopped: () => this.events.stopped, count, log });
    this.prober = new Prober(
      clock,
      (host, probeId) => this.sender.probe(host, probeId),
      (host, probeId) => this.events.post(() => this.membership.probeFailed(host, probeId)),
    );
    this.greeter = new Greeter(clock, (host, probeId) => this.sender.probe(host, probeId), () => this.count('greeting_unanswered'));
    this.rejoin = new RejoinAsker({ clock, send: (host, reason) => this.sender.rejoin(host, reason), count });
    this.writer = new MembershipWriter({ clock, saveRings: (hosts) => rings.saveHosts(this.membership.ringSet, hosts), count, log });
    const runner = new DecisionRunner({
      membership: () => this.membership,
      endpoint: transport.endpoint,
      peers: this.peers,
      hosts,
      rings,
      alerts,
      prober: this.prober,
      rejoin: this.rejoin,
      writer: this.writer,
      log,
      count,
    });
    this.events = new EventQueue({
      carryOut: (decisions) => runner.run(decisions),
      onError: (err) => {
        this.count('event_errors');
        this.log.error({ err }, 'membership event failed');
      },
    });
    this.announcements = new AnnouncementBatch({
      transport,
      trust,
      hosts,
      alerts,
      peers: this.peers,
      membership: () => this.membership,
      events: this.events,
      writer: this.writer,
      accepted: (host) => {
        this.greeter.heardFrom(host);
        this.rejoin.announced(host);
      },
      joined: (peer) => {
        for (const listener of this.joinListeners) listener(peer);
      },
      count,
      log,
    });
  }

  static async start(config: CmaConfig['membership'], store: GraphStore, log: Logger, clock: Clock = new SystemClock()): Promise<MembershipService> {
    const transport = await openCmaTransport(config, log);
    try {
      const trust = await TrustStore.open(path.join(config.stateDir, 'trusted-hosts.json'), { mode: config.trust });
      const service = new MembershipService(transport, trust, new HostStore(store), new RingStore(store), new AlertStore(store), clock, log);
      await service.restore(config.timing);
      transport.endpoint.on('message', (m) => service.receive(m));
      transport.endpoint.on('giveUp', (e) => log.warn({ peer: service.peers.nameOf(e.peer), error: e.error.message }, 'peer unreachable'));
      return service;
    } catch (err) {
      await transport.close();
      throw err;
    }
  }

  get membership(): Membership {
    return this.membershipState;
  }

  get address(): { host: string; port: number } {
    return this.transport.endpoint.localAddress();
  }

  /** Routes a message type owned by another part of the CMA (e.g. DISCOVERY_RESULT to ingest). */
  handle(type: Message['type'], handler: ExtraHandler): void {
    this.extraHandlers.set(type, handler);
  }

  /**
   * Called after every accepted announcement (first join, restart, re-join after death): a nanoprobe
   * keeps no state across restarts, so whatever it should be doing (discovery) is asked for again.
   */
  onJoin(listener: (peer: { keyid: string; hostname: string }) => void): void {
    this.joinListeners.push(listener);
  }

  /**
   * Gives a live host a more specific topology placement (its switch, once LLDP wiring is known): it
   * moves from its subnet ring to the switch's ring, at the cost of a join. No-op when unchanged.
   * Rejects with MembershipStoppedError once the service is stopping (the placement was not made).
   */
  place(keyid: string, placement: TopologyPlacement): Promise<void> {
    return this.events.run(() => {
      const current = this.membership.ringSet.host(keyid);
      if (current === undefined) return;
      const others = current.placements.filter((p) => p.kind !== placement.kind);
      const same = current.placements.find((p) => p.kind === placement.kind);
      if (same && same.key === placement.key && same.address.ip === placement.address.ip && same.address.port === placement.address.port) return;
      this.count('placement_changed');
      this.membership.announce({ ...current, placements: [...others, placement] });
    });
  }

  /** Sends a message reliably to a known host; resolves when the host acknowledged it. */
  send(keyid: string, message: Message): Promise<void> {
    return this.sender.reliable(keyid, message);
  }

  counts(): Record<string, number> {
    return { ...Object.fromEntries(this.counters), ...prefixed('transport_', this.transport.endpoint.counters()) };
  }

  /** Resolves once every event received so far has been applied and stored. */
  async idle(): Promise<void> {
    await this.events.idle();
    await this.writer.idle();
  }

  /** Membership graph writes not yet stored (waiting on Neo4j, or being retried). */
  get unstoredWrites(): number {
    return this.writer.pending;
  }

  /**
   * Stops: no more probes or greetings; events not yet started are refused (their messages stay
   * unacknowledged, so their senders retransmit them to the next CMA); the running one finishes.
   */
  async stop(): Promise<void> {
    if (this.events.stopped) return;
    this.prober.stopAll();
    this.greeter.stopAll();
    await this.events.stop();
    // What was decided gets a few seconds to reach the graph; the rest is reported again by the hosts.
    await Promise.race([this.writer.idle(), new Promise((r) => setTimeout(r, STOP_WRITE_GRACE_MS).unref())]);
    this.writer.stop();
    await this.transport.close();
  }

  /** restore.ts: the rings, peers and held-down hosts from the graph, then the greeting. */
  private async restore(timing: Record<string, number>): Promise<void> {
    const restored = await restoreMembership({
      rings: this.rings,
      hosts: this.hosts,
      alerts: this.alerts,
      peers: this.peers,
      guard: this.transport.guard,
      clock: this.clock,
      timing,
      emit: this.events.emit,
      log: this.log,
    });
    this.membershipState = restored.membership;
    this.greeter.greet(restored.greet);
  }

  private receive(incoming: IncomingMessage): void {
    const decoded = decodeMessage(incoming.bytes);
    if (!decoded.ok) {
      this.count(`malformed_${decoded.reason}`);
      // It will never decode: acknowledge so the sender stops retransmitting it.
      incoming.ack();
      return;
    }
    const message = decoded.message;
    this.count(`received_${message.type}`);
    if (message.type === 'ANNOUNCE') {
      this.announcements.add(incoming, message.payload);
      return;
    }
    const extra = this.extraHandlers.get(message.type);
    if (extra !== undefined) {
      this.receiveExtra(incoming, message, extra);
      return;
    }
    if (message.type === 'PROBE_REPLY') {
      this.onProbeReply(incoming.peer, message.payload);
      return;
    }
    // Acknowledged once applied and its decisions stored; not at all if it failed or the service
    // stopped first (the sender retransmits it).
    const receivedAt = Date.now();
    this.events.run(() => {
      this.log.debug({ host: this.peers.nameOf(incoming.peer), type: message.type, queuedMs: Date.now() - receivedAt }, 'membership message');
      return this.apply(incoming.peer, message);
    }).then(
      () => incoming.ack(),
      () => undefined,
    );
  }

  private receiveExtra(incoming: IncomingMessage, message: Message, handler: ExtraHandler): void {
    // A message from a host that is no member (declared dead while it ran on): ask it to come back.
    if (this.membership.status(incoming.peer) !== 'live') this.events.post(() => this.membership.heardFrom(incoming.peer));
    // Outside the event queue: a discovery write must not hold up heartbeat reports and deaths.
    // Acknowledged once the handler has stored it; a failure leaves it for the sender to retransmit.
    handler({ keyid: incoming.peer, hostname: this.peers.nameOf(incoming.peer) }, message).then(
      () => incoming.ack(),
      (err: unknown) => {
        if (err instanceof MembershipStoppedError) return; // shutting down: the sender retransmits it to the next CMA
        this.count(`failed_${message.type}`);
        this.log.warn({ host: this.peers.nameOf(incoming.peer), type: message.type, err: (err as Error).message }, 'message not stored; the sender will retransmit');
      },
    );
  }

  /**
   * A probe answered: the death judge's probe (id > 0) or the greeting of a restarted CMA (id 0). A
   * host that is no member asks to come back by answering; one that answers from a process started
   * after the one the CMA configured has no config and is asked to announce again.
   */
  private onProbeReply(peer: string, reply: PayloadOf<'PROBE_REPLY'>): void {
    this.prober.cancel(peer, reply.probeId);
    if (reply.probeId === GREETING_PROBE_ID) this.greeter.heardFrom(peer);
    const known = this.peers.get(peer)?.startTime;
    const newProcess = known !== undefined && known !== reply.startTime;
    if (newProcess) this.count('probe_reply_new_process');
    if (reply.probeId === GREETING_PROBE_ID && !newProcess && this.membership.status(peer) === 'live') return;
    this.events.post(() => {
      if (reply.probeId !== GREETING_PROBE_ID) this.membership.probeAnswered(peer, reply.probeId);
      // After probeAnswered: a late answer to the probe that preceded a death resolves it in place.
      if (newProcess) this.membership.heardFrom(peer, 'new_process');
      else if (this.membership.status(peer) !== 'live') this.membership.heardFrom(peer);
    });
  }

  /** A reliable message for the Membership state machine (in the event queue). */
  private apply(peer: string, message: Message): void {
    // Any authenticated message but a leave shows its sender runs: life for a member, and for a host
    // that is no member (declared dead while cut off) a request to announce again.
    if (message.type !== 'LEAVE') this.membership.heardFrom(peer);
    switch (message.type) {
      case 'PARTNER_REPORT': {
        const p = message.payload;
        const silentForMs = p.lastHeard === null ? null : Math.max(0, p.reportedAt - p.lastHeard);
        this.membership.report({ observer: peer, subject: p.partner, kind: p.status, silentForMs });
        return;
      }
      case 'LEAVE':
        this.membership.leave(peer);
        return;
      case 'UNEXPECTED_HEARTBEAT': {
        const claimed = message.payload.claimedSender;
        this.log.info({ observer: this.peers.nameOf(peer), sender: claimed === null ? null : this.peers.nameOf(claimed), from: message.payload.from, count: message.payload.count }, 'unexpected heartbeats');
        // The sender heartbeats partners it had before it was declared dead: it runs, and is asked
        // (at the address the CMA knows, sealed for its key) to come back.
        if (claimed !== null && claimed !== peer && this.peers.get(claimed) !== undefined) this.membership.heardFrom(claimed, 'heartbeat_seen');
        return;
      }
      default:
        this.count(`unhandled_${message.type}`);
    }
  }

  private count(what: string): void {
    this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
  }
}

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}

export { b64, decodePublicKeys };
