/**
 * Lab smoke test: the routed alternative to one shared layer 2. Two switches that are not trunked,
 * one subnet each, and the CMA's namespace as the router between them (two NICs, forwarding on);
 * hosts use only their connected subnet plus a default route via the CMA.
 */
import { describeAsRoot, useLab } from './lab-jest';
import type { LabTopology } from './topology';
import { UDP_ASKER, UDP_RESPONDER, parseAskerOutput } from './udp-scripts';

const viaGateway = (gateway: string): Pick<LabTopology['hosts'][number], 'routing' | 'extraRoutes'> => ({
  routing: 'connected',
  extraRoutes: [['default', 'via', gateway]],
});

const topology: LabTopology = {
  switches: [{ name: 'sw1', lldp: false }, { name: 'sw2', lldp: false }],
  segments: [
    { name: 'a', subnet: '10.213.1.0/24' },
    { name: 'b', subnet: '10.213.2.0/24' },
  ],
  hosts: [
    { name: 'h1', nics: [{ switch: 'sw1', segment: 'a' }], ...viaGateway('10.213.1.1') },
    { name: 'h3', nics: [{ switch: 'sw2', segment: 'b' }], ...viaGateway('10.213.2.1') },
  ],
  cma: {
    routing: 'connected',
    forwarding: true,
    nics: [
      { switch: 'sw1', addresses: ['10.213.1.1/24'] },
      { switch: 'sw2', addresses: ['10.213.2.1/24'] },
    ],
  },
};

describeAsRoot('lab: hosts on two subnets routed through the CMA namespace', () => {
  const lab = useLab(topology);

  it('reaches a host on the other subnet through the router, and not without forwarding', async () => {
    const [h1, h3] = [lab().host('h1'), lab().host('h3')];
    await h3.node(UDP_RESPONDER, ['1984']).waitForOutput('ready h3');
    const ask = async (): Promise<ReturnType<typeof parseAskerOutput>> => {
      const asker = h1.node(UDP_ASKER, [h3.address(), '1984', 'across', '4000']);
      await asker.exited;
      return parseAskerOutput(asker.stdout());
    };
    expect(await ask()).toEqual({ reply: 'ack:across', from: '10.213.2.11' });

    const off = await lab().cma.run('sysctl', ['-qw', 'net.ipv4.ip_forward=0']);
    expect(off.code).toBe(0);
    expect(await ask()).toEqual({ timeout: true });
  });

  it('gives the router one NIC per switch, each plugged into a bridge port', async () => {
    const addrs = JSON.parse((await lab().cma.run('ip', ['-j', '-4', 'addr', 'show'])).stdout) as {
      ifname: string;
      addr_info: { local: string; prefixlen: number }[];
    }[];
    const byNic = addrs.filter((a) => a.ifname !== 'lo').map((a) => [a.ifname, a.addr_info.map((i) => `${i.local}/${i.prefixlen}`)]);
    expect(byNic).toEqual([
      ['eth0', ['10.213.1.1/24']],
      ['eth1', ['10.213.2.1/24']],
    ]);
    for (const sw of lab().switches) {
      const ports = JSON.parse((await sw.run('ip', ['-j', 'link', 'show', 'master', 'br0'])).stdout) as { ifname: string }[];
      expect(ports.map((p) => p.ifname)).toEqual(['swp1', 'swp2']);
    }
  });
});
