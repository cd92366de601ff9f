/** Unit tests of lab planning (pure: no root, no namespaces). */
import { contains, hostAddress, networkCidr, parseCidr } from './ipv4';
import { labArgv } from './lab-process';
import { planLab, type LabTopology } from './topology';

const twoSwitchesAndCore: LabTopology = {
  switches: [{ name: 'core', lldp: false }, { name: 'sw1' }, { name: 'sw2' }],
  trunks: [
    { a: 'sw1', b: 'core' },
    { a: 'sw2', b: 'core' },
  ],
  segments: [
    { name: 'a', subnet: '10.213.1.0/24' },
    { name: 'b', subnet: '10.213.2.0/24' },
  ],
  hosts: [
    { name: 'h1', nics: [{ switch: 'sw1', segment: 'a' }] },
    { name: 'h2', nics: [{ switch: 'sw1', segment: 'a' }], hostname: 'h2.example' },
    { name: 'h3', nics: [{ switch: 'sw2', segment: 'b' }], lldp: true },
  ],
  cma: { nics: [{ switch: 'core', addresses: ['10.213.0.2/24'] }] },
};

describe('planLab', () => {
  const plan = planLab(twoSwitchesAndCore);

  it('numbers switch ports in attachment order, host ports before trunks', () => {
    const ports = (name: string): string[] =>
      plan.switches.find((s) => s.name === name)?.ports.map((p) => `${p.ifname}:${p.peer.kind === 'host' ? p.peer.host : p.peer.switch}`) ?? [];
    expect(ports('sw1')).toEqual(['swp1:h1', 'swp2:h2', 'swp3:core']);
    expect(ports('sw2')).toEqual(['swp1:h3', 'swp2:core']);
    expect(ports('core')).toEqual(['swp1:cma', 'swp2:sw1', 'swp3:sw2']);
    expect(plan.trunks).toEqual([
      { a: 'sw1', aPort: 'swp3', b: 'core', bPort: 'swp2' },
      { a: 'sw2', aPort: 'swp2', b: 'core', bPort: 'swp3' },
    ]);
    const sw1Uplink = plan.switches.find((s) => s.name === 'sw1')?.ports[2];
    expect(sw1Uplink?.peer).toEqual({ kind: 'switch', switch: 'core', port: 'swp2' });
  });

  it('hands out segment addresses in order and keeps explicit ones', () => {
    const addresses = Object.fromEntries(plan.hosts.map((h) => [h.name, h.nics.flatMap((n) => n.addresses)]));
    expect(addresses).toEqual({ h1: ['10.213.1.11/24'], h2: ['10.213.1.12/24'], h3: ['10.213.2.11/24'], cma: ['10.213.0.2/24'] });
  });

  it('routes on-link by default, with the multicast route on the first NIC', () => {
    const h1 = plan.hosts.find((h) => h.name === 'h1');
    expect(h1?.routes).toEqual([
      ['default', 'dev', 'eth0'],
      ['224.0.0.0/4', 'dev', 'eth0'],
    ]);
    const routed = planLab({
      ...twoSwitchesAndCore,
      hosts: [{ name: 'r1', routing: 'connected', extraRoutes: [['10.213.2.0/24', 'via', '10.213.1.1']], nics: [{ switch: 'sw1', segment: 'a' }] }],
      cma: undefined,
    });
    expect(routed.hosts[0]?.routes).toEqual([
      ['224.0.0.0/4', 'dev', 'eth0'],
      ['10.213.2.0/24', 'via', '10.213.1.1'],
    ]);
  });

  it('keeps roles, hostnames and lldp flags', () => {
    expect(plan.hosts.map((h) => [h.name, h.role, h.hostname, h.lldp])).toEqual([
      ['h1', 'host', 'h1', false],
      ['h2', 'host', 'h2.example', false],
      ['h3', 'host', 'h3', true],
      ['cma', 'cma', 'cma', false],
    ]);
    expect(plan.switches.map((s) => [s.name, s.lldp])).toEqual([
      ['core', false],
      ['sw1', true],
      ['sw2', true],
    ]);
  });

  it('skips addresses already taken explicitly when allocating', () => {
    const p = planLab({
      switches: [{ name: 's' }],
      segments: [{ name: 'a', subnet: '10.213.1.0/24' }],
      hosts: [
        { name: 'x', nics: [{ switch: 's', addresses: ['10.213.1.11/24'] }] },
        { name: 'y', nics: [{ switch: 's', segment: 'a' }] },
      ],
    });
    expect(p.hosts[1]?.nics[0]?.addresses).toEqual(['10.213.1.12/24']);
  });

  const base = (): LabTopology => ({
    switches: [{ name: 's1' }, { name: 's2' }, { name: 's3' }],
    segments: [{ name: 'a', subnet: '10.213.1.0/24' }],
    hosts: [{ name: 'h1', nics: [{ switch: 's1', segment: 'a' }] }],
  });

  it.each<[string, (t: LabTopology) => LabTopology, RegExp]>([
    ['a duplicate name', (t) => ({ ...t, hosts: [...t.hosts, { name: 's1', nics: [{ switch: 's1' }] }] }), /"s1" is used twice/],
    ['a name unfit for a namespace', (t) => ({ ...t, switches: [{ name: 'Core_1' }] }), /must match/],
    ['an unknown switch', (t) => ({ ...t, hosts: [{ name: 'h1', nics: [{ switch: 'nope' }] }] }), /unknown switch "nope"/],
    ['an unknown segment', (t) => ({ ...t, hosts: [{ name: 'h1', nics: [{ switch: 's1', segment: 'z' }] }] }), /unknown segment "z"/],
    ['a host without NIC', (t) => ({ ...t, hosts: [{ name: 'h1', nics: [] }] }), /has no NIC/],
    ['a trunk loop', (t) => ({ ...t, trunks: [{ a: 's1', b: 's2' }, { a: 's2', b: 's3' }, { a: 's3', b: 's1' }] }), /closes a loop/],
    ['a self trunk', (t) => ({ ...t, trunks: [{ a: 's1', b: 's1' }] }), /to itself/],
    ['a segment outside the lab range', (t) => ({ ...t, segments: [{ name: 'a', subnet: '192.168.1.0/24' }] }), /inside 10\.213\.0\.0\/16/],
    ['an address outside the lab range', (t) => ({ ...t, hosts: [{ name: 'h1', nics: [{ switch: 's1', addresses: ['8.8.8.8/24'] }] }] }), /inside 10\.213/],
    ['overlapping segments', (t) => ({ ...t, segments: [{ name: 'a', subnet: '10.213.0.0/16' }, { name: 'b', subnet: '10.213.4.0/24' }] }), /overlap/],
    ['a subnet that is not a network address', (t) => ({ ...t, segments: [{ name: 'a', subnet: '10.213.1.5/24' }] }), /not a network address/],
    [
      'an address given twice',
      (t) => ({ ...t, hosts: [{ name: 'h1', nics: [{ switch: 's1', addresses: ['10.213.9.1/24'] }] }, { name: 'h2', nics: [{ switch: 's1', addresses: ['10.213.9.1/24'] }] }] }),
      /assigned twice/,
    ],
    ['no switch at all', (t) => ({ ...t, switches: [], hosts: [] }), /at least one switch/],
  ])('rejects %s with a clear message', (_what, change, message) => {
    expect(() => planLab(change(base()))).toThrow(message);
  });
});

