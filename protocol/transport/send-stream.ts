/**
 * The sending half of a connection: one stream of messages to one peer session.
 *
 * Messages are fragmented into DATA frames numbered by a per-stream sequence number. At most
 * `windowDatagrams` (and no more than the receiver advertises) are in flight. Each ACK says which
 * datagrams arrived (cumulative + selective ranges) and which messages the receiver's application has
 * committed; a message's promise resolves only when it is committed, and its bytes are kept until then
 * so that a receiver crash loses nothing (the stream restarts in a new epoch and resends them).
 *
 * Loss is detected two ways: a datagram is lost once `reorderThreshold` datagrams transmitted after it
 * were acknowledged (fast retransmit, as QUIC's packet threshold), or when the retransmission timer
 * expires (RFC 6298 timeout from measured RTT, Karn's rule, exponential backoff, a cap); a datagram
 * sent before an acknowledged one is also lost once it is older than 9/8 of the RTT (QUIC's time
 * threshold), which recovers losses quickly even when the packet threshold is high. The packet
 * threshold adapts to the path, as Linux TCP's reordering metric does: an acknowledgement that comes
 * back sooner after a retransmission than the minimum RTT must answer the original, so that
 * retransmission was spurious and the threshold grows (up to `maxReorderThreshold`). With nothing in
 * flight but messages not yet committed (or a closed receive window), the timer sends PROBEs instead,
 * which is how a receiver restart or a lost window update is discovered. Consecutive unanswered
 * expiries, or too long without an answer, make the stream give up: every pending message is rejected.
 */
import type { Clock } from './clock';
import { maybeCompress } from './compression';
import { Fifo } from './fifo';
import { encodeData, encodeProbe, type AckFrame } from './frame';
import type { TransportOptions } from './options';
import { RttEstimator } from './rtt';
import type { TransportCounters } from './transport-counters';
import { TransportError } from './transport-errors';
import { WakeTimer } from './wake-timer';

type OutgoingMessage = {
  payload: Uint8Array;
  compressed: boolean;
  fragCount: number;
  /** Assigned when its first fragment is sent in the current epoch. */
  msgId: number;
  firstSeq: number;
  nextFrag: number;
  resolve: () => void;
  reject: (err: Error) => void;
};

type Slot = {
  seq: number;
  msg: OutgoingMessage;
  fragIndex: number;
  /** Order of the latest transmission among all transmissions of this stream (for loss detection). */
  txId: number;
  lastSentAt: number;
  transmissions: number;
};

export type SendStreamHooks = {
  transmit(frame: Uint8Array): void;
  gaveUp(error: TransportError, messages: number): void;
  changed(why: string): void;
};

export type SendState = 'idle' | 'sending' | 'retransmitting' | 'window_closed' | 'awaiting_commit';

export type SendStreamStats = {
  epoch: number;
  inFlight: number;
  queued: number;
  uncommitted: number;
  backoff: number;
  peerWindow: number;
  reorderThreshold: number;
  rtt: ReturnType<RttEstimator['stats']>;
};

export class SendStream {
  private epoch = 1;
  private dstSession = 0n;
  private nextSeq = 0;
  private nextMsgId = 0;
  private readonly queue = new Fifo<OutgoingMessage>();
  private current: OutgoingMessage | undefined;
  private readonly uncommitted = new Fifo<OutgoingMessage>();
  private readonly slots = new Map<number, Slot>();
  private cumAcked = 0;
  private peerWindow: number;
  private txCounter = 0;
  private largestAckedTx = -1;
  private backoff = 0;
  private unanswered = 0;
  private lastAnsweredAt = 0;
  /** When the retransmission (or probe) timer expires. */
  private rtoAt = Infinity;
  /** When the earliest datagram in flight crosses the time threshold for loss. */
  private lossAt = Infinity;
  private readonly wake: WakeTimer;
  private reorderThreshold: number;
  readonly rtt: RttEstimator;

