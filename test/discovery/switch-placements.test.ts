/**
 * switchPlacements reads the LLDP wiring the real plugins wrote and answers, per host, the switch and
 * the wired NIC's address — or nothing when there is no switch to put the host's ring on. Either order
 * of a host's lldp and netconfig results ends with its placement known, and the last of the two is the
 * one that tells the CMA to look (issue #5).
 */
import { randomBytes } from 'node:crypto';
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService, type IngestReport } from '../../cma/discovery/ingest-service';
import { mayCompletePlacement } from '../../cma/discovery/membership-link';
import { preferredAddress, switchPlacements } from '../../cma/discovery/switch-placements';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { okResult } from './wire-results';

type Nic = { name: string; addresses: string[] };
type Neighbor = { iface: string; chassis: string; name: string; caps: string[]; port: string };

function netconfig(host: string, nics: Nic[]) {
  return {
    discovertype: 'netconfig', description: 'test', host, source: 'test',
    data: {
      nics: nics.map((n, i) => ({
        name: n.name, ifindex: i + 2, mac: `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`, mtu: 1500,
        operstate: 'up', link_type: 'ether', physical: true,
        addresses: n.addresses.map((a) => {
          const [address = '', prefix = '64'] = a.split('/');
          return { family: address.includes(':') ? 'inet6' : 'inet', address, prefixlen: Number(prefix), scope: address.startsWith('fe80') ? 'link' : 'global' };
        }),
      })),
      default_routes: [],
    },
  };
}

function lldp(host: string, localChassis: string, neighbors: Neighbor[]) {
  return {
    discovertype: 'lldp', description: 'test', host, source: 'test',
    data: {
      local_chassis: { id: localChassis, id_type: 'mac', name: host },
      neighbors: neighbors.map((n) => ({
        interface: n.iface, via: 'LLDP',
        chassis: { id: n.chassis, id_type: 'mac', name: n.name, capabilities: n.caps.map((type) => ({ type, enabled: true })) },
        port: { id: n.port, id_type: 'ifname', descr: n.port },
      })),
    },
  };
}

describe('preferredAddress', () => {
  test('IPv4 first, then global IPv6; link-local and junk never', () => {
    expect(preferredAddress(['fd00::5', '198.19.0.9', 'fe80::1'])).toBe('198.19.0.9');
    expect(preferredAddress(['fe80::1', 'fd00::5'])).toBe('fd00::5');
    expect(preferredAddress(['fe80::1', '169.254.3.4', 'nonsense'])).toBeNull();
  });
});

