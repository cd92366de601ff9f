/**
 * The receiving half of a connection: one epoch of one peer session's stream.
 *
 * Datagrams are taken in sequence order (out-of-order ones wait in a bounded buffer), fragments are
 * joined into messages with hard caps (fragment count, message size, inflated size), and complete
 * messages are handed to the application in order. Each delivered message stays "uncommitted" until
 * the application acknowledges it; ACK frames report both what arrived (so the sender stops
 * retransmitting) and what was committed (so the sender may forget it). While the application is
 * behind (too many uncommitted messages, or too many bytes held), later messages wait here and the
 * advertised window closes, so memory stays bounded and a crash loses only what the sender still has.
 */
import { inflateCapped } from './compression';
import { Fifo } from './fifo';
import { MAX_SACK_RANGES, type AckFrame, type DataFrame, type SackRange } from './frame';
import type { TransportOptions } from './options';
import type { TransportCounters } from './transport-counters';

type Assembly = {
  msgId: number;
  fragCount: number;
  compressed: boolean;
  next: number;
  parts: Uint8Array[];
  bytes: number;
  /** Over a cap: the remaining fragments are consumed and thrown away. */
  discard: boolean;
};

/** A complete message waiting for delivery; `bytes` undefined means it was refused (counted). */
type Completed = { msgId: number; bytes: Uint8Array | undefined };

/** What the connection should do after a DATA frame: acknowledge now, soon (coalesced), or reset. */
export type DataVerdict = 'ack_now' | 'ack_soon' | 'reset';

export type ReceiveStreamStats = {
  epoch: number;
  expected: number;
  buffered: number;
  pending: number;
  uncommitted: number;
  heldBytes: number;
  dead: boolean;
};

export class ReceiveStream {
  /** State was dropped (reassembly timeout, protocol violation): answer this epoch with RESET. */
  dead = false;
  private expected = 0;
  private readonly buffered = new Map<number, DataFrame>();
  private assembling: Assembly | undefined;
  private nextMsgId = 0;
  private readonly pending = new Fifo<Completed>();
  private heldBytes = 0;
  private nextDeliverId = 0;
  private committedBelow = 0;
  private readonly committedAbove = new Set<number>();
  private delivering = false;
  private lastProgressAt: number;

  constructor(
    readonly epoch: number,
    private readonly options: TransportOptions,
    private readonly counters: TransportCounters,
    private readonly deliver: (msgId: number, bytes: Uint8Array) => void,
    now: number,
  ) {
    this.lastProgressAt = now;
  }

  onData(frame: DataFrame, now: number): DataVerdict {
    if (this.dead) return 'reset';
    const { seq } = frame;
    if (seq < this.expected || this.buffered.has(seq)) {
      // Our ACK was probably lost: answer at once so the sender stops retransmitting.
      this.counters.add('duplicates_suppressed');
      return 'ack_now';
    }
    if (seq >= this.expected + this.options.maxBufferedFragments) {
      this.counters.add('dropped_beyond_window');
      return 'ack_now';
    }
    if (seq > this.expected) {
      this.buffered.set(seq, frame);
      return frame.needsAck ? 'ack_now' : 'ack_soon';
    }
    if (!this.consume(frame)) return this.die();
    this.expected++;
    for (let next = this.buffered.get(this.expected); next !== undefined; next = this.buffered.get(this.expected)) {
      this.buffered.delete(this.expected);
      if (!this.consume(next)) return this.die();
      this.expected++;
    }
    this.lastProgressAt = now;
    this.deliverReady();
    return frame.needsAck ? 'ack_now' : 'ack_soon';
  }

  /** The application committed message `msgId`. Returns false if it was not pending (repeat call). */
  commit(msgId: number): boolean {
    if (this.dead || msgId < this.committedBelow || msgId >= this.nextDeliverId || this.committedAbove.has(msgId)) {
      return false;
    }
    if (msgId === this.committedBelow) {
      this.committedBelow++;
      while (this.committedAbove.delete(this.committedBelow)) this.committedBelow++;
    } else {
      this.committedAbove.add(msgId);
    }
    this.deliverReady();
    return true;
  }

  ackFields(): Omit<AckFrame, 'type'> {
    return {
      epoch: this.epoch,
      reset: false,
      cumAck: this.expected,
      committed: this.committedBelow,
      window: this.window(),
      ranges: this.sackRanges(),
    };
  }

  /** True while a hole has stopped progress for longer than the reassembly timeout. */
  stalled(now: number): boolean {
    return this.hasPartialData() && now - this.lastProgressAt >= this.options.reassemblyTimeoutMs;
  }

  hasPartialData(): boolean {
    return this.buffered.size > 0 || this.assembling !== undefined;
  }