  constructor(
    private readonly clock: Clock,
    private readonly options: TransportOptions,
    private readonly fragmentBytes: number,
    private readonly counters: TransportCounters,
    private readonly hooks: SendStreamHooks,
  ) {
    if (fragmentBytes < 1) throw new RangeError(`no room for payload in a ${options.maxDatagramBytes}-byte datagram`);
    this.peerWindow = options.windowDatagrams;
    this.reorderThreshold = options.reorderThreshold;
    this.rtt = new RttEstimator(options);
    this.wake = new WakeTimer(clock, (now) => this.onWake(now));
  }

  currentEpoch(): number {
    return this.epoch;
  }

  /** The receiver session we address (0n until we have heard from the peer). */
  setDestinationSession(session: bigint): void {
    this.dstSession = session;
  }

  enqueue(bytes: Uint8Array): Promise<void> {
    const { maxMessageBytes, maxFragmentsPerMessage, compressThresholdBytes, compressionLevel } = this.options;
    if (bytes.length > maxMessageBytes) {
      return Promise.reject(new TransportError('UNI_TRANS_002', `${bytes.length} bytes > ${maxMessageBytes}`));
    }
    const { payload, compressed } = maybeCompress(bytes, compressThresholdBytes, compressionLevel);
    const fragCount = Math.max(1, Math.ceil(payload.length / this.fragmentBytes));
    if (fragCount > maxFragmentsPerMessage) {
      return Promise.reject(new TransportError('UNI_TRANS_002', `${fragCount} fragments > ${maxFragmentsPerMessage}`));
    }
    if (compressed) this.counters.add('compressed_messages');
    return new Promise<void>((resolve, reject) => {
      const now = this.clock.now();
      if (!this.hasOutstanding()) this.lastAnsweredAt = now;
      this.queue.push({ payload, compressed, fragCount, msgId: 0, firstSeq: 0, nextFrag: 0, resolve, reject });
      this.counters.add('reliable_messages_sent');
      this.pump(now);
      this.rearm(now, false);
      this.hooks.changed('message queued');
    });
  }

  hasOutstanding(): boolean {
    return this.uncommitted.length > 0 || this.queue.length > 0;
  }

  state(): SendState {
    if (!this.hasOutstanding()) return 'idle';
    if (this.slots.size > 0) return this.backoff > 0 ? 'retransmitting' : 'sending';
    if (this.current !== undefined || this.queue.length > 0) return 'window_closed';
    return 'awaiting_commit';
  }

  stats(): SendStreamStats {
    return {
      epoch: this.epoch,
      inFlight: this.slots.size,
      queued: this.queue.length,
      uncommitted: this.uncommitted.length,
      backoff: this.backoff,
      peerWindow: this.peerWindow,
      reorderThreshold: this.reorderThreshold,
      rtt: this.rtt.stats(),
    };
  }

  onAck(ack: AckFrame): void {
    if (ack.epoch !== this.epoch) {
      this.counters.add('dropped_stale_epoch');
      return;
    }
    const lastRange = ack.ranges[ack.ranges.length - 1];
    if (ack.cumAck > this.nextSeq || (lastRange !== undefined && lastRange.end > this.nextSeq) || ack.committed > this.nextMsgId) {
      this.counters.add('dropped_bad_ack');
      return;
    }
    const now = this.clock.now();
    let progress = false;
    let sample: Slot | undefined;
    let spurious = false;
    const minRtt = this.rtt.minRtt();
    for (const slot of this.slots.values()) {
      if (slot.seq >= ack.cumAck && !inRanges(slot.seq, ack)) continue;
      this.slots.delete(slot.seq);
      progress = true;
      if (slot.transmissions > 1 && minRtt !== undefined && now - slot.lastSentAt < minRtt / 2) spurious = true;
      if (slot.txId > this.largestAckedTx) this.largestAckedTx = slot.txId;
      // Karn's rule: an ACK for a retransmitted datagram cannot tell which transmission it answers.
      if (slot.transmissions === 1 && (sample === undefined || slot.txId > sample.txId)) sample = slot;
    }
    if (sample !== undefined) this.rtt.addSample(now - sample.lastSentAt);
    if (spurious && this.reorderThreshold < this.options.maxReorderThreshold) {
      this.reorderThreshold = Math.min(this.options.maxReorderThreshold, this.reorderThreshold * 2);
      this.counters.add('spurious_retransmissions');
    }
    if (ack.cumAck >= this.cumAcked) {
      this.cumAcked = ack.cumAck;
      this.peerWindow = ack.window;
    }
    const committed = this.releaseCommitted(ack.committed);
    if (progress || committed) {
      this.backoff = 0;
      this.unanswered = 0;
      this.lastAnsweredAt = now;
    } else if (this.slots.size === 0) {
      // Answer to a probe: the peer is alive, just not done committing (or its window is closed).
      this.unanswered = 0;
      this.lastAnsweredAt = now;
    }
    if (progress) this.detectLosses(now);
    this.pump(now);
    this.rearm(now, progress || committed);
    this.hooks.changed('ack');
  }

