/**
 * Lab smoke test: the bootstrap path of the real system. Two hosts and the CMA's namespace on one
 * switch; a host's datagram to 224.0.2.5:1984 reaches a process in the CMA namespace, which answers by
 * unicast. Each node's processes see their own hostname.
 */
import { describeAsRoot, useLab } from './lab-jest';
import type { LabTopology } from './topology';
import { UDP_ASKER, UDP_RESPONDER, parseAskerOutput, parseResponderOutput } from './udp-scripts';

const BOOTSTRAP_GROUP = '224.0.2.5';
const BOOTSTRAP_PORT = '1984';

const topology: LabTopology = {
  switches: [{ name: 'sw1', lldp: false }],
  segments: [{ name: 'lan', subnet: '10.213.1.0/24' }],
  hosts: [
    { name: 'h1', nics: [{ switch: 'sw1', segment: 'lan' }] },
    { name: 'h2', nics: [{ switch: 'sw1', segment: 'lan' }] },
  ],
  cma: { nics: [{ switch: 'sw1', segment: 'lan' }] },
};

describeAsRoot('lab: bootstrap multicast between namespaces', () => {
  const lab = useLab(topology);

  it('delivers a host multicast datagram to the CMA namespace, and the unicast reply back', async () => {
    const cma = lab().cma;
    const responder = cma.node(UDP_RESPONDER, [BOOTSTRAP_PORT, BOOTSTRAP_GROUP]);
    expect(await responder.waitForOutput(/ready \S+/)).toBe('ready cma');

    for (const host of lab().hosts) {
      const asker = host.node(UDP_ASKER, [BOOTSTRAP_GROUP, BOOTSTRAP_PORT, `hello from ${host.name}`, '15000']);
      const status = await asker.exited;
      expect({ host: host.name, status }).toEqual({ host: host.name, status: { code: 0, signal: null } });
      expect(parseAskerOutput(asker.stdout())).toEqual({ reply: `ack:hello from ${host.name}`, from: cma.address() });
    }

    const received = parseResponderOutput(responder.stdout());
    for (const host of lab().hosts) {
      expect(received).toContainEqual({ from: host.address(), text: `hello from ${host.name}`, hostname: 'cma' });
    }
  });

  it('configures each namespace with its planned address and the multicast route', async () => {
    for (const host of [...lab().hosts, lab().cma]) {
      const addr = await host.run('ip', ['-j', '-4', 'addr', 'show', 'dev', 'eth0']);
      const parsed = JSON.parse(addr.stdout) as { addr_info: { local: string; prefixlen: number }[] }[];
      expect(parsed[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(host.nic().addresses);
      const route = await host.run('ip', ['route', 'get', BOOTSTRAP_GROUP]);
      expect(route.stdout).toMatch(/dev eth0/);
    }
    expect([...lab().hosts, lab().cma].map((h) => h.address())).toEqual(['10.213.1.11', '10.213.1.12', '10.213.1.13']);
  });
});
