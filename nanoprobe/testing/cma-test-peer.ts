/**
 * TEST AND BENCHMARK HELPER, never used by the daemons: the CMA's side of the nanoprobe conversation,
 * at its most minimal, built from the real protocol pieces (a UDP socket, the SecurePacketGuard, the
 * reliable endpoint and the codec). It answers ANNOUNCE with a SIGNED ANNOUNCE_ACK, sends CONFIG,
 * PROBE and DISCOVERY_REQUEST when told, and records everything it receives. It keeps no rings and
 * judges no deaths: that is the real CMA's job (cma/). Every reliable message is acknowledged on
 * receipt, as a CMA with nothing to commit would.
 */
import { EventEmitter } from 'node:events';
import { decodeMessage, encodeMessage } from '../../protocol/codec';
import { makeMessage, type MessageName, type PayloadOf } from '../../protocol/message-types';
import { openMulticastSocket } from '../../protocol/net/multicast';
import { openUdpSocket } from '../../protocol/net/udp-socket';
import { generateIdentity, type Identity } from '../../protocol/security/identity';
import { SecurePacketGuard } from '../../protocol/security/packet-guard';
import { LocalSession } from '../../protocol/security/session';
import type { SocketAddress } from '../../protocol/transport/datagram-socket';
import { Endpoint, type IncomingMessage } from '../../protocol/transport/endpoint';

export type AnnouncedHost = {
  hostname: string;
  keyId: string;
  payload: PayloadOf<'ANNOUNCE'>;
  /** Where the announcement came from: the nanoprobe's socket. */
  from: SocketAddress;
};

export type Received = {
  [N in MessageName]: { type: N; payload: PayloadOf<N>; peer: string; address: SocketAddress; reliable: boolean; at: number };
}[MessageName];

/** How to answer an announcement; `joinId` is put in an accepting answer, as the real CMA does. */
export type AckDecision = { accepted: true; joinId?: number } | { accepted: false; code: string; reason?: string };

export type CmaTestPeerOptions = {
  identity?: Identity;
  host?: string;
  port?: number;
  /** Listen on a multicast group (joined on `interfaceAddress`) instead of a unicast port. */
  multicast?: { group: string; port: number; interfaceAddress: string };
  /** How to answer an announcement (default: accept everyone). */
  decide?: (host: AnnouncedHost) => AckDecision | 'ignore';
};

export class CmaTestPeer extends EventEmitter<{ received: [Received] }> {
  readonly identity: Identity;
  readonly endpoint: Endpoint;
  readonly received: Received[] = [];
  readonly hosts = new Map<string, AnnouncedHost>();
  decide: (host: AnnouncedHost) => AckDecision | 'ignore';
  private options: CmaTestPeerOptions = {};

  private constructor(
    identity: Identity,
    private readonly guard: SecurePacketGuard,
    endpoint: Endpoint,
    decide: CmaTestPeerOptions['decide'],
  ) {
    super();
    this.setMaxListeners(100);
    this.identity = identity;
    this.endpoint = endpoint;
    this.decide = decide ?? (() => ({ accepted: true }));
    endpoint.on('message', (m) => this.onMessage(m));
  }

