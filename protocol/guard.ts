/**
 * The seam between the reliable transport (protocol/transport/) and the security layer
 * (protocol/security/). The transport hands a guard each frame it wants on the wire and each datagram
 * that arrived; the guard does versioning, authentication, encryption and replay protection, and knows
 * nothing about sequence numbers, windows or fragments.
 *
 * Wire layout, every datagram: [version u8][packet kind u8][header…][body…]. Two kinds:
 *  - SEALED: authenticated encryption (XSalsa20-Poly1305, precomputed X25519 pair key) for all traffic
 *    between peers that know each other's keys, heartbeats included.
 *  - SIGNED: Ed25519 signature, for frames that must prove an identity before any key is shared
 *    (announce, key exchange). The signer's public keys travel in the header.
 */

/** A peer's identity on the wire: 8 bytes derived from its Ed25519 public key, as 16 hex digits. */
export type KeyId = string;

/** A random 64-bit number chosen at every process start; a new one means the peer restarted. */
export type SessionId = bigint;

export type GuardDropReason =
  | 'bad_version'
  | 'bad_kind'
  | 'truncated'
  | 'bad_auth'
  | 'unknown_peer'
  | 'replay'
  | 'stale_session'
  | 'oversize';

export type OpenedFrame = {
  ok: true;
  /** Who sent it (for SIGNED frames, derived from the verified public key in the header). */
  sender: KeyId;
  senderSession: SessionId;
  counter: bigint;
  kind: 'sealed' | 'signed';
  /** Present for SIGNED frames: the keys the signer proved it holds. */
  signerKeys?: { ed25519: Uint8Array; x25519: Uint8Array };
  frame: Uint8Array;
};

export type RejectedFrame = { ok: false; reason: GuardDropReason; detail?: string };

export interface PacketGuard {
  /** This process's identity and session, as peers see them. */
  readonly keyId: KeyId;
  readonly sessionId: SessionId;
  /** Encrypts and authenticates a frame for a peer whose X25519 key is known (see learnPeer). */
  seal(peer: KeyId, frame: Uint8Array): Uint8Array;
  /** Signs a frame so that anyone can check who sent it (announce, key exchange). */
  sign(frame: Uint8Array): Uint8Array;
  /** Checks, decrypts and replay-filters a datagram. Never throws on bad input. */
  open(datagram: Uint8Array): OpenedFrame | RejectedFrame;
  /** Records a peer's public keys (handed out by the CMA, or proven by a SIGNED frame). */
  learnPeer(peer: KeyId, keys: { ed25519: Uint8Array; x25519: Uint8Array }): void;
  forgetPeer(peer: KeyId): void;
  knowsPeer(peer: KeyId): boolean;
}
