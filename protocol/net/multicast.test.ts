import { bootstrapTarget, openMulticastSocket, type MulticastSocket } from './multicast';
import { openUdpSocket } from './udp-socket';

/**
 * Multicast on the loopback interface: the sockets name 127.0.0.1 as their interface, so no route
 * for 224.0.0.0/4 is needed. Between hosts (namespaces) this is exercised by the lab tests.
 */
describe('multicast bootstrap helpers', () => {
  const opened: MulticastSocket[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('two listeners on one host both receive a datagram sent to the group', async () => {
    const port = 20_000 + (process.pid % 20_000);
    const options = { group: '224.0.2.5', port, interfaceAddress: '127.0.0.1', ttl: 0 };
    const first = await openMulticastSocket(options);
    const second = await openMulticastSocket(options);
    opened.push(first, second);
    const got: string[] = [];
    const arrived = new Promise<void>((resolve) => {
      const take = (name: string) => (bytes: Uint8Array): void => {
        got.push(`${name}:${Buffer.from(bytes).toString()}`);
        if (got.length === 2) resolve();
      };
      first.onDatagram(take('first'));
      second.onDatagram(take('second'));
    });
    first.sendToGroup(Buffer.from('hello'));
    await arrived;
    expect(got.sort()).toEqual(['first:hello', 'second:hello']);
  });

  it('names the cause when the interface cannot carry multicast', async () => {
    // 198.51.100.7 (TEST-NET-2) is not an address of this host: joining on it must fail clearly.
    await expect(openMulticastSocket({ port: 0, interfaceAddress: '198.51.100.7' })).rejects.toMatchObject({
      code: 'UNI_TRANS_006',
      message: expect.stringMatching(/cannot join 224\.0\.2\.5 on interface 198\.51\.100\.7.*unicast/),
    });
    await expect(openMulticastSocket({ group: '10.0.0.1' })).rejects.toMatchObject({ code: 'UNI_TRANS_006' });
  });

  it('chooses the unicast CMA address when one is configured, else the group', () => {
    expect(bootstrapTarget({ kind: 'unicast', cma: { host: '10.1.2.3', port: 1984 } })).toEqual({ host: '10.1.2.3', port: 1984 });
    expect(bootstrapTarget({ kind: 'multicast' })).toEqual({ host: '224.0.2.5', port: 1984 });
  });

  it('reports a port already taken as a bind error naming the address', async () => {
    const taken = await openUdpSocket({ host: '127.0.0.1' });
    try {
      await expect(openUdpSocket({ host: '127.0.0.1', port: taken.localAddress().port })).rejects.toMatchObject({
        code: 'UNI_TRANS_007',
        message: expect.stringContaining(`127.0.0.1:${taken.localAddress().port}`),
      });
    } finally {
      await taken.close();
    }
  });
});
