import { decodeMessage, encodeMessage } from '../../protocol/codec';
import { makeMessage, type Message, type PayloadOf } from '../../protocol/message-types';
import { decodePublicKeys, keyIdOf } from '../../protocol/security/identity';
import { TrustStore } from '../../protocol/security/trust-store';
import { SystemClock, type Clock } from '../../protocol/transport/clock';
import type { IncomingMessage } from '../../protocol/transport/endpoint';
import path from 'node:path';
import { AlertStore } from '../alerts/alert-store';
import type { CmaConfig } from '../config/cma-config';
import { HostStore, type JoinInput } from '../fleet/host-store';
import { RingStore } from '../fleet/ring-store';
import type { GraphStore } from '../graph/graph-store';
import type { Decision } from '../membership/decisions';
import { Membership } from '../membership/membership';
import type { TopologyPlacement } from '../membership/types';
import type { Logger } from '../util/logger';
import { b64, checkAnnouncement, type CheckedAnnouncement } from './announcement';
import { openCmaTransport, type CmaTransport } from './cma-transport';
import { DecisionRunner } from './decision-runner';
import { PeerDirectory } from './peer-directory';
import { Prober } from './prober';
import { RejoinAsker } from './rejoin-asker';
import { planRestart, type RestoredPeer } from './restart-plan';
import { SerialQueue } from './serial-queue';

type PendingAnnounce = { incoming: IncomingMessage; payload: PayloadOf<'ANNOUNCE'> };

/**
 * A restarted CMA's greeting: a PROBE from its new session (probe id 0) every second, for at most ten,
 * until the host answers or announces. One datagram is enough to tell a nanoprobe the CMA restarted;
 * the repeats cover its loss. An unanswered greeting is only counted: a host that stays silent is
 * judged by the ordinary rules (a host held as down already has its alert).
 */
const GREETING_PROBE_ID = 0;
const GREET_EVERY_MS = 1_000;
const GREET_FOR_MS = 10_000;

/** Handlers for messages other parts of the CMA own (discovery results); resolve once stored. */
export type ExtraHandler = (peer: { keyid: string; hostname: string }, message: Message) => Promise<void>;

/**
 * The CMA's side of membership: announcements in (checked, pinned, stored, acknowledged), configs and
 * probes out, partner reports and leaves judged by the Membership state machine, its decisions carried
 * out (graph, alerts, messages). Every event runs through one serial queue, in arrival order; bursts of
 * announcements are batched into one graph transaction. Reliable messages are acknowledged only after
 * their effects are stored.
 */
export class MembershipService {
  readonly peers = new PeerDirectory();
  private membershipState!: Membership;
  private readonly queue: SerialQueue;
  private readonly counters = new Map<string, number>();
  private readonly pending: PendingAnnounce[] = [];
  private announceFlushQueued = false;
  private decisions: Decision[] = [];
  private readonly prober: Prober;
  private readonly greeter: Prober;
  private readonly rejoin: RejoinAsker;
  private readonly runner: DecisionRunner;
  private readonly extraHandlers = new Map<Message['type'], ExtraHandler>();
  private readonly joinListeners: Array<(peer: { keyid: string; hostname: string }) => void> = [];
  private stopped = false;

