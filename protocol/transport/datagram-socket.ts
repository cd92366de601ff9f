/**
 * The one socket interface the endpoint uses, implemented by a real UDP socket (protocol/net/) and
 * by the in-memory network (for deterministic tests). Sending never throws: a datagram socket may
 * always lose a datagram, so a local send error is just another loss (reported through onError).
 */

export type SocketAddress = { host: string; port: number };

export function formatAddress(a: SocketAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export interface DatagramSocket {
  send(bytes: Uint8Array, to: SocketAddress): void;
  /** Registers the (single) receiver of incoming datagrams. */
  onDatagram(handler: (bytes: Uint8Array, from: SocketAddress) => void): void;
  /** Local send/receive errors, which the endpoint counts (optional to implement). */
  onError?(handler: (error: Error) => void): void;
  localAddress(): SocketAddress;
  close(): Promise<void>;
}