describe('ipv4 helpers', () => {
  it('computes networks, membership and host addresses', () => {
    expect(networkCidr('10.213.1.77/24')).toBe('10.213.1.0/24');
    expect(networkCidr('10.213.1.77/20')).toBe('10.213.0.0/20');
    expect(contains('10.213.0.0/16', '10.213.255.1')).toBe(true);
    expect(contains('10.213.0.0/16', '10.214.0.1')).toBe(false);
    expect(hostAddress('10.213.2.0/24', 0)).toBe('10.213.2.11/24');
    expect(hostAddress('10.213.2.0/24', 243)).toBe('10.213.2.254/24');
    expect(() => hostAddress('10.213.2.0/24', 244)).toThrow(/no room/);
  });

  it('rejects malformed input', () => {
    for (const bad of ['10.213.1/24', '10.213.1.256/24', '10.213.1.1', '10.213.1.1/33', 'x/24']) {
      expect(() => parseCidr(bad)).toThrow(/IPv4/);
    }
  });
});

describe('labArgv', () => {
  it('enters the namespace, and a UTS namespace when a hostname is given', () => {
    expect(labArgv({ ns: 'um-abcde-h1', command: 'sleep', args: ['1'] })).toEqual(['ip', 'netns', 'exec', 'um-abcde-h1', 'sleep', '1']);
    const named = labArgv({ ns: 'um-abcde-h1', command: 'sleep', args: ['1'], hostname: 'h1.lab' });
    expect(named.slice(0, 8)).toEqual(['ip', 'netns', 'exec', 'um-abcde-h1', 'unshare', '--uts', '--', 'sh']);
    expect(named.slice(-3)).toEqual(['h1.lab', 'sleep', '1']);
    expect(labArgv({ ns: null, command: 'node', args: ['-v'] })).toEqual(['node', '-v']);
  });
});
