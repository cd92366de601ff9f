/**
 * Lab smoke test: real lldpd on two switches and four hosts. Each host must see exactly its own
 * switch (chassis name) and port (port id = the switch's port name), never a host behind the bridge;
 * each switch sees its hosts on the right ports and the other switch on its trunk port.
 */
import { describeAsRoot, useLab } from './lab-jest';
import type { LabTopology } from './topology';

const topology: LabTopology = {
  switches: [{ name: 'sw1' }, { name: 'sw2' }],
  trunks: [{ a: 'sw1', b: 'sw2' }],
  segments: [{ name: 'lan', subnet: '10.213.1.0/24' }],
  hosts: ['h1', 'h2', 'h3', 'h4'].map((name, i) => ({
    name,
    hostname: `${name}.lab`,
    lldp: true,
    nics: [{ switch: i < 2 ? 'sw1' : 'sw2', segment: 'lan' }],
  })),
};

describeAsRoot('lab: LLDP wiring seen through real lldpd', () => {
  const lab = useLab(topology);

  it('shows each host its switch as chassis name and the switch port as port id', async () => {
    for (const host of lab().hosts) {
      const { switch: switchName, switchPort } = host.nic('eth0');
      const lldp = host.lldp;
      if (!lldp) throw new Error(`no lldpd on ${host.name}`);
      const neighbor = await lldp.waitForNeighbor({ localInterface: 'eth0', chassisName: switchName }, 20_000);
      expect(neighbor).toMatchObject({ via: 'LLDP', portId: switchPort, portIdType: 'ifname', portDescr: switchPort });
      expect(neighbor.capabilities).toContain('Bridge');
      // The bridge does not forward LLDP frames: the switch is the host's only neighbour.
      expect((await lldp.neighbors()).map((n) => n.chassisName)).toEqual([switchName]);
    }
  });

  it('shows each switch its hosts on their ports and the other switch on the trunk', async () => {
    const [sw1, sw2] = [lab().switch('sw1'), lab().switch('sw2')];
    for (const sw of [sw1, sw2]) {
      const lldp = sw.lldp;
      if (!lldp) throw new Error(`no lldpd on ${sw.name}`);
      for (const port of sw.plan.ports) {
        const expected = port.peer.kind === 'host' ? lab().host(port.peer.host).hostname : port.peer.switch;
        await lldp.waitForNeighbor({ localInterface: port.ifname, chassisName: expected }, 20_000);
      }
    }
    const trunk = lab().plan.trunks[0];
    const fromSw1 = (await sw1.lldp?.neighbors())?.find((n) => n.localInterface === trunk?.aPort);
    expect(fromSw1).toMatchObject({ chassisName: 'sw2', portId: trunk?.bPort });
  });
});
