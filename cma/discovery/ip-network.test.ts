import { canonicalAddress, isLinkLocal, networkOf } from './ip-network';

describe('ip network arithmetic', () => {
  test.each([
    ['192.0.2.77', 24, '192.0.2.0/24'],
    ['192.0.2.77', 32, '192.0.2.77/32'],
    ['10.1.2.3', 8, '10.0.0.0/8'],
    ['172.16.200.9', 20, '172.16.192.0/20'],
    ['0.0.0.0', 0, '0.0.0.0/0'],
    ['fd00::2', 64, 'fd00::/64'],
    ['2001:db8:1:2:3:4:5:6', 48, '2001:db8:1::/48'],
    ['2001:db8:0:0:1:0:0:1', 128, '2001:db8::1:0:0:1/128'],
    ['fe80::fc:ff:fe00:1', 64, 'fe80::/64'],
    ['::ffff:192.0.2.1', 120, '::ffff:c000:200/120'],
  ])('%s/%i lies in %s', (ip, prefix, expected) => {
    expect(networkOf(ip, prefix)).toBe(expected);
  });

  test('bad addresses and prefixes give null', () => {
    expect(networkOf('300.1.1.1', 24)).toBeNull();
    expect(networkOf('192.0.2.1', 33)).toBeNull();
    expect(networkOf('fd00::1', 129)).toBeNull();
    expect(networkOf('nonsense', 8)).toBeNull();
    expect(canonicalAddress('nonsense')).toBeNull();
  });

  test('canonical text compresses IPv6 the RFC 5952 way', () => {
    expect(canonicalAddress('FD00:0:0:0:0:0:0:2')).toBe('fd00::2');
    expect(canonicalAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalAddress('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(canonicalAddress('::')).toBe('::');
    expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(isLinkLocal('fe80::1')).toBe(true);
    expect(isLinkLocal('fd00::1')).toBe(false);
  });
});
