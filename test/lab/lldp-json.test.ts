/**
 * Unit tests of the lldpcli json0 parser, against output captured from lldpd 1.0.16 in a lab on this
 * machine (fixtures/): a host seeing its switch, and a switch seeing that host.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { matchesNeighbor } from './lldp';
import { parseLldpNeighbors, parseLocalChassisName } from './lldp-json';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

describe('parseLldpNeighbors', () => {
  it("reads a host's view of its switch: chassis name, port id by interface name, Bridge capability", () => {
    const [neighbor, ...rest] = parseLldpNeighbors(fixture('lldp-neighbors-host.json'));
    expect(rest).toEqual([]);
    expect(neighbor).toMatchObject({
      localInterface: 'eth0',
      via: 'LLDP',
      chassisIdType: 'mac',
      chassisName: 'sw1',
      portId: 'swp1',
      portIdType: 'ifname',
      portDescr: 'swp1',
      capabilities: ['Bridge'],
    });
    expect(neighbor?.chassisId).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it("reads a switch's view of a Linux host: port id is the host NIC's MAC, description its name", () => {
    const [neighbor] = parseLldpNeighbors(fixture('lldp-neighbors-switch.json'));
    expect(neighbor).toMatchObject({ localInterface: 'swp1', chassisName: 'h1.lab', portIdType: 'mac', portDescr: 'eth0', capabilities: ['Station'] });
    expect(neighbor?.mgmtIps).toContain('10.213.1.11');
    expect(neighbor?.portId).toBe(neighbor?.chassisId);
  });

  it('reads "no neighbours" as an empty list', () => {
    expect(parseLldpNeighbors({ lldp: [{}] })).toEqual([]);
  });

  it('rejects output of another shape', () => {
    expect(() => parseLldpNeighbors({ lldp: { interface: {} } })).toThrow();
    expect(() => parseLldpNeighbors({ lldp: [{ interface: [{ name: 7 }] }] })).toThrow();
    expect(() => parseLldpNeighbors('garbage')).toThrow();
  });
});

describe('parseLocalChassisName', () => {
  it('reads the advertised system name', () => {
    expect(parseLocalChassisName(fixture('lldp-chassis-switch.json'))).toBe('sw1');
  });
});

describe('matchesNeighbor', () => {
  it('requires every given field to match', () => {
    const [neighbor] = parseLldpNeighbors(fixture('lldp-neighbors-host.json'));
    if (!neighbor) throw new Error('fixture has no neighbour');
    expect(matchesNeighbor(neighbor, { chassisName: 'sw1', portId: 'swp1' })).toBe(true);
    expect(matchesNeighbor(neighbor, { chassisName: 'sw1', portId: 'swp2' })).toBe(false);
    expect(matchesNeighbor(neighbor, { localInterface: 'eth1' })).toBe(false);
    expect(matchesNeighbor(neighbor, {})).toBe(true);
  });
});
