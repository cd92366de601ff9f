/**
 * A model of the original project's reliable transport, for an honest comparison in the protocol
 * benchmark: a window of 2 datagrams, cumulative acknowledgements, and only the head-of-line datagram
 * retransmitted, on a fixed 2 s timer (re-armed whenever the head changes or is retransmitted). No
 * fragmentation (every message is one datagram) and no cryptography. The receiver keeps one
 * out-of-order datagram (the window is 2). It runs on the same in-memory network model, with the same
 * delay and loss, as the simulation of our transport it is compared with.
 */
import type { FakeClock } from '../protocol/transport/fake-clock';
import type { MemorySocket } from '../protocol/transport/memory-network';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import type { TimerHandle } from '../protocol/transport/clock';

const DATA = 1;
const ACK = 2;
export const LEGACY_WINDOW = 2;
export const LEGACY_RETRANSMIT_MS = 2000;

function frame(type: number, seq: number, body?: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + (body?.length ?? 0));
  out[0] = type;
  new DataView(out.buffer).setUint32(1, seq);
  if (body !== undefined) out.set(body, 5);
  return out;
}

export class LegacySender {
  private nextSeq = 0;
  private head = 0;
  private timer: TimerHandle | undefined;
  acknowledged = 0;
  retransmissions = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly socket: MemorySocket,
    private readonly peer: SocketAddress,
    private readonly messages: Uint8Array[],
  ) {
    socket.onDatagram((bytes) => {
      if (bytes[0] !== ACK || bytes.length < 5) return;
      const cumulative = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
      if (cumulative <= this.head) return;
      this.acknowledged += cumulative - this.head;
      this.head = cumulative;
      this.armForHead();
      this.pump();
    });
  }

  start(): void {
    this.pump();
  }

  private pump(): void {
    while (this.nextSeq < this.messages.length && this.nextSeq < this.head + LEGACY_WINDOW) {
      this.socket.send(frame(DATA, this.nextSeq, this.messages[this.nextSeq]), this.peer);
      this.nextSeq++;
      if (this.timer === undefined) this.armForHead();
    }
  }

  private armForHead(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (this.head >= this.messages.length) return;
    this.timer = this.clock.setTimer(LEGACY_RETRANSMIT_MS, () => {
      this.timer = undefined;
      this.retransmissions++;
      this.socket.send(frame(DATA, this.head, this.messages[this.head]), this.peer);
      this.armForHead();
    });
  }
}

export class LegacyReceiver {
  private expected = 0;
  private held: { seq: number; body: Uint8Array } | undefined;
  readonly delivered: Uint8Array[] = [];

  constructor(socket: MemorySocket) {
    socket.onDatagram((bytes, from) => {
      if (bytes[0] !== DATA || bytes.length < 5) return;
      const seq = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
      const body = bytes.subarray(5);
      if (seq === this.expected) {
        this.delivered.push(body);
        this.expected++;
        if (this.held?.seq === this.expected) {
          this.delivered.push(this.held.body);
          this.expected++;
        }
        this.held = undefined;
      } else if (seq === this.expected + 1) {
        this.held = { seq, body };
      }
      socket.send(frame(ACK, this.expected), from);
    });
  }
}