  static async start(options: CmaTestPeerOptions = {}): Promise<CmaTestPeer> {
    const identity = options.identity ?? generateIdentity();
    const m = options.multicast;
    const socket =
      m === undefined
        ? await openUdpSocket({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
        : await openMulticastSocket({ group: m.group, port: m.port, interfaceAddress: m.interfaceAddress, ttl: 0 });
    const guard = new SecurePacketGuard({ identity, session: new LocalSession() });
    const peer = new CmaTestPeer(identity, guard, new Endpoint({ socket, guard, autoAck: true }), options.decide);
    peer.options = options;
    return peer;
  }

  get address(): SocketAddress {
    return this.endpoint.localAddress();
  }

  /** "ip:port" for `--cma`. */
  get cmaFlag(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  /** The same CMA (same key, same address) after a restart: a new session that remembers nothing. */
  async restart(): Promise<CmaTestPeer> {
    const { host, port } = this.address;
    await this.close();
    return CmaTestPeer.start({ ...this.options, identity: this.identity, host, port, decide: this.decide });
  }

  /** What a real CMA keeps in its graph across a restart: the host and its keys. */
  remember(host: AnnouncedHost): void {
    this.hosts.set(host.hostname, host);
    this.guard.learnPeer(host.keyId, { ed25519: host.payload.ed25519, x25519: host.payload.x25519 });
  }

  messages<N extends MessageName>(type: N): Array<Extract<Received, { type: N }>> {
    return this.received.filter((r): r is Extract<Received, { type: N }> => r.type === type);
  }

  /** A partner entry for a CONFIG, from what the host announced (reachable at its announce source). */
  partnerOf(host: AnnouncedHost, rings: string[] = ['global']): PayloadOf<'CONFIG'>['partners'][number] {
    return {
      keyId: host.keyId,
      hostname: host.hostname,
      ed25519: host.payload.ed25519,
      x25519: host.payload.x25519,
      address: { ip: host.from.host, port: host.payload.port },
      rings,
    };
  }

  send<N extends MessageName>(host: AnnouncedHost, type: N, payload: PayloadOf<N>): Promise<void> {
    return this.endpoint.sendReliable(host.keyId, host.from, encodeMessage(makeMessage(type, payload)));
  }

  sendUnreliable<N extends MessageName>(host: AnnouncedHost, type: N, payload: PayloadOf<N>): void {
    this.endpoint.sendUnreliable(host.keyId, host.from, encodeMessage(makeMessage(type, payload)));
  }

  /** Resolves with the first value `find` returns that is not undefined, checked on every message. */
  waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = find();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.summary()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('received', check);
      };
      this.on('received', check);
      check();
    });
  }

  /** Waits for the announcement of `hostname` (after `since`, an index into received). */
  waitForHost(hostname: string, timeoutMs = 20_000, since = 0): Promise<AnnouncedHost> {
    return this.waitFor(
      () => (this.received.slice(since).some((r) => r.type === 'ANNOUNCE' && r.payload.hostname === hostname) ? this.hosts.get(hostname) : undefined),
      timeoutMs,
      `an ANNOUNCE from ${hostname}`,
    );
  }

  summary(): string {
    const counts = new Map<string, number>();
    for (const r of this.received) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return JSON.stringify(Object.fromEntries(counts));
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }

  private onMessage(m: IncomingMessage): void {
    const decoded = decodeMessage(m.bytes);
    if (!decoded.ok) return;
    const record = { ...decoded.message, peer: m.peer, address: m.address, reliable: m.reliable, at: Date.now() } as Received;
    if (record.type === 'ANNOUNCE' && m.signerKeys !== undefined) this.onAnnounce(record.payload, m);
    this.received.push(record);
    this.emit('received', record);
  }

  private onAnnounce(payload: PayloadOf<'ANNOUNCE'>, m: IncomingMessage): void {
    const host: AnnouncedHost = { hostname: payload.hostname, keyId: m.peer, payload, from: m.address };
    this.hosts.set(payload.hostname, host);
    const decision = this.decide(host);
    if (decision === 'ignore') return;
    const cma = { keyId: this.identity.keyId, ed25519: this.identity.publicKeys.ed25519, x25519: this.identity.publicKeys.x25519 };
    const ack: PayloadOf<'ANNOUNCE_ACK'> = decision.accepted
      ? { accepted: true, startTime: payload.startTime, cma, ...(decision.joinId === undefined ? {} : { joinId: decision.joinId }) }
      : { accepted: false, code: decision.code, startTime: payload.startTime, cma, ...(decision.reason === undefined ? {} : { reason: decision.reason }) };
    this.guard.learnPeer(host.keyId, { ed25519: payload.ed25519, x25519: payload.x25519 });
    this.endpoint.sendSigned(m.address, encodeMessage(makeMessage('ANNOUNCE_ACK', ack)));
  }
}
