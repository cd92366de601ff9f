/**
 * A real UDP socket behind the transport's DatagramSocket interface. Send errors (no route, buffer
 * full) are reported through onError and otherwise treated as loss, as UDP allows; bind errors reject
 * with a coded error naming the address and the cause.
 */
import dgram from 'node:dgram';
import type { DatagramSocket, SocketAddress } from '../transport/datagram-socket';
import { formatAddress } from '../transport/datagram-socket';
import { TransportError } from '../transport/transport-errors';

export type UdpSocketOptions = {
  /** Address to bind (default 0.0.0.0, or :: for udp6). */
  host?: string;
  /** Port to bind (default 0: any free port). */
  port?: number;
  type?: 'udp4' | 'udp6';
  reuseAddr?: boolean;
  /** Kernel buffer sizes; bursts of a full window must not overflow the receive buffer. */
  recvBufferBytes?: number;
  sendBufferBytes?: number;
};

export const DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpSocket implements DatagramSocket {
  private handler: ((bytes: Uint8Array, from: SocketAddress) => void) | undefined;
  private errorHandler: ((error: Error) => void) | undefined;
  private closed = false;

  constructor(readonly raw: dgram.Socket) {
    raw.on('message', (msg, rinfo) => this.handler?.(msg, { host: rinfo.address, port: rinfo.port }));
    raw.on('error', (err) => this.errorHandler?.(err));
  }

  send(bytes: Uint8Array, to: SocketAddress): void {
    if (this.closed) return;
    try {
      // Without a callback, asynchronous send errors arrive as 'error' events (handled above).
      this.raw.send(bytes, to.port, to.host);
    } catch (err) {
      this.errorHandler?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  onDatagram(handler: (bytes: Uint8Array, from: SocketAddress) => void): void {
    this.handler = handler;
  }

  onError(handler: (error: Error) => void): void {
    this.errorHandler = handler;
  }

  localAddress(): SocketAddress {
    const a = this.raw.address();
    return { host: a.address, port: a.port };
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.raw.close(() => resolve()));
  }
}

/** Binds a UDP socket; rejects with UNI_TRANS_007 (and the system error as cause) if it cannot. */
export function openUdpSocket(options: UdpSocketOptions = {}): Promise<UdpSocket> {
  const type = options.type ?? 'udp4';
  const host = options.host ?? (type === 'udp6' ? '::' : '0.0.0.0');
  const port = options.port ?? 0;
  const raw = dgram.createSocket({ type, reuseAddr: options.reuseAddr ?? false });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      raw.close();
      reject(new TransportError('UNI_TRANS_007', `${formatAddress({ host, port })}: ${err.message}`, { cause: err }));
    };
    raw.once('error', onError);
    raw.bind(port, host, () => {
      raw.off('error', onError);
      tuneBuffers(raw, options);
      resolve(new UdpSocket(raw));
    });
  });
}

function tuneBuffers(raw: dgram.Socket, options: UdpSocketOptions): void {
  // Best effort: the kernel caps these (net.core.rmem_max); a smaller buffer only means more loss.
  try {
    raw.setRecvBufferSize(options.recvBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES);
  } catch {
    /* capped by the kernel */
  }
  try {
    raw.setSendBufferSize(options.sendBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES);
  } catch {
    /* capped by the kernel */
  }
}
