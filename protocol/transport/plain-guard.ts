/**
 * TEST HELPER, never used in production: a PacketGuard without cryptography, so the transport can be
 * unit-tested before (and independently of) the real security layer. It keeps the real guard's
 * contract: sender key id and session in every datagram, a counter, optional replay filtering, and a
 * checksum so that corrupted datagrams are rejected (as a MAC would reject them), and `open` never
 * throws. It authenticates nothing: anyone can forge its datagrams.
 *
 * Layout: [version 1][kind 1=sealed 2=signed][sender 8][session 8][counter 8][receiver 8 or 0s]
 *         [checksum 4][frame…]
 */
import { createHash } from 'node:crypto';
import type { KeyId, OpenedFrame, PacketGuard, RejectedFrame, SessionId } from '../guard';

const VERSION = 1;
const KIND_SEALED = 1;
const KIND_SIGNED = 2;
const HEADER = 2 + 8 + 8 + 8 + 8 + 4;
const NOBODY = '0000000000000000';

export type PlainGuardOptions = {
  keyId: KeyId;
  sessionId?: SessionId;
  /** Drop datagrams whose (sender, session, counter) was already seen (as the real guard does). */
  replayFilter?: boolean;
};

let sessionCounter = 1n;

export class PlainGuard implements PacketGuard {
  readonly keyId: KeyId;
  readonly sessionId: SessionId;
  private counter = 0n;
  private readonly peers = new Set<KeyId>();
  private readonly seen = new Map<string, Set<bigint>>();
  private readonly replayFilter: boolean;

  constructor(options: PlainGuardOptions) {
    if (!/^[0-9a-f]{16}$/.test(options.keyId)) throw new RangeError(`key id must be 16 hex digits: ${options.keyId}`);
    this.keyId = options.keyId;
    this.sessionId = options.sessionId ?? sessionCounter++;
    this.replayFilter = options.replayFilter ?? true;
  }

  seal(peer: KeyId, frame: Uint8Array): Uint8Array {
    if (!this.peers.has(peer)) throw new Error(`plain guard: unknown peer ${peer}`);
    return this.wrap(KIND_SEALED, peer, frame);
  }

  sign(frame: Uint8Array): Uint8Array {
    return this.wrap(KIND_SIGNED, NOBODY, frame);
  }

  open(datagram: Uint8Array): OpenedFrame | RejectedFrame {
    if (datagram.length < HEADER) return { ok: false, reason: 'truncated' };
    if (datagram[0] !== VERSION) return { ok: false, reason: 'bad_version' };
    const kind = datagram[1];
    if (kind !== KIND_SEALED && kind !== KIND_SIGNED) return { ok: false, reason: 'bad_kind' };
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    if (view.getUint32(HEADER - 4) !== checksum(datagram.subarray(0, HEADER - 4), datagram.subarray(HEADER))) {
      return { ok: false, reason: 'bad_auth' };
    }
    const sender = hex(datagram.subarray(2, 10));
    const senderSession = view.getBigUint64(10);
    const counter = view.getBigUint64(18);
    if (kind === KIND_SEALED) {
      if (!this.peers.has(sender)) return { ok: false, reason: 'unknown_peer' };
      if (hex(datagram.subarray(26, 34)) !== this.keyId) return { ok: false, reason: 'bad_auth', detail: 'not for us' };
    }
    if (this.replayFilter) {
      const key = `${sender}/${senderSession}`;
      let seen = this.seen.get(key);
      if (seen === undefined) this.seen.set(key, (seen = new Set()));
      if (seen.has(counter)) return { ok: false, reason: 'replay' };
      seen.add(counter);
    }
    const opened: OpenedFrame = {
      ok: true,
      sender,
      senderSession,
      counter,
      kind: kind === KIND_SEALED ? 'sealed' : 'signed',
      frame: datagram.subarray(HEADER),
    };
    if (kind === KIND_SIGNED) opened.signerKeys = { ed25519: new Uint8Array(32), x25519: new Uint8Array(32) };
    return opened;
  }

  learnPeer(peer: KeyId): void {
    this.peers.add(peer);
  }

  forgetPeer(peer: KeyId): void {
    this.peers.delete(peer);
  }

  knowsPeer(peer: KeyId): boolean {
    return this.peers.has(peer);
  }

  private wrap(kind: number, receiver: KeyId, frame: Uint8Array): Uint8Array {
    const out = new Uint8Array(HEADER + frame.length);
    const view = new DataView(out.buffer);
    out[0] = VERSION;
    out[1] = kind;
    out.set(Buffer.from(this.keyId, 'hex'), 2);
    view.setBigUint64(10, this.sessionId);
    view.setBigUint64(18, this.counter++);
    out.set(Buffer.from(receiver, 'hex'), 26);
    out.set(frame, HEADER);
    view.setUint32(HEADER - 4, checksum(out.subarray(0, HEADER - 4), frame));
    return out;
  }
}

function checksum(header: Uint8Array, body: Uint8Array): number {
  const digest = createHash('sha1').update(header).update(body).digest();
  return digest.readUInt32BE(0);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Two guards that know each other, for tests. */
export function plainGuardPair(options: { replayFilter?: boolean } = {}): [PlainGuard, PlainGuard] {
  const a = new PlainGuard({ keyId: 'aaaaaaaaaaaaaaaa', ...options });
  const b = new PlainGuard({ keyId: 'bbbbbbbbbbbbbbbb', ...options });
  a.learnPeer(b.keyId);
  b.learnPeer(a.keyId);
  return [a, b];
}
