import type { Message, PayloadOf } from '../../protocol/message-types';
import { decodePublicKeys } from '../../protocol/security/identity';
import { TrustStore } from '../../protocol/security/trust-store';
import { SystemClock, type Clock } from '../../protocol/transport/clock';
import path from 'node:path';
import type { AlertService } from '../alerts/alert-service';
import type { AlertStore } from '../alerts/alert-store';
import type { CmaConfig } from '../config/cma-config';
import type { AgentLoadBook } from '../fleet/agent-load';
import type { HostStore } from '../fleet/host-store';
import type { RingStore } from '../fleet/ring-store';
import type { InboundRouter, Sender } from '../inbound-router';
import type { Membership } from '../membership/membership';
import type { TopologyPlacement } from '../membership/types';
import type { Logger } from '../../common/logger';
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

/** The stores membership writes to and the alert service it raises alerts through, built by the CMA's composition root (cma-service.ts). */
export type MembershipStores = { hosts: HostStore; rings: RingStore; alerts: AlertStore; alertService: AlertService };

/**
 * The CMA's side of membership: announcements in (announcement-batch.ts: checked, pinned, stored,
 * acknowledged), configs and probes out, partner reports and leaves judged by the Membership state
 * machine, its decisions carried out (decision-runner.ts: graph, alerts, messages). Every event runs
 * through one queue (event-queue.ts), in arrival order. Reliable messages are acknowledged only after
 * their effects are stored, and never when the service stopped before applying them. This file wires
 * the parts and registers the membership messages with the CMA's inbound router (cma/inbound-router.ts).
 */
export class MembershipService {
  readonly peers = new PeerDirectory();
  private membershipState!: Membership;
  private readonly events: EventQueue;
  private readonly sender: PeerSender;
  private readonly announcements: AnnouncementBatch;
  private readonly prober: Prober;
  private readonly greeter: Greeter;
  private readonly rejoin: RejoinAsker;
  private readonly writer: MembershipWriter;
  private readonly joinListeners: Array<(peer: { keyid: string; hostname: string }) => void> = [];
  /** What agents say of their load, for the death judge's slow-host grace; none until useAgentLoad. */
  private load: Pick<AgentLoadBook, 'graceFor'> | null = null;

  private constructor(
    readonly transport: CmaTransport,
    trust: TrustStore,
    readonly hosts: HostStore,
    readonly rings: RingStore,
    readonly alerts: AlertStore,
    alertService: AlertService,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Shared with the inbound router, so received_/refused_ counts show beside membership's own. */
    private readonly counters: Map<string, number>,
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
      alerts: alertService,
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
      alerts: alertService,
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

  /**
   * Opens the membership port and restores the rings from the graph; registers the membership
   * messages with `router` and hands the endpoint's messages to it.
   */
  static async start(
    config: CmaConfig['membership'],
    stores: MembershipStores,
    router: InboundRouter,
    log: Logger,
    options: { clock?: Clock; counters?: Map<string, number> } = {},
  ): Promise<MembershipService> {
    const clock = options.clock ?? new SystemClock();
    const transport = await openCmaTransport(config, log);
    try {
      const trust = await TrustStore.open(path.join(config.stateDir, 'trusted-hosts.json'), { mode: config.trust });
      const service = new MembershipService(transport, trust, stores.hosts, stores.rings, stores.alerts, stores.alertService, clock, log, options.counters ?? new Map());
      await service.restore(config.timing);
      service.registerRoutes(router);
      transport.endpoint.on('message', (m) => router.dispatch(m));
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

  /**
   * Lets the death judge wait longer (bounded: timing.slowGraceMaxMs) for a host whose agent last said
   * it is slow (AGENT_LOAD), so a busy machine is not taken for a dead one.
   */
  useAgentLoad(load: Pick<AgentLoadBook, 'graceFor'>): void {
    this.load = load;
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
      // Read at each judgement: the book may be given after the start, and changes with each AGENT_LOAD.
      graceFor: (host) => this.load?.graceFor(host) ?? 0,
      log: this.log,
    });
    this.membershipState = restored.membership;
    this.greeter.greet(restored.greet);
  }

  /** The membership messages and how they must come (sealed, reliable) and from whom. */
  private registerRoutes(router: InboundRouter): void {
    router.register({ type: 'ANNOUNCE', how: 'signed', from: 'anyone', handle: (payload, _sender, incoming) => this.announcements.add(incoming, payload) });
    // Ring members are nanoprobes; a poller's liveness is its own feature's (no REJOINs for it).
    const members = ['nanoprobe'] as const;
    router.register({ type: 'PROBE_REPLY', how: 'sealed', from: 'known', roles: members, handle: (payload, sender) => this.onProbeReply(sender.keyid, payload) });
    // Acknowledged once applied and its decisions stored; not at all if it failed or the service
    // stopped first (the sender retransmits it).
    const applied = <N extends 'PARTNER_REPORT' | 'LEAVE' | 'UNEXPECTED_HEARTBEAT'>(type: N) =>
      router.register({ type, how: 'reliable', from: 'known', roles: members, handle: (payload, sender) => this.applyInQueue(sender, { type, payload } as Message) });
    applied('PARTNER_REPORT');
    applied('LEAVE');
    applied('UNEXPECTED_HEARTBEAT');
  }

  /**
   * Any authenticated message from a host that is no member (declared dead while it ran on) asks it
   * to come back; other features call this for the messages they own (a discovery result).
   */
  sawMessageFrom(keyid: string): void {
    if (this.membership.status(keyid) !== 'live') this.events.post(() => this.membership.heardFrom(keyid));
  }

  private applyInQueue(sender: Sender, message: Message): Promise<void> {
    const receivedAt = Date.now();
    return this.events.run(() => {
      this.log.debug({ host: sender.hostname, type: message.type, queuedMs: Date.now() - receivedAt }, 'membership message');
      return this.apply(sender.keyid, message);
    });
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
      const wasDead = this.membership.status(peer) === 'dead';
      if (reply.probeId !== GREETING_PROBE_ID) this.membership.probeAnswered(peer, reply.probeId);
      // The very process declared dead answered its probe late and is back on its rings: a false death
      // undone in place (the other way one is undone is its announcing again: announcement-batch.ts).
      if (wasDead && !newProcess && this.membership.status(peer) === 'live') this.count('false_deaths_undone');
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