  /** Drops every buffered fragment and waiting message; later frames of this epoch get RESET. */
  die(): 'reset' {
    this.dead = true;
    this.buffered.clear();
    this.assembling = undefined;
    this.pending.drain();
    this.heldBytes = 0;
    return 'reset';
  }

  /** Nothing buffered, waiting or uncommitted: the stream can be forgotten without loss. */
  idle(): boolean {
    return !this.hasPartialData() && this.pending.length === 0 && this.uncommittedCount() === 0;
  }

  stats(): ReceiveStreamStats {
    return {
      epoch: this.epoch,
      expected: this.expected,
      buffered: this.buffered.size,
      pending: this.pending.length,
      uncommitted: this.uncommittedCount(),
      heldBytes: this.heldBytes,
      dead: this.dead,
    };
  }

  private uncommittedCount(): number {
    return this.nextDeliverId - this.committedBelow - this.committedAbove.size;
  }

  private window(): number {
    const full = this.heldBytes >= this.options.maxHeldBytes || this.pending.length >= this.options.maxUncommittedMessages;
    return full ? 0 : Math.min(this.options.windowDatagrams, 0xffff);
  }

  private sackRanges(): SackRange[] {
    if (this.buffered.size === 0) return [];
    const seqs = [...this.buffered.keys()].sort((a, b) => a - b);
    const ranges: SackRange[] = [];
    let start = seqs[0] ?? 0;
    let end = start + 1;
    for (let i = 1; i < seqs.length && ranges.length < MAX_SACK_RANGES; i++) {
      const s = seqs[i] ?? 0;
      if (s === end) {
        end++;
        continue;
      }
      ranges.push({ start, end });
      start = s;
      end = s + 1;
    }
    if (ranges.length < MAX_SACK_RANGES) ranges.push({ start, end });
    return ranges;
  }

  /** Takes the next in-order datagram. False means the sender broke the protocol. */
  private consume(frame: DataFrame): boolean {
    let a = this.assembling;
    if (a === undefined) {
      if (frame.fragIndex !== 0 || frame.msgId !== this.nextMsgId) {
        this.counters.add('dropped_malformed');
        return false;
      }
      const tooMany = frame.fragCount > this.options.maxFragmentsPerMessage;
      if (tooMany) this.counters.add('dropped_too_many_fragments');
      a = { msgId: frame.msgId, fragCount: frame.fragCount, compressed: frame.compressed, next: 0, parts: [], bytes: 0, discard: tooMany };
      this.assembling = a;
    } else if (
      frame.msgId !== a.msgId ||
      frame.fragIndex !== a.next ||
      frame.fragCount !== a.fragCount ||
      frame.compressed !== a.compressed
    ) {
      this.counters.add('dropped_malformed');
      return false;
    }
    a.next++;
    if (!a.discard) {
      a.bytes += frame.payload.length;
      if (a.bytes > this.options.maxMessageBytes) {
        a.discard = true;
        a.parts = [];
        this.counters.add('dropped_oversize');
      } else {
        a.parts.push(frame.payload);
      }
    }
    if (a.next === a.fragCount) {
      this.assembling = undefined;
      this.nextMsgId++;
      this.complete(a);
    }
    return true;
  }

  private complete(a: Assembly): void {
    if (a.discard) {
      this.pending.push({ msgId: a.msgId, bytes: undefined });
      return;
    }
    let bytes = a.parts.length === 1 && a.parts[0] !== undefined ? a.parts[0] : concat(a.parts, a.bytes);
    if (a.compressed) {
      const inflated = inflateCapped(bytes, this.options.maxMessageBytes);
      if (!inflated.ok) {
        this.counters.add(inflated.reason === 'oversize' ? 'dropped_oversize' : 'dropped_decompress_failed');
        this.pending.push({ msgId: a.msgId, bytes: undefined });
        return;
      }
      bytes = inflated.bytes;
    }
    this.pending.push({ msgId: a.msgId, bytes });
    this.heldBytes += bytes.length;
  }

  private deliverReady(): void {
    // The application may acknowledge from inside its handler, which calls back in here.
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.pending.length > 0 && this.uncommittedCount() < this.options.maxUncommittedMessages) {
        const next = this.pending.shift();
        if (next === undefined) break;
        this.nextDeliverId = next.msgId + 1;
        if (next.bytes === undefined) {
          // Refused messages still occupy their id; committing them keeps the stream moving.
          this.commit(next.msgId);
          continue;
        }
        this.heldBytes -= next.bytes.length;
        this.deliver(next.msgId, next.bytes);
        if (this.dead) return;
      }
    } finally {
      this.delivering = false;
    }
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
