/**
 * The security layer every datagram passes through (see protocol/guard.ts for the seam and
 * packet-format.ts for the bytes). SEALED for everything between peers that know each other's keys,
 * SIGNED where an identity must be proven first. `open` never throws: every refusal is a result with a
 * reason, and is counted.
 */
import type { KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { CounterSet, dropCounterNames, GUARD_DROP_REASONS } from '../counters';
import { UnimatrixError } from '../errors';
import type { GuardDropReason, KeyId, OpenedFrame, PacketGuard, RejectedFrame, SessionId } from '../guard';
import type { Identity, PublicKeys } from './identity';
import { derivePairKey, ed25519PublicKeyObject, KEY_BYTES, keyIdOf, samePublicKeys, signBytes, verifyBytes } from './identity';
import {
  KIND_SEALED,
  KIND_SIGNED,
  keyIdFromBytes,
  keyIdToBytes,
  MAX_UDP_PAYLOAD,
  PROTOCOL_VERSION,
  readU64,
  SEALED_HEADER_BYTES,
  SEALED_OFFSETS,
  SEALED_OVERHEAD,
  SIGNED_HEADER_BYTES,
  SIGNED_OFFSETS,
  SIGNED_OVERHEAD,
  SIGNED_SIGNATURE_BYTES,
  writeU64,
} from './packet-format';
import type { ReplayTrackerOptions } from './replay-tracker';
import { ReplayTracker } from './replay-tracker';
import type { LocalSession } from './session';
import { processSession } from './session';

export const GUARD_COUNTER_NAMES = [
  'received',
  'opened_sealed',
  'opened_signed',
  'sealed',
  'signed',
  'peer_restarts',
  ...dropCounterNames(GUARD_DROP_REASONS),
] as const;
export type GuardCounterName = (typeof GUARD_COUNTER_NAMES)[number];

export type PacketGuardOptions = {
  identity: Identity;
  /** Defaults to this process's session, shared by every guard in the process. */
  session?: LocalSession;
  /** Largest datagram accepted or produced (default: the largest IPv4 UDP payload). */
  maxDatagramBytes?: number;
  replay?: ReplayTrackerOptions;
  /** How many signers' parsed public keys to cache (verification would otherwise re-import each time). */
  verifyKeyCacheSize?: number;
};

type Peer = { keys: PublicKeys; pairKey: Uint8Array };

export class SecurePacketGuard implements PacketGuard {
  readonly keyId: KeyId;
  readonly sessionId: SessionId;
  readonly counters = new CounterSet<GuardCounterName>(GUARD_COUNTER_NAMES);

  private readonly identity: Identity;
  private readonly session: LocalSession;
  private readonly keyIdBytes: Uint8Array;
  private readonly maxDatagramBytes: number;
  private readonly peers = new Map<KeyId, Peer>();
  private readonly replay: ReplayTracker;
  private readonly verifyKeys = new Map<string, KeyObject>();
  private readonly verifyKeyCacheSize: number;

  constructor(options: PacketGuardOptions) {
    this.identity = options.identity;
    this.session = options.session ?? processSession();
    this.keyId = this.identity.keyId;
    this.sessionId = this.session.id;
    this.keyIdBytes = keyIdToBytes(this.keyId);
    this.maxDatagramBytes = options.maxDatagramBytes ?? MAX_UDP_PAYLOAD;
    if (!Number.isInteger(this.maxDatagramBytes) || this.maxDatagramBytes < SIGNED_OVERHEAD) {
      throw new RangeError(`maxDatagramBytes must be an integer >= ${SIGNED_OVERHEAD}`);
    }
    this.replay = new ReplayTracker(options.replay);
    this.verifyKeyCacheSize = options.verifyKeyCacheSize ?? 4096;
  }

  seal(peer: KeyId, frame: Uint8Array): Uint8Array {
    const known = this.peers.get(peer);
    if (known === undefined) throw new UnimatrixError('UNI_SEC_001', `cannot seal for ${peer}`);
    this.assertFits(frame, SEALED_OVERHEAD);
    const datagram = new Uint8Array(SEALED_OVERHEAD + frame.byteLength);
    datagram[0] = PROTOCOL_VERSION;
    datagram[1] = KIND_SEALED;
    datagram.set(this.keyIdBytes, SEALED_OFFSETS.keyId);
    writeU64(datagram, SEALED_OFFSETS.session, this.session.id);
    writeU64(datagram, SEALED_OFFSETS.counter, this.session.nextCounter());
    const inner = new Uint8Array(2 + frame.byteLength);
    inner[0] = PROTOCOL_VERSION;
    inner[1] = KIND_SEALED;
    inner.set(frame, 2);
    const nonce = datagram.subarray(SEALED_OFFSETS.nonce, SEALED_HEADER_BYTES);
    datagram.set(nacl.box.after(inner, nonce, known.pairKey), SEALED_HEADER_BYTES);
    this.counters.add('sealed');
    return datagram;
  }

  sign(frame: Uint8Array): Uint8Array {
    this.assertFits(frame, SIGNED_OVERHEAD);
    const datagram = new Uint8Array(SIGNED_OVERHEAD + frame.byteLength);
    datagram[0] = PROTOCOL_VERSION;
    datagram[1] = KIND_SIGNED;
    datagram.set(this.identity.publicKeys.ed25519, SIGNED_OFFSETS.ed25519);
    datagram.set(this.identity.publicKeys.x25519, SIGNED_OFFSETS.x25519);
    writeU64(datagram, SIGNED_OFFSETS.session, this.session.id);
    writeU64(datagram, SIGNED_OFFSETS.counter, this.session.nextCounter());
    datagram.set(frame, SIGNED_HEADER_BYTES);
    const signedPart = datagram.subarray(0, SIGNED_HEADER_BYTES + frame.byteLength);
    datagram.set(signBytes(this.identity, signedPart), signedPart.byteLength);
    this.counters.add('signed');
    return datagram;
  }

  open(datagram: Uint8Array): OpenedFrame | RejectedFrame {
    this.counters.add('received');
    let result: OpenedFrame | RejectedFrame;
    try {
      result = this.openUnchecked(datagram);
    } catch (err) {
      // Not expected; the receive loop must survive it anyway, and it must show up in the counters.
      result = { ok: false, reason: 'bad_auth', detail: `internal error: ${String(err).slice(0, 200)}` };
    }
    if (!result.ok) this.counters.add(`dropped_${result.reason}`);
    return result;
  }

  learnPeer(peer: KeyId, keys: { ed25519: Uint8Array; x25519: Uint8Array }): void {
    if (!(keys.ed25519 instanceof Uint8Array) || keys.ed25519.byteLength !== KEY_BYTES) {
      throw new UnimatrixError('UNI_SEC_011', `${peer}: Ed25519 key must be 32 bytes`);
    }
    if (keyIdOf(keys.ed25519) !== peer) throw new UnimatrixError('UNI_SEC_011', `${peer} is not the key id of the given Ed25519 key`);
    const existing = this.peers.get(peer);
    if (existing !== undefined && samePublicKeys(existing.keys, keys)) return; // skip the key agreement
    const pairKey = derivePairKey(this.identity, keys.x25519);
    this.peers.set(peer, { keys: { ed25519: new Uint8Array(keys.ed25519), x25519: new Uint8Array(keys.x25519) }, pairKey });
  }

  forgetPeer(peer: KeyId): void {
    const existing = this.peers.get(peer);
    existing?.pairKey.fill(0);
    this.peers.delete(peer);
    // Replay state is kept: if the peer is learned again, its old packets must stay refused.
  }

  knowsPeer(peer: KeyId): boolean {
    return this.peers.has(peer);
  }

  /** The keys learned for a peer (copies), e.g. to compare with what a SIGNED frame proved. */
  peerKeys(peer: KeyId): PublicKeys | undefined {
    const known = this.peers.get(peer);
    return known === undefined ? undefined : { ed25519: new Uint8Array(known.keys.ed25519), x25519: new Uint8Array(known.keys.x25519) };
  }

  private assertFits(frame: Uint8Array, overhead: number): void {
    if (frame.byteLength + overhead > this.maxDatagramBytes) {
      throw new UnimatrixError('UNI_SEC_010', `${frame.byteLength} + ${overhead} bytes > ${this.maxDatagramBytes}`);
    }
  }

  private openUnchecked(datagram: Uint8Array): OpenedFrame | RejectedFrame {
    if (!(datagram instanceof Uint8Array)) return reject('truncated', 'not bytes');
    if (datagram.byteLength > this.maxDatagramBytes) return reject('oversize', `${datagram.byteLength} bytes`);
    if (datagram.byteLength < 2) return reject('truncated', `${datagram.byteLength} bytes`);
    if (datagram[0] !== PROTOCOL_VERSION) return reject('bad_version', `version ${datagram[0] ?? '?'}`);
    if (datagram[1] === KIND_SEALED) return this.openSealed(datagram);
    if (datagram[1] === KIND_SIGNED) return this.openSigned(datagram);
    return reject('bad_kind', `kind ${datagram[1] ?? '?'}`);
  }

  private openSealed(datagram: Uint8Array): OpenedFrame | RejectedFrame {
    if (datagram.byteLength < SEALED_OVERHEAD) return reject('truncated', `${datagram.byteLength} bytes`);
    const sender = keyIdFromBytes(datagram, SEALED_OFFSETS.keyId);
    const peer = this.peers.get(sender);
    if (peer === undefined) return reject('unknown_peer', sender);
    const session = readU64(datagram, SEALED_OFFSETS.session);
    const counter = readU64(datagram, SEALED_OFFSETS.counter);
    const before = this.replay.check(sender, session, counter);
    if (before === 'replay' || before === 'stale_session') return reject(before, sender);

    const nonce = datagram.subarray(SEALED_OFFSETS.nonce, SEALED_HEADER_BYTES);
    const inner = nacl.box.open.after(datagram.subarray(SEALED_HEADER_BYTES), nonce, peer.pairKey);
    if (inner === null) return reject('bad_auth', sender);
    if (inner[0] !== PROTOCOL_VERSION || inner[1] !== KIND_SEALED) return reject('bad_auth', `${sender}: header mismatch`);

    if (this.replay.commit(sender, session, counter) === 'new_session') this.counters.add('peer_restarts');
    this.counters.add('opened_sealed');
    return { ok: true, sender, senderSession: session, counter, kind: 'sealed', frame: inner.subarray(2) };
  }

  private openSigned(datagram: Uint8Array): OpenedFrame | RejectedFrame {
    if (datagram.byteLength < SIGNED_OVERHEAD) return reject('truncated', `${datagram.byteLength} bytes`);
    const ed25519 = datagram.slice(SIGNED_OFFSETS.ed25519, SIGNED_OFFSETS.x25519);
    const sender = keyIdOf(ed25519);
    const session = readU64(datagram, SIGNED_OFFSETS.session);
    const counter = readU64(datagram, SIGNED_OFFSETS.counter);
    const before = this.replay.check(sender, session, counter);
    if (before === 'replay' || before === 'stale_session') return reject(before, sender);

    const signedEnd = datagram.byteLength - SIGNED_SIGNATURE_BYTES;
    const key = this.verifyKeyFor(ed25519);
    if (key === undefined || !verifyBytes(key, datagram.subarray(0, signedEnd), datagram.subarray(signedEnd))) {
      return reject('bad_auth', sender);
    }

    if (this.replay.commit(sender, session, counter) === 'new_session') this.counters.add('peer_restarts');
    this.counters.add('opened_signed');
    return {
      ok: true,
      sender,
      senderSession: session,
      counter,
      kind: 'signed',
      signerKeys: { ed25519, x25519: datagram.slice(SIGNED_OFFSETS.x25519, SIGNED_OFFSETS.session) },
      frame: datagram.slice(SIGNED_HEADER_BYTES, signedEnd),
    };
  }

  /** Caches parsed keys by the full public key (a key id is only 64 bits; the cache must not trust it). */
  private verifyKeyFor(ed25519: Uint8Array): KeyObject | undefined {
    const cacheKey = Buffer.from(ed25519).toString('hex');
    const cached = this.verifyKeys.get(cacheKey);
    if (cached !== undefined) return cached;
    let key: KeyObject;
    try {
      key = ed25519PublicKeyObject(ed25519);
    } catch {
      return undefined;
    }
    if (this.verifyKeys.size >= this.verifyKeyCacheSize) {
      const oldest = this.verifyKeys.keys().next();
      if (oldest.done !== true) this.verifyKeys.delete(oldest.value);
    }
    this.verifyKeys.set(cacheKey, key);
    return key;
  }
}

function reject(reason: GuardDropReason, detail?: string): RejectedFrame {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}
