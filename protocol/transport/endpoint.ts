/**
 * An endpoint: one datagram socket, one PacketGuard, and a connection per peer. This is what the
 * CMA, nanoprobes and pollers use. Messages are opaque bytes here (the application encodes them with
 * the codec); three ways to send:
 *  - sendReliable: sealed, fragmented, retransmitted; resolves once the receiver committed it;
 *  - sendUnreliable: sealed, one datagram, no retransmission (heartbeats);
 *  - sendSigned: signed, one datagram, for a peer that does not know our keys yet (announce).
 * Incoming messages arrive as 'message' events carrying `ack()`: a reliable message is acknowledged
 * to its sender only when the application calls it (or at once with `autoAck`).
 *
 * The receive path never throws: whatever the guard or the frame decoder refuses is counted by
 * reason and dropped.
 */
import { EventEmitter } from 'node:events';
import type { KeyId, OpenedFrame, PacketGuard, SessionId } from '../guard';
import { SystemClock, type Clock, type TimerHandle } from './clock';
import { Connection, type ConnectionSnapshot } from './connection';
import type { DatagramSocket, SocketAddress } from './datagram-socket';
import { CLOSE_REASON_SHUTDOWN, DATA_HEADER_BYTES, decodeFrame, encodeClose, encodeUnreliable, type Frame } from './frame';
import { resolveTransportOptions, type TransportOptions, type TransportOptionsInput } from './options';
import { createTransportCounters, type TransportCounterName, type TransportCounters } from './transport-counters';
import { TransportError } from './transport-errors';

export type IncomingMessage = {
  peer: KeyId;
  peerSession: SessionId;
  address: SocketAddress;
  bytes: Uint8Array;
  reliable: boolean;
  /** For signed (announce) messages: the keys the sender proved it holds. */
  signerKeys?: { ed25519: Uint8Array; x25519: Uint8Array };
  /** Acknowledge (commit) a reliable message; a no-op for unreliable ones and when called again. */
  ack(): void;
};

export type PeerRestartedEvent = { peer: KeyId; oldSession: SessionId; newSession: SessionId; address: SocketAddress };
export type GiveUpEvent = { peer: KeyId; error: TransportError; messages: number };

export type EndpointEvents = {
  message: [IncomingMessage];
  peerRestarted: [PeerRestartedEvent];
  giveUp: [GiveUpEvent];
  transportError: [Error];
};

export type EndpointConfig = {
  socket: DatagramSocket;
  guard: PacketGuard;
  clock?: Clock;
  options?: TransportOptionsInput;
  /** Acknowledge reliable messages as soon as they are delivered (receivers with nothing to commit). */
  autoAck?: boolean;
};

const NO_ACK = (): void => {};

export class Endpoint extends EventEmitter<EndpointEvents> {
  readonly options: TransportOptions;
  private readonly socket: DatagramSocket;
  private readonly guard: PacketGuard;
  private readonly clock: Clock;
  private readonly autoAck: boolean;
  private readonly stats: TransportCounters = createTransportCounters();
  private readonly conns = new Map<KeyId, Connection>();
  private sealOverhead: number | undefined;
  private sweepTimer: TimerHandle | undefined;
  private closed = false;

  constructor(config: EndpointConfig) {
    super();
    this.options = resolveTransportOptions(config.options ?? {});
    this.socket = config.socket;
    this.guard = config.guard;
    this.clock = config.clock ?? new SystemClock();
    this.autoAck = config.autoAck ?? false;
    this.socket.onDatagram((bytes, from) => this.receive(bytes, from));
    this.socket.onError?.((err) => {
      this.stats.add('send_errors');
      this.emit('transportError', err);
    });
    this.scheduleSweep();
  }

  get keyId(): KeyId {
    return this.guard.keyId;
  }

  get sessionId(): SessionId {
    return this.guard.sessionId;
  }

  localAddress(): SocketAddress {
    return this.socket.localAddress();
  }

