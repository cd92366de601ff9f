/**
 * Sees sealed datagrams from senders whose keys we do not hold, before the endpoint drops them.
 *
 * The packet guard can only open a sealed datagram from a peer whose keys it knows, so a heartbeat
 * from a host that is not (or no longer) our partner is dropped as `unknown_peer` deep inside the
 * transport. For the CMA those are exactly the interesting ones (a ring that is wrong somewhere), so
 * this wrapper around the socket reads the claimed sender key id from the clear-text header, tells
 * the daemon, and passes every datagram on unchanged. What it reports is a claim, not a proof: the
 * report says so (UNEXPECTED_HEARTBEAT.claimedSender), and the receiver rate-limits it.
 */
import type { DatagramSocket, SocketAddress } from '../protocol/transport/datagram-socket';
import { KIND_SEALED, keyIdFromBytes, PROTOCOL_VERSION, SEALED_OFFSETS, SEALED_OVERHEAD } from '../protocol/security/packet-format';

export type UnknownSealedSender = (claimedKeyId: string, from: SocketAddress) => void;

export class UnknownSenderTap implements DatagramSocket {
  constructor(
    private readonly inner: DatagramSocket,
    private readonly isKnown: (keyId: string) => boolean,
    private readonly onUnknown: UnknownSealedSender,
  ) {}

  send(bytes: Uint8Array, to: SocketAddress): void {
    this.inner.send(bytes, to);
  }

  onDatagram(handler: (bytes: Uint8Array, from: SocketAddress) => void): void {
    this.inner.onDatagram((bytes, from) => {
      if (bytes.byteLength >= SEALED_OVERHEAD && bytes[0] === PROTOCOL_VERSION && bytes[1] === KIND_SEALED) {
        const claimed = keyIdFromBytes(bytes, SEALED_OFFSETS.keyId);
        if (!this.isKnown(claimed)) {
          try {
            this.onUnknown(claimed, from);
          } catch {
            // Bookkeeping must never cost us the datagram or the receive loop.
          }
        }
      }
      handler(bytes, from);
    });
  }

  onError(handler: (error: Error) => void): void {
    this.inner.onError?.(handler);
  }

  localAddress(): SocketAddress {
    return this.inner.localAddress();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