  private constructor(
    readonly transport: CmaTransport,
    private readonly trust: TrustStore,
    readonly hosts: HostStore,
    readonly rings: RingStore,
    readonly alerts: AlertStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new SerialQueue((err) => {
      this.count('event_errors');
      this.log.error({ err }, 'membership event failed');
    });
    this.prober = new Prober(
      clock,
      (host, probeId) => this.sendProbe(host, probeId),
      (host, probeId) => this.enqueue(async () => this.membership.probeFailed(host, probeId)),
    );
    this.greeter = new Prober(
      clock,
      (host, probeId) => this.sendProbe(host, probeId),
      () => this.count('greeting_unanswered'),
    );
    this.rejoin = new RejoinAsker({ clock, send: (host, reason) => this.sendRejoin(host, reason), count: (what) => this.count(what) });
    this.runner = new DecisionRunner({
      membership: () => this.membership,
      endpoint: transport.endpoint,
      peers: this.peers,
      hosts,
      rings,
      alerts,
      prober: this.prober,
      rejoin: this.rejoin,
      log,
      count: (what) => this.count(what),
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
   */
  place(keyid: string, placement: TopologyPlacement): Promise<void> {
    return this.enqueue(async () => {
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
  async send(keyid: string, message: Message): Promise<void> {
    const peer = this.peers.get(keyid);
    if (!peer) throw new Error(`unknown host ${keyid}`);
    await this.transport.endpoint.sendReliable(keyid, { host: peer.endpoint.ip, port: peer.endpoint.port }, encodeMessage(message));
  }

  counts(): Record<string, number> {
    return { ...Object.fromEntries(this.counters), ...prefixed('transport_', this.transport.endpoint.counters()) };
  }

  /** Resolves once every event received so far has been applied and stored. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.prober.stopAll();
    this.greeter.stopAll();
    await this.queue.idle();
    await this.transport.close();
  }

  /**
   * A restarted CMA rebuilds its rings and peers from the graph, holds the hosts stored as down as
   * dead (so that their alerts resolve when they come back), then greets every host that did not
   * leave, down ones too: the probe comes from a new session, which tells each running nanoprobe to
   * announce itself again.
   */
  private async restore(timing: Record<string, number>): Promise<void> {
    const snapshot = await this.rings.load();
    const options = { clock: this.clock, emit: (d: Decision) => this.decisions.push(d), timing };
    this.membershipState = snapshot.rings.length > 0 ? Membership.restore(snapshot, options) : new Membership(options);
    const restored: RestoredPeer[] = [];
    for (const known of await this.hosts.knownPeers()) {
      const keys = { ed25519: new Uint8Array(Buffer.from(known.ed25519, 'base64')), x25519: new Uint8Array(Buffer.from(known.x25519, 'base64')) };
      if (keyIdOf(keys.ed25519) !== known.keyid) continue;
      this.peers.set({ keyid: known.keyid, hostname: known.name, keys, endpoint: { ip: known.ip, port: known.port } });
      this.transport.guard.learnPeer(known.keyid, keys);
      restored.push({ keyid: known.keyid, name: known.name, status: known.status });
    }
    const firing = await this.alerts.list({ state: 'firing', limit: 100_000 });
    const plan = planRestart(restored, firing, (host) => this.membership.status(host) === 'live');
    for (const group of plan.dead) this.membership.holdDead(group.hosts, group.segment);
    for (const host of plan.greet) this.greeter.start(host, GREETING_PROBE_ID, GREET_EVERY_MS, GREET_FOR_MS);
    this.decisions = [];
    const heldDead = plan.dead.reduce((n, g) => n + g.hosts.length, 0);
    if (snapshot.rings.length > 0 || heldDead > 0) this.log.info({ hosts: this.membership.ringSet.size, heldDead, greeted: plan.greet.length }, 'membership restored from the graph');
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
      this.pending.push({ incoming, payload: message.payload });
      if (!this.announceFlushQueued) {
        this.announceFlushQueued = true;
        this.enqueue(() => this.flushAnnouncements());
      }
      return;
    }
    const extra = this.extraHandlers.get(message.type);
    if (extra !== undefined) {
      // A message from a host that is no member (declared dead while it ran on): ask it to come back.
      if (this.membership.status(incoming.peer) !== 'live') this.enqueue(async () => this.membership.heardFrom(incoming.peer));
      // Outside the serial queue: a discovery write must not hold up heartbeat reports and deaths.
      // Acknowledged once the handler has stored it; a failure leaves it for the sender to retransmit.
      extra({ keyid: incoming.peer, hostname: this.peers.nameOf(incoming.peer) }, message).then(
        () => incoming.ack(),
        (err: unknown) => {
          this.count(`failed_${message.type}`);
          this.log.warn({ host: this.peers.nameOf(incoming.peer), type: message.type, err: (err as Error).message }, 'message not stored; the sender will retransmit');
        },
      );
      return;
    }
    if (message.type === 'PROBE_REPLY') {
      this.onProbeReply(incoming.peer, message.payload);
      return;
    }
    this.enqueue(async () => {
      await this.apply(incoming, message);
    }).then(
      () => incoming.ack(),
      () => undefined,
    );
  }

  /**
   * A probe answered: the death judge's probe (id > 0) or the greeting of a restarted CMA (id 0). A
   * host that is no member asks to come back by answering; one that answers from a process started
   * after the one the CMA configured has no config and is asked to announce again.
   */
  private onProbeReply(peer: string, reply: PayloadOf<'PROBE_REPLY'>): void {
    this.prober.cancel(peer, reply.probeId);
    if (reply.probeId === GREETING_PROBE_ID) this.greeter.cancel(peer, GREETING_PROBE_ID);
    const known = this.peers.get(peer)?.startTime;
    const newProcess = known !== undefined && known !== reply.startTime;
    if (newProcess) this.count('probe_reply_new_process');
    if (reply.probeId === GREETING_PROBE_ID && !newProcess && this.membership.status(peer) === 'live') return;
    this.enqueue(async () => {
      if (reply.probeId !== GREETING_PROBE_ID) this.membership.probeAnswered(peer, reply.probeId);
      // After probeAnswered: a late answer to the probe that preceded a death resolves it in place.
      if (newProcess) this.membership.heardFrom(peer, 'new_process');
      else if (this.membership.status(peer) !== 'live') this.membership.heardFrom(peer);
    });
  }

  private async apply(incoming: IncomingMessage, message: Message): Promise<void> {
    const peer = incoming.peer;
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

  /** Runs `work` in the queue, then carries out the decisions it produced. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    return this.queue.push(async () => {
      if (this.stopped) return;
      await work();
      const decisions = this.decisions;
      this.decisions = [];
      await this.runner.run(decisions);
    });
  }

  private async flushAnnouncements(): Promise<void> {
    this.announceFlushQueued = false;
    const batch = this.pending.splice(0);
    const accepted = new Map<string, { checked: CheckedAnnouncement; incoming: IncomingMessage; startTime: number }>();
    const candidates: { checked: CheckedAnnouncement; incoming: IncomingMessage; startTime: number }[] = [];
    for (const { incoming, payload } of batch) {
      const checked = checkAnnouncement(payload, { keyid: incoming.peer, keys: incoming.signerKeys }, incoming.address);
      if ('code' in checked) {
        this.count('announce_refused');
        this.replyToAnnounce(incoming, payload.startTime, { accepted: false, code: checked.code, reason: checked.reason });
        continue;
      }
      candidates.push({ checked, incoming, startTime: payload.startTime });
    }
    // All at once: each admission decides in turn (in arrival order) and the new pins of the whole
    // batch share one or two writes of the trust file, instead of one write per joining host.
    const verdicts = await Promise.all(candidates.map(({ checked }) => this.trust.admit(checked.hostname, checked.keys)));
    for (const [i, candidate] of candidates.entries()) {
      const { checked, incoming, startTime } = candidate;
      const decision = verdicts[i]!;
      if (decision.status !== 'pinned' && decision.status !== 'known') {
        this.count(`announce_${decision.status}`);
        this.log.warn({ host: checked.hostname, keyid: checked.keyid, status: decision.status }, 'announcement refused by the trust store');
        await this.alerts.fire({
          labels: { alertname: 'HostKeyRefused', severity: 'warning', host: checked.hostname },
          annotations: { summary: `${checked.hostname} announced with key ${checked.keyid}: ${decision.error.message}`, code: decision.error.code },
          hosts: [],
          at: Date.now(),
        });
        this.replyToAnnounce(incoming, startTime, { accepted: false, code: decision.error.code, reason: decision.error.message });
        continue;
      }
      accepted.set(checked.keyid, candidate);
    }
    if (accepted.size === 0) return;

    const joins: JoinInput[] = [...accepted.values()].map(({ checked }) => ({ ...checked.join, at: Date.now() }));
    await this.hosts.joinMany(joins);
    for (const { checked, incoming, startTime } of accepted.values()) {
      const known = this.peers.get(checked.keyid);
      // The same process announcing again (its ACK crossed a retry): answer, but its CONFIG is already
      // on its way over the reliable channel — another one would only be sent twice.
      const repeat =
        known?.startTime === startTime &&
        known.endpoint.ip === checked.endpoint.ip &&
        known.endpoint.port === checked.endpoint.port &&
        this.membership.status(checked.keyid) === 'live';
      this.peers.set({ keyid: checked.keyid, hostname: checked.hostname, keys: checked.keys, endpoint: checked.endpoint, startTime });
      this.transport.guard.learnPeer(checked.keyid, checked.keys);
      this.greeter.cancel(checked.keyid, GREETING_PROBE_ID);
      this.rejoin.announced(checked.keyid);
      this.replyToAnnounce(incoming, startTime, { accepted: true });
      if (repeat) {
        this.count('announce_repeated');
        continue;
      }
      this.membership.announce(checked.ringHost);
      for (const listener of this.joinListeners) listener({ keyid: checked.keyid, hostname: checked.hostname });
    }
    this.count('announce_accepted');
  }

  private replyToAnnounce(incoming: IncomingMessage, startTime: number, verdict: { accepted: boolean; code?: string; reason?: string }): void {
    const identity = this.transport.identity;
    const ack = makeMessage('ANNOUNCE_ACK', {
      ...verdict,
      startTime,
      cma: { keyId: identity.keyId, ed25519: identity.publicKeys.ed25519, x25519: identity.publicKeys.x25519 },
    } as PayloadOf<'ANNOUNCE_ACK'>);
    this.transport.endpoint.sendSigned(incoming.address, encodeMessage(ack));
  }

  private sendRejoin(host: string, reason: string): Promise<void> {
    const peer = this.peers.get(host);
    if (!peer || this.stopped) return Promise.reject(new Error(`cannot ask ${host} to rejoin`));
    return this.transport.endpoint.sendReliable(host, { host: peer.endpoint.ip, port: peer.endpoint.port }, encodeMessage(makeMessage('REJOIN', { reason })));
  }

  private sendProbe(host: string, probeId: number): void {
    const peer = this.peers.get(host);
    if (!peer || this.stopped) return;
    this.count('probe_sent');
    try {
      this.transport.endpoint.sendUnreliable(host, { host: peer.endpoint.ip, port: peer.endpoint.port }, encodeMessage(makeMessage('PROBE', { probeId, sentAt: Date.now() })));
    } catch (err) {
      this.log.warn({ host: peer.hostname, err: (err as Error).message }, 'probe not sent');
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