  sendReliable(peer: KeyId, address: SocketAddress, bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError('UNI_TRANS_004'));
    if (!this.guard.knowsPeer(peer)) return Promise.reject(new TransportError('UNI_TRANS_003', peer));
    const conn = this.connectionFor(peer, address);
    conn.address = address;
    return conn.sendReliable(bytes);
  }

  /** Sealed, one datagram, never retransmitted. Throws on a programming error (size, unknown peer). */
  sendUnreliable(peer: KeyId, address: SocketAddress, bytes: Uint8Array): void {
    if (this.closed) throw new TransportError('UNI_TRANS_004');
    if (!this.guard.knowsPeer(peer)) throw new TransportError('UNI_TRANS_003', peer);
    const datagram = this.guard.seal(peer, encodeUnreliable(bytes));
    this.checkDatagramSize(datagram);
    this.stats.add('unreliable_sent');
    this.put(datagram, address);
  }

  /** Signed, one datagram, never retransmitted: for announcements to peers that do not know us. */
  sendSigned(address: SocketAddress, bytes: Uint8Array): void {
    if (this.closed) throw new TransportError('UNI_TRANS_004');
    const datagram = this.guard.sign(encodeUnreliable(bytes));
    this.checkDatagramSize(datagram);
    this.stats.add('signed_sent');
    this.put(datagram, address);
  }

  counters(): Record<TransportCounterName, number> {
    return this.stats.snapshot();
  }

  connection(peer: KeyId): ConnectionSnapshot | undefined {
    return this.conns.get(peer)?.snapshot();
  }

  connections(): ConnectionSnapshot[] {
    return [...this.conns.values()].map((c) => c.snapshot());
  }

  /** Tells connected peers we are leaving, rejects whatever is still pending, closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) this.clock.clearTimer(this.sweepTimer);
    const error = new TransportError('UNI_TRANS_004', 'closed while the message was pending');
    for (const conn of this.conns.values()) {
      if (conn.peerSession !== undefined) this.transmit(conn, encodeClose(CLOSE_REASON_SHUTDOWN));
      conn.close(error);
    }
    this.conns.clear();
    await this.socket.close();
  }

  private connectionFor(peer: KeyId, address: SocketAddress): Connection {
    const existing = this.conns.get(peer);
    if (existing !== undefined) return existing;
    const conn = new Connection(peer, address, {
      clock: this.clock,
      options: this.options,
      counters: this.stats,
      localSession: this.guard.sessionId,
      fragmentBytes: this.options.maxDatagramBytes - this.overhead(peer) - DATA_HEADER_BYTES,
      autoAck: this.autoAck,
      transmit: (c, frame) => this.transmit(c, frame),
      deliver: (c, bytes, ack) => {
        // The session is known: frames are only dispatched after acceptSession.
        this.dispatch({ peer: c.peer, peerSession: c.peerSession ?? 0n, address: c.address, bytes, reliable: true, ack });
      },
      peerRestarted: (c, oldSession, newSession) => {
        this.emitSafely('peerRestarted', { peer: c.peer, oldSession, newSession, address: c.address });
      },
      gaveUp: (c, error, messages) => this.emitSafely('giveUp', { peer: c.peer, error, messages }),
    });
    this.conns.set(peer, conn);
    return conn;
  }

  /** Bytes the guard adds to a sealed frame, measured once (it does not depend on the frame). */
  private overhead(peer: KeyId): number {
    if (this.sealOverhead === undefined) {
      const empty = this.guard.seal(peer, new Uint8Array(0)).length;
      const one = this.guard.seal(peer, new Uint8Array(1)).length - 1;
      this.sealOverhead = Math.max(empty, one);
    }
    return this.sealOverhead;
  }

  private transmit(conn: Connection, frame: Uint8Array): void {
    let datagram: Uint8Array;
    try {
      datagram = this.guard.seal(conn.peer, frame);
    } catch (err) {
      // The application forgot the peer's keys while we still had traffic for it.
      this.stats.add('send_errors');
      this.emitSafely('transportError', err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.put(datagram, conn.address);
  }

  private put(datagram: Uint8Array, address: SocketAddress): void {
    this.stats.add('sent_datagrams');
    this.stats.add('sent_bytes', datagram.length);
    this.socket.send(datagram, address);
  }

  private checkDatagramSize(datagram: Uint8Array): void {
    if (datagram.length > this.options.maxDatagramBytes) {
      throw new TransportError('UNI_TRANS_005', `${datagram.length} bytes > ${this.options.maxDatagramBytes}`);
    }
  }

  private receive(bytes: Uint8Array, from: SocketAddress): void {
    if (this.closed) return;
    this.stats.add('received_datagrams');
    this.stats.add('received_bytes', bytes.length);
    let opened: ReturnType<PacketGuard['open']>;
    try {
      opened = this.guard.open(bytes);
    } catch {
      // The guard promises not to throw; if it does, the datagram is still just malformed input.
      this.stats.add('dropped_malformed');
      return;
    }
    if (!opened.ok) {
      this.stats.add(`dropped_${opened.reason}`);
      return;
    }
    const decoded = decodeFrame(opened.frame);
    if (!decoded.ok) {
      this.stats.add('dropped_malformed');
      return;
    }
    try {
      if (opened.kind === 'signed') this.receiveSigned(opened, decoded.frame, from);
      else this.receiveSealed(opened, decoded.frame, from);
    } catch (err) {
      // A bug must not turn one authenticated but unexpected frame into a dead daemon: count it, say it.
      this.stats.add('internal_errors');
      this.emitSafely('transportError', err instanceof Error ? err : new Error(String(err)));
    }
  }

  private receiveSigned(opened: OpenedFrame, frame: Frame, from: SocketAddress): void {
    if (frame.type !== 'unreliable') {
      this.stats.add('dropped_unexpected_frame');
      return;
    }
    // A signed frame proves its sender, so it may reveal a restart of a peer we talk to.
    const conn = this.conns.get(opened.sender);
    if (conn !== undefined && !conn.acceptSession(opened.senderSession)) return;
    this.stats.add('signed_received');
    const message: IncomingMessage = {
      peer: opened.sender,
      peerSession: opened.senderSession,
      address: from,
      bytes: frame.payload,
      reliable: false,
      ack: NO_ACK,
    };
    if (opened.signerKeys !== undefined) message.signerKeys = opened.signerKeys;
    this.dispatch(message);
  }

  private receiveSealed(opened: OpenedFrame, frame: Frame, from: SocketAddress): void {
    const conn = this.connectionFor(opened.sender, from);
    if (!conn.acceptSession(opened.senderSession)) return;
    // Authenticated and fresh: the source address is where this peer can be reached now.
    conn.address = from;
    switch (frame.type) {
      case 'data':
        conn.onData(frame);
        return;
      case 'ack':
        conn.onAck(frame);
        return;
      case 'probe':
        conn.onProbe(frame);
        return;
      case 'close':
        conn.onClose();
        return;
      case 'unreliable':
        this.stats.add('unreliable_received');
        this.dispatch({ peer: opened.sender, peerSession: opened.senderSession, address: from, bytes: frame.payload, reliable: false, ack: NO_ACK });
        return;
    }
  }

  private dispatch(message: IncomingMessage): void {
    this.emitSafely('message', message);
  }

  private emitSafely<K extends keyof EndpointEvents>(event: K, ...args: EndpointEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: EndpointEvents[K]) => boolean)(event, ...args);
    } catch {
      // A throwing handler must not break the receive loop or the state machine that called it.
      this.stats.add('handler_errors');
    }
  }

  private scheduleSweep(): void {
    const interval = Math.max(100, Math.min(this.options.reassemblyTimeoutMs, this.options.idleTimeoutMs) / 4);
    this.sweepTimer = this.clock.setTimer(interval, () => {
      this.sweep();
      if (!this.closed) this.scheduleSweep();
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [peer, conn] of this.conns) {
      conn.sweep(now);
      if (conn.idle() && now - conn.lastActivityAt >= this.options.idleTimeoutMs) this.conns.delete(peer);
    }
  }
}
