/**
 * Byte layout of a guarded datagram (all integers big-endian):
 *
 * SEALED (authenticated encryption with the pair key of sender and receiver):
 *   0      version u8            = 1
 *   1      kind u8               = 1 (SEALED)
 *   2..10  sender key id (8)     ┐
 *   10..18 sender session u64    ├ these 24 bytes ARE the XSalsa20 nonce
 *   18..26 counter u64           ┘
 *   26..   box = XSalsa20-Poly1305( [version][kind] ‖ frame )   (16-byte tag + 2 + frame)
 *
 *   The nonce is never reused under one pair key: the sender's session and counter are unique per
 *   sender, and the sender's key id separates the two directions that share the pair key. Version and
 *   kind are repeated inside the box so that the whole header is authenticated (the rest of it is the
 *   nonce, which authentication already covers).
 *
 * SIGNED (Ed25519; anyone can check it, nothing is secret):
 *   0      version u8            = 1
 *   1      kind u8               = 2 (SIGNED)
 *   2..34  signer Ed25519 public key
 *   34..66 signer X25519 public key
 *   66..74 signer session u64
 *   74..82 counter u64
 *   82..n-64 frame
 *   n-64.. signature over bytes 0..n-64
 */
export const PROTOCOL_VERSION = 1;
export const KIND_SEALED = 1;
export const KIND_SIGNED = 2;

export const SEALED_HEADER_BYTES = 26;
export const SEALED_INNER_PREFIX_BYTES = 2;
export const BOX_TAG_BYTES = 16;
/** Bytes a SEALED datagram adds to its frame. */
export const SEALED_OVERHEAD = SEALED_HEADER_BYTES + BOX_TAG_BYTES + SEALED_INNER_PREFIX_BYTES;

export const SIGNED_HEADER_BYTES = 82;
export const SIGNED_SIGNATURE_BYTES = 64;
/** Bytes a SIGNED datagram adds to its frame. */
export const SIGNED_OVERHEAD = SIGNED_HEADER_BYTES + SIGNED_SIGNATURE_BYTES;

/** The largest UDP payload over IPv4; the default cap on what the guard accepts or produces. */
export const MAX_UDP_PAYLOAD = 65_507;

export const SEALED_OFFSETS = { keyId: 2, session: 10, counter: 18, nonce: 2, box: 26 } as const;
export const SIGNED_OFFSETS = { ed25519: 2, x25519: 34, session: 66, counter: 74, frame: 82 } as const;

export function writeU64(target: Uint8Array, offset: number, value: bigint): void {
  new DataView(target.buffer, target.byteOffset, target.byteLength).setBigUint64(offset, value);
}

export function readU64(source: Uint8Array, offset: number): bigint {
  return new DataView(source.buffer, source.byteOffset, source.byteLength).getBigUint64(offset);
}

export function keyIdToBytes(keyId: string): Uint8Array {
  return new Uint8Array(Buffer.from(keyId, 'hex'));
}

export function keyIdFromBytes(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 8).toString('hex');
}
