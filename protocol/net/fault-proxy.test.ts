import { FaultProxy } from './fault-proxy';
import { openUdpSocket, type UdpSocket } from './udp-socket';

async function echoServer(): Promise<UdpSocket> {
  const s = await openUdpSocket({ host: '127.0.0.1' });
  s.onDatagram((bytes, from) => s.send(bytes, from));
  return s;
}

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FaultProxy over real loopback sockets', () => {
  let echo: UdpSocket;
  let client: UdpSocket;
  let proxy: FaultProxy | undefined;
  beforeEach(async () => {
    echo = await echoServer();
    client = await openUdpSocket({ host: '127.0.0.1' });
  });
  afterEach(async () => {
    await Promise.all([echo.close(), client.close(), proxy?.close()]);
    proxy = undefined;
  });

  it('relays both ways and counts what it did', async () => {
    proxy = await FaultProxy.start({ target: echo.localAddress(), seed: 1 });
    const got: number[] = [];
    client.onDatagram((b) => got.push(b[0] ?? -1));
    for (let i = 0; i < 20; i++) client.send(Uint8Array.of(i), proxy.address());
    await until(() => got.length === 20);
    expect(got.sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    const s = proxy.stats();
    expect(s.toTarget).toMatchObject({ received: 20, forwarded: 20, lost: 0 });
    expect(s.toClient).toMatchObject({ received: 20, forwarded: 20 });
    expect(s.clients).toBe(1);
  });

  it('applies seeded loss, duplication, corruption and reordering', async () => {
    proxy = await FaultProxy.start({ target: echo.localAddress(), seed: 7, loss: 0.3, duplicate: 0.2, corrupt: 0.1, reorder: 0.3, reorderDelayMs: 20 });
    const got: Uint8Array[] = [];
    client.onDatagram((b) => got.push(Uint8Array.from(b)));
    const n = 400;
    for (let i = 0; i < n; i++) client.send(Uint8Array.of(i >> 8, i & 0xff, 0xaa, 0xbb), proxy.address());
    await until(() => {
      const s = proxy!.stats();
      return s.toTarget.received === n && s.toClient.forwarded >= s.toClient.received - s.toClient.lost + s.toClient.duplicated;
    });
    // Every datagram the proxy forwarded to the client has arrived (an outcome, not a sleep).
    await until(() => got.length === proxy!.stats().toClient.forwarded);
    const s = proxy.stats();
    // Both directions see faults; 30% loss each way leaves about half the round trips.
    expect(s.toTarget.lost).toBeGreaterThan(n * 0.2);
    expect(s.toTarget.lost).toBeLessThan(n * 0.4);
    expect(s.toTarget.duplicated + s.toClient.duplicated).toBeGreaterThan(0);
    expect(s.toTarget.corrupted + s.toClient.corrupted).toBeGreaterThan(0);
    expect(s.toTarget.reordered).toBeGreaterThan(0);
    expect(got.length).toBe(s.toClient.forwarded);
    const intact = got.filter((b) => b[2] === 0xaa && b[3] === 0xbb).map((b) => ((b[0] ?? 0) << 8) | (b[1] ?? 0));
    const inversions = intact.filter((v, i) => i > 0 && v < (intact[i - 1] ?? 0)).length;
    expect(inversions).toBeGreaterThan(0);
  });

  it('is reproducible: the same seed loses the same datagrams', async () => {
    const lossPattern = async (seed: number): Promise<number[]> => {
      const p = await FaultProxy.start({ target: echo.localAddress(), seed, loss: 0.5 });
      const got: number[] = [];
      const c = await openUdpSocket({ host: '127.0.0.1' });
      c.onDatagram((b) => got.push(b[0] ?? -1));
      for (let i = 0; i < 50; i++) c.send(Uint8Array.of(i), p.address());
      // Every echo made it back through the proxy and every one it let through arrived.
      await until(() => {
        const s = p.stats();
        return s.toTarget.received === 50 && s.toClient.received === s.toTarget.forwarded && got.length === s.toClient.forwarded;
      });
      await Promise.all([p.close(), c.close()]);
      return got.sort((x, y) => x - y);
    };
    const first = await lossPattern(3);
    expect(await lossPattern(3)).toEqual(first);
    expect(await lossPattern(4)).not.toEqual(first);
  });

  it('rejects invalid settings with a message naming the field', async () => {
    await expect(FaultProxy.start({ target: echo.localAddress(), loss: 1.5 })).rejects.toThrow(/loss/);
  });
});
