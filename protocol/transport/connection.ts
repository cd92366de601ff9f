/**
 * Everything the transport knows about one peer: its current session, the stream we send to it, the
 * stream it sends us, and a short history of state transitions. Pure state machine: it gets its
 * clock and a transmit function, never a socket.
 *
 * Sessions. Every frame arrives with the sender's session id (from the guard). The first one seen is
 * the peer's session; a different one means the peer restarted: the old session is retired (its late
 * datagrams are refused), the stream it was sending us is dropped, and our stream to it restarts in a
 * new epoch carrying every message it had not committed, so nothing is lost.
 *
 * Epochs. A receive stream is created only for a stream that starts fresh (base 0) and that is
 * addressed to us or to "not heard from you yet". Anything else (a stream we have no state for, one
 * addressed to an earlier incarnation of us, one we dropped) is answered with RESET, and the sender
 * starts a new epoch. That rule is what keeps a restarted receiver from silently skipping messages.
 */
import type { KeyId } from '../guard';
import type { Clock, TimerHandle } from './clock';
import type { SocketAddress } from './datagram-socket';
import { encodeAck, type AckFrame, type DataFrame, type ProbeFrame } from './frame';
import { TransitionHistory, type TransitionEntry } from './history';
import type { TransportOptions } from './options';
import { ReceiveStream, type ReceiveStreamStats } from './receive-stream';
import { SendStream, type SendState, type SendStreamStats } from './send-stream';
import type { TransportCounters } from './transport-counters';
import type { TransportError } from './transport-errors';

export type ConnectionEnv = {
  clock: Clock;
  options: TransportOptions;
  counters: TransportCounters;
  localSession: bigint;
  fragmentBytes: number;
  autoAck: boolean;
  transmit(conn: Connection, frame: Uint8Array): void;
  deliver(conn: Connection, bytes: Uint8Array, ack: () => void): void;
  peerRestarted(conn: Connection, oldSession: bigint, newSession: bigint): void;
  gaveUp(conn: Connection, error: TransportError, messages: number): void;
};

export type ConnectionState = SendState | 'closed';

export type ConnectionSnapshot = {
  peer: KeyId;
  peerSession: bigint | undefined;
  address: SocketAddress;
  state: ConnectionState;
  send: SendStreamStats;
  receive: ReceiveStreamStats | undefined;
  history: TransitionEntry[];
};

export class Connection {
  peerSession: bigint | undefined;
  lastActivityAt: number;
  private readonly retired: bigint[] = [];
  private readonly send: SendStream;
  private recv: ReceiveStream | undefined;
  private readonly history: TransitionHistory;
  private state: ConnectionState = 'idle';
  private ackTimer: TimerHandle | undefined;
  private closed = false;

  constructor(
    readonly peer: KeyId,
    public address: SocketAddress,
    private readonly env: ConnectionEnv,
  ) {
    this.lastActivityAt = env.clock.now();
    this.history = new TransitionHistory(env.options.historySize);
    this.send = new SendStream(env.clock, env.options, env.fragmentBytes, env.counters, {
      transmit: (frame) => env.transmit(this, frame),
      gaveUp: (error, messages) => {
        this.note(`gave up: ${messages} message(s) rejected`);
        env.gaveUp(this, error, messages);
      },
      changed: (why) => this.update(why),
    });
  }

  sendReliable(bytes: Uint8Array): Promise<void> {
    return this.send.enqueue(bytes);
  }

  /**
   * Checks the session a frame came from. False means a retired session (drop the frame); a new
   * session is taken as a restart of the peer.
   */
  acceptSession(session: bigint): boolean {
    this.lastActivityAt = this.env.clock.now();
    if (this.peerSession === session) return true;
    if (this.peerSession === undefined) {
      this.peerSession = session;
      this.send.setDestinationSession(session);
      this.note(`peer session ${hex(session)} learned`);
      return true;
    }
    if (this.retired.includes(session)) {
      this.env.counters.add('dropped_stale_session');
      return false;
    }
    const old = this.peerSession;
    this.retired.push(old);
    if (this.retired.length > this.env.options.retiredSessionsPerPeer) this.retired.shift();
    this.peerSession = session;
    this.recv = undefined;
    this.env.counters.add('peer_restarts');
    this.note(`peer restarted: session ${hex(old)} -> ${hex(session)}`);
    this.send.restart(session);
    this.env.peerRestarted(this, old, session);
    return true;
  }

  onData(frame: DataFrame): void {
    const now = this.env.clock.now();
    this.env.counters.add('data_frames_received');
    const stream = this.streamFor(frame.epoch, frame.dstSession, frame.base, now);
    if (stream === 'stale') return;
    if (stream === 'reset') {
      this.sendReset(frame.epoch);
      return;
    }
    const verdict = stream.onData(frame, now);
    if (verdict === 'reset') {
      this.note(`receive epoch ${frame.epoch} dropped: protocol violation`);
      this.sendReset(frame.epoch);
    } else {
      this.scheduleAck(verdict === 'ack_now');
    }
  }

