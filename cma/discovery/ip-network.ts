/**
 * Address arithmetic the netconfig plugin needs: the canonical text of an address and the network
 * (CIDR) it lies in for a prefix length. Uses Node's own parser for validation (net.isIP).
 */
import { isIP } from 'node:net';

function ipv4ToBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Expands any valid IPv6 text (with ::, with an embedded IPv4 tail) to 16 bytes. */
function ipv6ToBytes(ip: string): number[] {
  let text = ip.toLowerCase().split('%')[0] ?? '';
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1]) {
    const b = ipv4ToBytes(v4Tail[1]);
    text = text.slice(0, -v4Tail[1].length) + `${(((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)}:${(((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups].map((g) => Number.parseInt(g, 16));
  return groups.flatMap((g) => [(g >> 8) & 255, g & 255]);
}

function bytesToIPv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: the longest run (of at least two) of zero groups becomes ::
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * The canonical text of an address (IPv6 compressed, lower case; an IPv4-mapped IPv6 address as the
 * IPv4 address it stands for, since that is what the other end has on its NIC), or null.
 */
export function canonicalAddress(ip: string): string | null {
  const family = isIP(ip.split('%')[0] ?? '');
  if (family === 4) return ipv4ToBytes(ip).join('.');
  if (family !== 6) return null;
  const bytes = ipv6ToBytes(ip);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  return mapped ? bytes.slice(12).join('.') : bytesToIPv6(bytes);
}

/** `192.0.2.7`, 24 → `192.0.2.0/24`; null for an invalid address or prefix. */
export function networkOf(ip: string, prefixlen: number): string | null {
  const family = isIP(ip.split('%')[0] ?? '');
  const bits = family === 4 ? 32 : family === 6 ? 128 : 0;
  if (bits === 0 || !Number.isInteger(prefixlen) || prefixlen < 0 || prefixlen > bits) return null;
  const bytes = family === 4 ? ipv4ToBytes(ip) : ipv6ToBytes(ip);
  const masked = bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefixlen - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  const text = family === 4 ? masked.join('.') : bytesToIPv6(masked);
  return `${text}/${prefixlen}`;
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}

export function isLinkLocal(ip: string): boolean {
  return ip.startsWith('169.254.') || /^fe[89ab][0-9a-f]:/i.test(ip);
}
