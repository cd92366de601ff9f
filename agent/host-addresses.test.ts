import type os from 'node:os';
import { announcedAddresses, hostAddresses } from './host-addresses';

type Info = os.NetworkInterfaceInfo;
const v4 = (address: string, cidr: string, internal = false): Info => ({ address, netmask: '', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr });
const v6 = (address: string, cidr: string, internal = false): Info => ({ address, netmask: '', family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr, scopeid: 0 });

describe('host addresses', () => {
  it('announces non-loopback addresses with their prefix, leaving out IPv6 link-local ones', () => {
    const table = {
      lo: [v4('127.0.0.1', '127.0.0.1/8', true), v6('::1', '::1/128', true)],
      eth0: [v4('10.0.0.5', '10.0.0.5/24'), v6('fe80::1', 'fe80::1/64'), v6('2001:db8::5', '2001:db8::5/64')],
    };
    expect(hostAddresses(table)).toEqual([
      { ip: '10.0.0.5', prefixLength: 24, interface: 'eth0' },
      { ip: '2001:db8::5', prefixLength: 64, interface: 'eth0' },
    ]);
  });

  it('falls back to the loopback addresses when there is nothing else', () => {
    expect(hostAddresses({ lo: [v4('127.0.0.1', '127.0.0.1/8', true)], eth0: [v6('fe80::1', 'fe80::1/64')] })).toEqual([
      { ip: '127.0.0.1', prefixLength: 8, interface: 'lo' },
    ]);
  });

  it('prefers the configured addresses', () => {
    expect(announcedAddresses([{ ip: '192.0.2.7', prefixLength: 28 }], { eth0: [v4('10.0.0.5', '10.0.0.5/24')] })).toEqual([{ ip: '192.0.2.7', prefixLength: 28 }]);
  });
});
