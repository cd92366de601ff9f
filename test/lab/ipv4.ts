/**
 * The little IPv4 arithmetic the lab needs: parse CIDRs, check that an address lies inside the lab's
 * private range, and hand out host addresses within a segment. Pure functions, no sockets.
 */

/** Every lab address must lie in here. The range only exists inside the lab's namespaces, which have no
 * link to the machine's own network, so a lab process cannot reach anything outside the lab. */
export const LAB_RANGE = '10.213.0.0/16';

export interface Cidr {
  /** Dotted address as written, e.g. "10.213.1.11". */
  address: string;
  prefix: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: "${text}"`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`not an IPv4 address: "${text}"`);
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parseCidr(text: string): Cidr {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!match || Number(match[2]) > 32) throw new Error(`not an IPv4 CIDR (a.b.c.d/n): "${text}"`);
  const address = match[1] as string;
  parseIpv4(address);
  return { address, prefix: Number(match[2]) };
}

function networkOf(value: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(value / size) * size;
}

/** True when `address` (dotted, no prefix) lies inside `cidr`. */
export function contains(cidr: string, address: string): boolean {
  const { address: base, prefix } = parseCidr(cidr);
  return networkOf(parseIpv4(address), prefix) === networkOf(parseIpv4(base), prefix);
}

/** The network a CIDR belongs to, e.g. "10.213.1.11/24" -> "10.213.1.0/24". */
export function networkCidr(cidr: string): string {
  const { address, prefix } = parseCidr(cidr);
  return `${formatIpv4(networkOf(parseIpv4(address), prefix))}/${prefix}`;
}

/**
 * The `index`-th host address of a subnet, as a CIDR with the subnet's prefix. Numbering starts at
 * `.first` so that the low addresses stay free for gateways a test may want to add.
 */
export function hostAddress(subnet: string, index: number, first = 11): string {
  const { address, prefix } = parseCidr(subnet);
  if (prefix > 28) throw new Error(`segment subnet ${subnet} is too small (prefix at most /28)`);
  const network = networkOf(parseIpv4(address), prefix);
  const offset = first + index;
  if (offset >= 2 ** (32 - prefix) - 1) throw new Error(`segment subnet ${subnet} has no room for ${index + 1} hosts`);
  return `${formatIpv4(network + offset)}/${prefix}`;
}
