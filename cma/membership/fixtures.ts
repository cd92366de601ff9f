/**
 * Synthetic fleets for tests and the rings simulation: host i gets a 16-hex-digit id, an address in
 * 10.0.0.0/8 and a subnet placement; hosts are spread over subnets of a fixed size.
 */
import type { RingHost } from './types';

export const NANOPROBE_PORT = 1984;

export function hostId(i: number): string {
  // A scrambled id, so ring order is unrelated to host number (as with real key ids).
  const x = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  return x.toString(16).padStart(8, '0') + i.toString(16).padStart(8, '0');
}

/** The subnet key (CIDR) of subnet number `s` (a /24 each: 10.a.b.0/24). */
export function subnetKey(s: number): string {
  return `10.${(s >>> 8) & 0xff}.${s & 0xff}.0/24`;
}

/** Host `i` of a fleet whose subnets hold `perSubnet` hosts (at most 250). */
export function makeHost(i: number, perSubnet: number): RingHost {
  const s = Math.floor(i / perSubnet);
  const ip = `10.${(s >>> 8) & 0xff}.${s & 0xff}.${(i % perSubnet) + 1}`;
  return {
    id: hostId(i),
    address: { ip, port: NANOPROBE_PORT },
    placements: [{ kind: 'subnet', key: subnetKey(s), address: { ip, port: NANOPROBE_PORT } }],
  };
}

export function makeFleet(n: number, perSubnet: number): RingHost[] {
  const hosts: RingHost[] = [];
  for (let i = 0; i < n; i++) hosts.push(makeHost(i, perSubnet));
  return hosts;
}