  /**
   * Starts a new epoch addressed to `dstSession`: sequence numbers and message ids restart at 0 and
   * every message not yet committed is sent again, in its original order.
   */
  restart(dstSession: bigint): void {
    const pending = [...this.uncommitted.drain(), ...this.queue.drain()];
    this.current = undefined;
    this.slots.clear();
    this.epoch = (this.epoch + 1) >>> 0 || 1;
    this.dstSession = dstSession;
    this.nextSeq = 0;
    this.nextMsgId = 0;
    this.cumAcked = 0;
    this.peerWindow = this.options.windowDatagrams;
    this.largestAckedTx = this.txCounter - 1;
    this.lossAt = Infinity;
    this.backoff = 0;
    this.unanswered = 0;
    const now = this.clock.now();
    this.lastAnsweredAt = now;
    for (const msg of pending) {
      msg.nextFrag = 0;
      this.queue.push(msg);
    }
    this.pump(now);
    this.rearm(now, true);
  }

  /** Rejects everything pending (endpoint closing) and stops the timer. */
  failAll(error: Error): number {
    const pending = [...this.uncommitted.drain(), ...this.queue.drain()];
    this.current = undefined;
    this.slots.clear();
    this.disarm();
    for (const msg of pending) msg.reject(error);
    return pending.length;
  }

  private base(): number {
    return this.uncommitted.peek()?.firstSeq ?? this.nextSeq;
  }

  private releaseCommitted(committedBelow: number): boolean {
    let any = false;
    for (let head = this.uncommitted.peek(); head !== undefined && head.msgId < committedBelow; head = this.uncommitted.peek()) {
      // An honest receiver commits only messages it received whole; a commit for anything else is
      // ignored (releasing it would leave datagrams in flight for a message we no longer track).
      if (head === this.current || head.firstSeq + head.fragCount > this.cumAcked) break;
      this.uncommitted.shift();
      this.counters.add('reliable_messages_acknowledged');
      head.resolve();
      any = true;
    }
    return any;
  }

  private pump(now: number): void {
    const limit = this.cumAcked + Math.min(this.options.windowDatagrams, this.peerWindow);
    while (this.nextSeq < limit) {
      let msg = this.current;
      if (msg === undefined) {
        msg = this.queue.shift();
        if (msg === undefined) break;
        msg.msgId = this.nextMsgId++;
        msg.firstSeq = this.nextSeq;
        msg.nextFrag = 0;
        this.uncommitted.push(msg);
        this.current = msg;
      }
      const fragIndex = msg.nextFrag++;
      if (msg.nextFrag >= msg.fragCount) this.current = undefined;
      const slot: Slot = { seq: this.nextSeq++, msg, fragIndex, txId: 0, lastSentAt: now, transmissions: 0 };
      this.slots.set(slot.seq, slot);
      // Ask for an immediate ACK on the last datagram of a burst, so the window reopens promptly.
      const lastOfBurst = this.nextSeq >= limit || (this.current === undefined && this.queue.length === 0);
      this.transmit(slot, now, lastOfBurst);
    }
  }

