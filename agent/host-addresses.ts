/**
 * The addresses a nanoprobe announces: every non-loopback interface address with its prefix length
 * (the CMA derives subnet rings from them), or the loopback addresses when the host has nothing else
 * (a laptop offline, a bare container), or exactly those the operator configured.
 *
 * IPv6 link-local addresses (fe80::/10) are left out: nobody can reach them without knowing the
 * interface (zone) they belong to, and every host has one in the same fe80::/64, which would put the
 * whole fleet on one bogus "subnet".
 */
import os from 'node:os';

export type AnnouncedAddress = { ip: string; prefixLength: number; interface?: string };

type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

function isLinkLocalV6(ip: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(ip);
}

function prefixOf(info: os.NetworkInterfaceInfo): number {
  const fromCidr = info.cidr === null ? NaN : Number(info.cidr.split('/')[1]);
  if (Number.isInteger(fromCidr)) return fromCidr;
  return info.family === 'IPv6' ? 128 : 32;
}

export function hostAddresses(table: InterfaceTable = os.networkInterfaces()): AnnouncedAddress[] {
  const external: AnnouncedAddress[] = [];
  const loopback: AnnouncedAddress[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      const entry: AnnouncedAddress = { ip: info.address, prefixLength: prefixOf(info), interface: name.slice(0, 64) };
      if (info.internal) loopback.push(entry);
      else if (!(info.family === 'IPv6' && isLinkLocalV6(info.address))) external.push(entry);
    }
  }
  return external.length > 0 ? external : loopback;
}

/** Configured addresses win; otherwise the host's own. */
export function announcedAddresses(configured: ReadonlyArray<{ ip: string; prefixLength: number }>, table?: InterfaceTable): AnnouncedAddress[] {
  if (configured.length > 0) return configured.map((a) => ({ ip: a.ip, prefixLength: a.prefixLength }));
  return hostAddresses(table);
}
