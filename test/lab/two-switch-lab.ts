/**
 * The lab of the segment-down tests (README.md, "Segment-down design": one layer 2, one subnet per
 * segment):
 *
 *            cma (10.213.0.11, segment "core")
 *             |
 *           core ---------------- (trunks) --------------- +
 *             |                                            |
 *            sw1: h1 … hN (segment a, 10.213.1.0/24)      sw2: hN+1 … h2N (segment b, 10.213.2.0/24)
 *
 * Every host routes the whole lab on-link, so a dead sw1 cuts off exactly its own hosts. The switches
 * run no lldpd: these tests are about reachability and membership, not LLDP.
 */
import type { HostSpec, LabTopology } from './topology';

export type TwoSwitchLab = {
  topology: LabTopology;
  /** Host names on sw1 (segment a), then on sw2 (segment b), in order. */
  sw1Hosts: string[];
  sw2Hosts: string[];
};

export function twoSwitchLab(hostsPerSwitch: number): TwoSwitchLab {
  if (!Number.isInteger(hostsPerSwitch) || hostsPerSwitch < 1) throw new RangeError(`hostsPerSwitch must be a positive integer, got ${hostsPerSwitch}`);
  const names = (first: number): string[] => Array.from({ length: hostsPerSwitch }, (_, i) => `h${first + i}`);
  const sw1Hosts = names(1);
  const sw2Hosts = names(hostsPerSwitch + 1);
  const on = (sw: 'sw1' | 'sw2', segment: 'a' | 'b') => (name: string): HostSpec => ({ name, nics: [{ switch: sw, segment }] });
  return {
    topology: {
      switches: [{ name: 'core', lldp: false }, { name: 'sw1', lldp: false }, { name: 'sw2', lldp: false }],
      trunks: [
        { a: 'sw1', b: 'core' },
        { a: 'sw2', b: 'core' },
      ],
      segments: [
        { name: 'core', subnet: '10.213.0.0/24' },
        { name: 'a', subnet: '10.213.1.0/24' },
        { name: 'b', subnet: '10.213.2.0/24' },
      ],
      hosts: [...sw1Hosts.map(on('sw1', 'a')), ...sw2Hosts.map(on('sw2', 'b'))],
      cma: { nics: [{ switch: 'core', segment: 'core' }] },
    },
    sw1Hosts,
    sw2Hosts,
  };
}
