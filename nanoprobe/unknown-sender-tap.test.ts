import type { DatagramSocket, SocketAddress } from '../protocol/transport/datagram-socket';
import { SEALED_OVERHEAD } from '../protocol/security/packet-format';
import { UnknownSenderTap } from './unknown-sender-tap';

/** A socket whose incoming datagrams the test pushes by hand. */
class HandSocket implements DatagramSocket {
  handler: ((bytes: Uint8Array, from: SocketAddress) => void) | undefined;
  send(): void {}
  onDatagram(handler: (bytes: Uint8Array, from: SocketAddress) => void): void {
    this.handler = handler;
  }
  localAddress(): SocketAddress {
    return { host: '127.0.0.1', port: 1 };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function sealedFrom(keyIdHex: string, length = SEALED_OVERHEAD + 10): Uint8Array {
  const d = new Uint8Array(length);
  d[0] = 1; // version
  d[1] = 1; // SEALED
  d.set(Buffer.from(keyIdHex, 'hex'), 2);
  return d;
}

describe('UnknownSenderTap', () => {
  const from = { host: '10.0.0.9', port: 4000 };

  it('tells about sealed datagrams from unknown senders and passes every datagram on unchanged', () => {
    const inner = new HandSocket();
    const unknown: string[] = [];
    const tap = new UnknownSenderTap(inner, (k) => k === '1111111111111111', (k, f) => unknown.push(`${k}@${f.host}:${f.port}`));
    const passed: Uint8Array[] = [];
    tap.onDatagram((bytes) => passed.push(bytes));
    const datagrams = [sealedFrom('1111111111111111'), sealedFrom('2222222222222222'), sealedFrom('3333333333333333', 20), new Uint8Array([1, 2, 0, 0])];
    for (const d of datagrams) inner.handler?.(d, from);
    expect(unknown).toEqual(['2222222222222222@10.0.0.9:4000']); // known, unknown, too short to be sealed, signed
    expect(passed).toEqual(datagrams);
  });

  it('never loses a datagram to a throwing listener', () => {
    const inner = new HandSocket();
    const tap = new UnknownSenderTap(inner, () => false, () => {
      throw new Error('bug');
    });
    const passed: Uint8Array[] = [];
    tap.onDatagram((bytes) => passed.push(bytes));
    inner.handler?.(sealedFrom('2222222222222222'), from);
    expect(passed).toHaveLength(1);
  });
});
