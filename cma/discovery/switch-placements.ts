/**
 * Which switch each host hangs off, from the LLDP wiring in the graph:
 * (Host)-[:HAS_NIC]->(NIC)-[:WIRED_TO]->(SwitchPort)<-[:HAS_PORT]-(Switch). The membership service
 * turns an answer into a `{kind: 'switch', key, address}` placement (cma/membership/types.ts), which
 * moves the host onto that switch's ring; the address is the wired NIC's IP, so heartbeats on the
 * ring stay behind the switch.
 *
 * What counts as a switch: an LLDP neighbour that announces the Bridge capability, or announces no
 * capabilities at all, and is not itself one of our hosts (two hosts cabled back to back, both running
 * lldpd, see each other as neighbours; that is no switch to build a ring on).
 */
import { isIP } from 'node:net';
import type { GraphStore } from '../graph/graph-store';
import { isLinkLocal } from './ip-network';

export type SwitchPlacement = {
  host: string;
  /** the Switch key: its LLDP chassis id (the ring is per chassis) */
  switchKey: string;
  /** the switch's announced name, for people reading logs */
  switchName: string | null;
  /** the wired NIC and the switch port at its other end */
  nic: string;
  port: string;
  /** the IP address of the wired NIC that partners should send heartbeats to */
  address: string;
};

type WiringRow = {
  host: string;
  switchKey: string;
  switchName: string | null;
  capabilities: string[] | null;
  nic: string;
  port: string;
  addresses: string[];
};

/**
 * The placement of each given host that is wired to a switch and has a usable address on the wired
 * NIC; hosts without one are left out of the map. When a host is wired to several switches, the
 * first NIC by name with an address wins (stable across calls, so hosts do not flap between rings).
 */
export async function switchPlacements(store: Pick<GraphStore, 'read'>, hostKeys: readonly string[]): Promise<Map<string, SwitchPlacement>> {
  const out = new Map<string, SwitchPlacement>();
  if (hostKeys.length === 0) return out;
  const rows = await store.read<WiringRow>(
    `CALL { MATCH (o:Host) WHERE o.lldp_chassis_id IS NOT NULL RETURN collect(o.lldp_chassis_id) AS hostChassis }
     UNWIND $hosts AS hostKey
     MATCH (h:Host {key: hostKey})-[:HAS_NIC]->(n:NIC)-[:WIRED_TO]->(sp:SwitchPort)<-[:HAS_PORT]-(sw:Switch)
     WHERE NOT sw.key IN hostChassis
     RETURN h.key AS host, sw.key AS switchKey, sw.name AS switchName, sw.capabilities AS capabilities,
            n.name AS nic, sp.port_id AS port,
            [(n)-[:HAS_IP]->(ip:IPAddress) | ip.address] AS addresses
     ORDER BY host, nic, switchKey`,
    { hosts: [...new Set(hostKeys)] },
  );
  for (const row of rows) {
    if (out.has(row.host) || !isSwitch(row.capabilities)) continue;
    const address = preferredAddress(row.addresses);
    if (address === null) continue;
    out.set(row.host, {
      host: row.host,
      switchKey: row.switchKey,
      switchName: row.switchName,
      nic: row.nic,
      port: row.port,
      address,
    });
  }
  return out;
}

function isSwitch(capabilities: string[] | null): boolean {
  return capabilities === null || capabilities.length === 0 || capabilities.includes('Bridge');
}

/** IPv4 first (what the lab and most fleets heartbeat over), then global IPv6; never link-local. */
export function preferredAddress(addresses: readonly string[]): string | null {
  const usable = addresses.filter((a) => isIP(a) !== 0 && !isLinkLocal(a)).sort();
  return usable.find((a) => isIP(a) === 4) ?? usable[0] ?? null;
}