describeWithNeo4j('switchPlacements from LLDP wiring in the graph', () => {
  let store: GraphStore;
  const prefix = uniquePrefix('placements');
  const id = () => `02:${randomBytes(5).toString('hex').match(/../g)?.join(':')}`;
  const sw1 = id();
  const sw2 = id();
  const station = id();
  const h4Chassis = id();
  const net = `198.19.${Math.floor(Math.random() * 250) + 1}`;
  const h = (n: number) => `${prefix}h${n}`;

  beforeAll(async () => {
    store = await migratedTestStore();
    const ingest = new DiscoveryIngestService({ store });
    const bridge = (iface: string, chassis: string, port: string): Neighbor => ({ iface, chassis, name: chassis === sw1 ? 'sw1' : 'sw2', caps: ['Bridge'], port });
    const docs = [
      netconfig(h(1), [{ name: 'eth0', addresses: [`${net}.1/24`, 'fe80::1/64'] }]),
      lldp(h(1), id(), [bridge('eth0', sw1, 'p1')]),
      netconfig(h(2), [{ name: 'eth0', addresses: [`fd00:${net.split('.')[2]}::2/64`, 'fe80::2/64'] }]),
      lldp(h(2), id(), [bridge('eth0', sw1, 'p2')]),
      // h3 is cabled straight to h4, whose lldpd it hears: no switch.
      netconfig(h(3), [{ name: 'eth0', addresses: [`${net}.3/24`] }]),
      lldp(h(3), id(), [{ iface: 'eth0', chassis: h4Chassis, name: h(4), caps: [], port: 'eth0' }]),
      lldp(h(4), h4Chassis, []),
      // h5 hears an end station, not a bridge.
      netconfig(h(5), [{ name: 'eth0', addresses: [`${net}.5/24`] }]),
      lldp(h(5), id(), [{ iface: 'eth0', chassis: station, name: 'printer', caps: ['Station'], port: 'p0' }]),
      // h6 is wired but its NIC has no address.
      netconfig(h(6), [{ name: 'eth0', addresses: [] }]),
      lldp(h(6), id(), [bridge('eth0', sw1, 'p6')]),
      // h7 has addresses but no LLDP.
      netconfig(h(7), [{ name: 'eth0', addresses: [`${net}.7/24`] }]),
      // h8 is wired to two switches: the first NIC by name wins.
      netconfig(h(8), [{ name: 'eth0', addresses: [`${net}.80/24`] }, { name: 'eth1', addresses: [`${net}.81/24`] }]),
      lldp(h(8), id(), [bridge('eth1', sw1, 'p8'), bridge('eth0', sw2, 'p1')]),
    ];
    for (const doc of docs) expect((await ingest.ingest(doc.host, okResult(doc))).status).toBe('derived');
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('a placement per host wired to a switch with an address on the wired NIC', async () => {
    const placements = await switchPlacements(store, [1, 2, 3, 4, 5, 6, 7, 8, 9].map(h));
    expect([...placements.keys()].sort()).toEqual([h(1), h(2), h(8)]);
    expect(placements.get(h(1))).toEqual({ host: h(1), switchKey: sw1, switchName: 'sw1', nic: 'eth0', port: 'p1', address: `${net}.1` });
    expect(placements.get(h(2))).toMatchObject({ switchKey: sw1, address: `fd00:${net.split('.')[2]}::2` });
    expect(placements.get(h(8))).toMatchObject({ switchKey: sw2, switchName: 'sw2', nic: 'eth0', address: `${net}.80` });
  });

  test('only the hosts asked about are answered; none asked, none answered', async () => {
    expect([...(await switchPlacements(store, [h(2)])).keys()]).toEqual([h(2)]);
    expect((await switchPlacements(store, [])).size).toBe(0);
  });
});

describeWithNeo4j('switch placement whichever of lldp and netconfig arrives last', () => {
  let store: GraphStore;
  let ingest: DiscoveryIngestService;
  const prefix = uniquePrefix('placement-order');
  const chassis = () => `02:${randomBytes(5).toString('hex').match(/../g)?.join(':')}`;
  const sw = chassis();
  const net = `198.19.${Math.floor(Math.random() * 250) + 1}`;
  const bridge: Neighbor = { iface: 'eth0', chassis: sw, name: 'sw9', caps: ['Bridge'], port: 'p1' };

  /** Sends the results in order; answers, after each, whether the CMA looks and what it finds. */
  async function arrive(host: string, docs: Array<{ discovertype: string }>): Promise<Array<{ type: string; looks: boolean; found: string | null }>> {
    const seen = [];
    for (const d of docs) {
      const report: IngestReport = await ingest.ingest(host, okResult(d));
      const placement = (await switchPlacements(store, [host])).get(host);
      seen.push({ type: d.discovertype, looks: mayCompletePlacement(report), found: placement ? `${placement.switchKey} ${placement.address}` : null });
    }
    return seen;
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    ingest = new DiscoveryIngestService({ store });
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('netconfig then lldp: placed once the wiring arrives', async () => {
    const host = `${prefix}usual`;
    const steps = await arrive(host, [netconfig(host, [{ name: 'eth0', addresses: [`${net}.1/24`] }]), lldp(host, chassis(), [{ ...bridge, port: 'p1' }])]);
    expect(steps).toEqual([
      { type: 'netconfig', looks: true, found: null },
      { type: 'lldp', looks: true, found: `${sw} ${net}.1` },
    ]);
  });

  test('lldp then netconfig: placed once the address arrives', async () => {
    const host = `${prefix}late-address`;
    const steps = await arrive(host, [lldp(host, chassis(), [{ ...bridge, port: 'p2' }]), netconfig(host, [{ name: 'eth0', addresses: [`${net}.2/24`] }])]);
    expect(steps).toEqual([
      { type: 'lldp', looks: true, found: null },
      { type: 'netconfig', looks: true, found: `${sw} ${net}.2` },
    ]);
    // Both hosts end on one switch, each by its wired NIC's address.
    const both = await switchPlacements(store, [`${prefix}usual`, host]);
    expect([...both.values()].map((p) => [p.host, p.switchKey, p.nic, p.port]).sort()).toEqual([
      [host, sw, 'eth0', 'p2'],
      [`${prefix}usual`, sw, 'eth0', 'p1'],
    ]);
  });

  test('a result sent again unchanged (a re-joined host) makes the CMA look again; other results do not', async () => {
    const host = `${prefix}late-address`;
    const again = await ingest.ingest(host, okResult(netconfig(host, [{ name: 'eth0', addresses: [`${net}.2/24`] }])));
    expect(again.status).toBe('unchanged');
    expect(mayCompletePlacement(again)).toBe(true);
    const tcp = await ingest.ingest(host, okResult({ discovertype: 'tcp', description: 'test', host, source: 'test', data: { listening: [], outbound: [] } }));
    expect(tcp.status).toBe('derived');
    expect(mayCompletePlacement(tcp)).toBe(false);
    const failed = await ingest.ingest(host, okResult({ discovertype: 'lldp', description: 'test', host, source: 'test', data: { neighbors: 'none' } }));
    expect(failed.status).toBe('error');
    expect(mayCompletePlacement(failed)).toBe(false);
  });
});