  onAck(ack: AckFrame): void {
    this.env.counters.add('acks_received');
    if (!ack.reset) {
      this.send.onAck(ack);
      return;
    }
    if (ack.epoch !== this.send.currentEpoch()) return;
    this.env.counters.add('resets_received');
    this.note(`peer reset epoch ${ack.epoch}`);
    this.send.restart(this.peerSession ?? 0n);
  }

  onProbe(probe: ProbeFrame): void {
    const stream = this.streamFor(probe.epoch, probe.dstSession, probe.base, this.env.clock.now());
    if (stream === 'stale') return;
    if (stream === 'reset') this.sendReset(probe.epoch);
    else this.scheduleAck(true);
  }

  onClose(): void {
    this.env.counters.add('closes_received');
    this.recv = undefined;
    this.note('peer closed');
  }

  /** Periodic housekeeping: drops a receive stream stuck on a hole for too long. */
  sweep(now: number): void {
    const r = this.recv;
    if (r !== undefined && !r.dead && r.stalled(now)) {
      r.die();
      this.env.counters.add('dropped_reassembly_timeout');
      this.note(`receive epoch ${r.epoch} dropped: reassembly timeout`);
    }
  }

  /** Nothing to send, nothing held for the application: forgetting this connection loses nothing. */
  idle(): boolean {
    return !this.send.hasOutstanding() && (this.recv === undefined || this.recv.idle() || this.recv.dead);
  }

  close(error: Error): number {
    if (this.ackTimer !== undefined) this.env.clock.clearTimer(this.ackTimer);
    this.ackTimer = undefined;
    this.closed = true;
    const rejected = this.send.failAll(error);
    this.update('endpoint closed');
    return rejected;
  }

  snapshot(): ConnectionSnapshot {
    return {
      peer: this.peer,
      peerSession: this.peerSession,
      address: this.address,
      state: this.state,
      send: this.send.stats(),
      receive: this.recv?.stats(),
      history: this.history.list(),
    };
  }

  private streamFor(epoch: number, dst: bigint, base: number, now: number): ReceiveStream | 'reset' | 'stale' {
    const r = this.recv;
    const addressedToUs = dst === 0n || dst === this.env.localSession;
    if (r !== undefined && epoch === r.epoch) return r.dead || !addressedToUs ? 'reset' : r;
    if (r !== undefined && epoch < r.epoch) {
      this.env.counters.add('dropped_stale_epoch');
      return 'stale';
    }
    if (base !== 0 || !addressedToUs) return 'reset';
    const stream = new ReceiveStream(epoch, this.env.options, this.env.counters, (msgId, bytes) => this.deliver(stream, msgId, bytes), now);
    this.recv = stream;
    this.note(`receive epoch ${epoch} started`);
    return stream;
  }

  private deliver(stream: ReceiveStream, msgId: number, bytes: Uint8Array): void {
    this.env.counters.add('reliable_messages_delivered');
    const ack = (): void => {
      if (this.recv !== stream || !stream.commit(msgId)) return;
      this.env.counters.add('reliable_messages_committed');
      this.scheduleAck(false);
    };
    this.env.deliver(this, bytes, ack);
    if (this.env.autoAck) ack();
  }

  private scheduleAck(immediately: boolean): void {
    if (this.closed) return;
    if (immediately) {
      this.flushAck();
      return;
    }
    // Coalesce: every datagram handled in this turn of the event loop shares one ACK.
    if (this.ackTimer === undefined) this.ackTimer = this.env.clock.setTimer(0, () => this.flushAck());
  }

  private flushAck(): void {
    if (this.ackTimer !== undefined) {
      this.env.clock.clearTimer(this.ackTimer);
      this.ackTimer = undefined;
    }
    const r = this.recv;
    if (r === undefined || r.dead || this.closed) return;
    this.env.counters.add('acks_sent');
    this.env.transmit(this, encodeAck(r.ackFields()));
  }

  private sendReset(epoch: number): void {
    this.env.counters.add('resets_sent');
    this.env.transmit(this, encodeAck({ epoch, reset: true, cumAck: 0, committed: 0, window: 0, ranges: [] }));
  }

  private update(why: string): void {
    const next: ConnectionState = this.closed ? 'closed' : this.send.state();
    if (next === this.state) return;
    this.history.record({ atMs: this.env.clock.now(), from: this.state, to: next, why });
    this.state = next;
  }

  /** Records an event that matters for debugging even when the state name does not change. */
  private note(why: string): void {
    this.history.record({ atMs: this.env.clock.now(), from: this.state, to: this.state, why });
  }
}

function hex(session: bigint): string {
  return session.toString(16).padStart(16, '0');
}