  private transmit(slot: Slot, now: number, needsAck: boolean): void {
    const { msg } = slot;
    const start = slot.fragIndex * this.fragmentBytes;
    const frame = encodeData({
      epoch: this.epoch,
      dstSession: this.dstSession,
      seq: slot.seq,
      base: this.base(),
      msgId: msg.msgId,
      fragIndex: slot.fragIndex,
      fragCount: msg.fragCount,
      compressed: msg.compressed,
      needsAck,
      payload: msg.payload.subarray(start, start + this.fragmentBytes),
    });
    slot.txId = this.txCounter++;
    slot.lastSentAt = now;
    slot.transmissions++;
    this.counters.add('data_frames_sent');
    if (slot.transmissions > 1) this.counters.add('retransmitted');
    this.hooks.transmit(frame);
  }

  /** Retransmits datagrams sent before the largest acknowledged one that cross a loss threshold. */
  private detectLosses(now: number): void {
    const { srttMs, latestMs } = this.rtt.stats();
    const lossDelay = Math.max(this.options.granularityMs, 1.125 * Math.max(srttMs ?? this.rtt.rto(), latestMs ?? 0));
    let earliest = Infinity;
    for (const slot of this.slots.values()) {
      if (slot.txId >= this.largestAckedTx) continue;
      if (slot.txId + this.reorderThreshold <= this.largestAckedTx || slot.lastSentAt + lossDelay <= now) {
        this.counters.add('retransmitted_fast');
        this.transmit(slot, now, true);
      } else {
        earliest = Math.min(earliest, slot.lastSentAt + lossDelay);
      }
    }
    this.lossAt = earliest;
  }

  private rearm(now: number, progress: boolean): void {
    if (!this.hasOutstanding()) {
      this.disarm();
      return;
    }
    if (progress || this.rtoAt === Infinity) this.rtoAt = now + this.rtt.backedOffRto(this.backoff);
    this.wake.schedule(Math.min(this.rtoAt, this.lossAt));
  }

  private onWake(now: number): void {
    if (this.lossAt <= now) {
      this.lossAt = Infinity;
      this.detectLosses(now);
    }
    if (this.rtoAt <= now) {
      this.rtoAt = Infinity;
      this.onTimeout(now);
    }
    if (this.hasOutstanding()) this.wake.schedule(Math.min(this.rtoAt, this.lossAt));
  }

  private onTimeout(now: number): void {
    if (!this.hasOutstanding()) return;
    this.unanswered++;
    if (this.unanswered > this.options.giveUpAfterTries || now - this.lastAnsweredAt >= this.options.giveUpAfterMs) {
      this.giveUp(now);
      return;
    }
    if (this.slots.size > 0) {
      const rto = this.rtt.rto();
      let oldest: Slot | undefined;
      let sent = 0;
      for (const slot of this.slots.values()) {
        if (oldest === undefined || slot.lastSentAt < oldest.lastSentAt) oldest = slot;
        if (now - slot.lastSentAt < rto) continue;
        this.counters.add('retransmitted_timeout');
        this.transmit(slot, now, true);
        sent++;
      }
      if (sent === 0 && oldest !== undefined) {
        this.counters.add('retransmitted_timeout');
        this.transmit(oldest, now, true);
      }
    } else {
      this.counters.add('probes_sent');
      this.hooks.transmit(encodeProbe({ epoch: this.epoch, dstSession: this.dstSession, base: this.base() }));
    }
    this.backoff++;
    this.rtoAt = now + this.rtt.backedOffRto(this.backoff);
    this.hooks.changed('retransmission timer expired');
  }

  private giveUp(now: number): void {
    const waited = Math.round(now - this.lastAnsweredAt);
    const error = new TransportError('UNI_TRANS_001', `no answer after ${this.unanswered - 1} retransmissions over ${waited} ms`);
    const count = this.failAll(error);
    this.restart(this.dstSession);
    this.counters.add('give_ups');
    this.hooks.gaveUp(error, count);
  }

  private disarm(): void {
    this.rtoAt = Infinity;
    this.lossAt = Infinity;
    this.wake.clear();
  }
}

function inRanges(seq: number, ack: AckFrame): boolean {
  for (const r of ack.ranges) {
    if (seq < r.start) return false;
    if (seq < r.end) return true;
  }
  return false;
}
