/**
 * `netconfig`: (Host)-[:HAS_NIC]->(NIC)-[:HAS_IP]->(IPAddress)-[:IN_SUBNET]->(Subnet), and the
 * default gateways as a Host property.
 *
 * Keys: NIC `host/ifname` (with `mac` as an indexed property), IPAddress the canonical address text,
 * Subnet the network CIDR. Loopback addresses (127/8, ::1) are left out: every host has them, and one
 * shared 127.0.0.1 node would tie all hosts together. Link-local addresses are kept on their NIC but
 * get no Subnet, for the same reason (every link's fe80::/64 is a different network).
 *
 * The addresses also complete connections (connections.ts): dials to an address of this host are
 * linked to its services here when its tcp result came first, and links through an address it no
 * longer has are removed. As a client, the host's own dials follow its addresses: a dial to an address
 * it holds itself stays on the host, one to an address it lost reaches the hosts that hold it.
 */
import { z } from 'zod';
import type { WritePlan } from '../graph/write-plan';
import { canonicalAddress, isLinkLocal, isLoopback, networkOf } from './ip-network';
import { definePlugin, type IngestContext, type KeyedRow, type RowChange } from './plugin';
import { pruneOwnConnections, pruneUnsupportedConnections, resolveDialsToAddresses, resolveOwnDials } from './connections';
import { rederiveTcp } from './rederive';
import { ofKind, tagged } from './row-diff';
import { cleanupOwned, intOrNull, keysOf, perHostStmt, removeOwnedNotListed, setHostProps, stmt, uniqueByKey, upsertOwned } from './plan-kit';

const addressSchema = z.object({
  family: z.enum(['inet', 'inet6']),
  address: z.string().max(100),
  prefixlen: z.number().int().min(0).max(128),
  scope: z.string().max(50).optional(),
});

const nicSchema = z.object({
  name: z.string().min(1).max(64),
  ifindex: z.number().int().nullable().optional(),
  mac: z.string().max(64).nullable().optional(),
  mtu: z.number().int().nullable().optional(),
  operstate: z.string().max(32).nullable().optional(),
  link_type: z.string().max(32).nullable().optional(),
  physical: z.boolean().optional(),
  speed_mbps: z.number().int().nullable().optional(),
  duplex: z.string().max(16).nullable().optional(),
  addresses: z.array(addressSchema).max(4096),
});

export const netconfigDataSchema = z.object({
  nics: z.array(nicSchema).max(4096),
  default_routes: z
    .array(z.object({ family: z.enum(['inet', 'inet6']), gateway: z.string().max(100), dev: z.string().max(64).nullable().optional() }))
    .max(64)
    .optional(),
});

export type NetconfigData = z.infer<typeof netconfigDataSchema>;

export function nicKey(host: string, ifname: string): string {
  return `${host}/${ifname}`;
}

type NicRow = { key: string; props: Record<string, unknown> };
type AddressRow = { key: string; nic: string; address: string; family: string; prefixlen: unknown; scope: string | null; cidr: string | null; network: string | null };

function nicRows(data: NetconfigData, ctx: IngestContext): NicRow[] {
  return uniqueByKey(
    data.nics.map((n) => ({
      key: nicKey(ctx.host, n.name),
      props: {
        host: ctx.host,
        name: n.name,
        mac: n.mac ? n.mac.toLowerCase() : null,
        mtu: intOrNull(n.mtu),
        ifindex: intOrNull(n.ifindex),
        operstate: n.operstate ?? null,
        link_type: n.link_type ?? null,
        physical: n.physical ?? null,
        speed_mbps: intOrNull(n.speed_mbps),
        duplex: n.duplex ?? null,
      },
    })),
  );
}

function addressRows(data: NetconfigData, ctx: IngestContext): AddressRow[] {
  return uniqueByKey(
    data.nics.flatMap((n) =>
      n.addresses.flatMap((a) => {
        const address = canonicalAddress(a.address);
        if (address === null || isLoopback(address) || a.scope === 'host') return [];
        const cidr = isLinkLocal(address) ? null : networkOf(address, a.prefixlen);
        return [
          {
            key: `${nicKey(ctx.host, n.name)}|${address}`,
            nic: nicKey(ctx.host, n.name),
            address,
            family: a.family,
            prefixlen: intOrNull(a.prefixlen),
            scope: a.scope ?? null,
            cidr,
            network: cidr === null ? null : cidr.split('/')[0] ?? null,
          },
        ];
      }),
    ),
  );
}

function gatewaysOf(data: NetconfigData): string[] {
  const gateways = (data.default_routes ?? []).map((r) => canonicalAddress(r.gateway)).filter((g): g is string => g !== null);
  return [...new Set(gateways)];
}

function planNetconfig(data: NetconfigData, ctx: IngestContext): WritePlan {
  const nics = nicRows(data, ctx);
  const addresses = addressRows(data, ctx);
  const gateways = gatewaysOf(data);

  return [
    setHostProps({ default_gateways: gateways }, ctx),
    rederiveTcp(ctx),
    upsertOwned('NIC', 'HAS_NIC', nics, ctx),
    stmt(
      `UNWIND $rows AS row
       MATCH (n:NIC {key: row.nic})
       MERGE (ip:IPAddress {key: row.address})
         ON CREATE SET ip.firstseen = $now
       SET ip.address = row.address, ip.family = row.family, ip.prefixlen = row.prefixlen, ip.lastupdated = $now
       MERGE (n)-[r:HAS_IP]->(ip)
         ON CREATE SET r.firstseen = $now
       SET r.prefixlen = row.prefixlen, r.scope = row.scope, r.lastupdated = $now`,
      addresses,
      ctx,
    ),
    stmt(
      `UNWIND $rows AS row
       MATCH (ip:IPAddress {key: row.address})
       MERGE (s:Subnet {key: row.cidr})
         ON CREATE SET s.firstseen = $now, s.cidr = row.cidr, s.network = row.network,
                       s.prefixlen = row.prefixlen, s.family = row.family
       SET s.lastupdated = $now
       MERGE (ip)-[r:IN_SUBNET]->(s)
         ON CREATE SET r.firstseen = $now
       SET r.lastupdated = $now
       WITH ip, s
       OPTIONAL MATCH (ip)-[old:IN_SUBNET]->(other:Subnet)
       WHERE other <> s
       DELETE old`,
      addresses.filter((a) => a.cidr !== null),
      ctx,
    ),
    resolveDialsToAddresses(ctx),
    // Addresses this host no longer has: unlink them, and remove an address (and its subnet) that
    // no NIC anywhere holds any more.
    perHostStmt(
    `MATCH (:Host {key: row.host})-[:HAS_NIC]->(:NIC)-[r:HAS_IP]->(ip:IPAddress)
       WHERE r.lastupdated < $now
       WITH r, ip LIMIT $limit
       DELETE r
       WITH DISTINCT ip
       WHERE NOT (ip)<-[:HAS_IP]-()
       OPTIONAL MATCH (ip)-[:IN_SUBNET]->(s:Subnet)
       DETACH DELETE ip
       WITH DISTINCT s
       WHERE s IS NOT NULL AND NOT (s)<-[:IN_SUBNET]-()
       DELETE s`,
    ctx,
  ),
    cleanupOwned('NIC', 'HAS_NIC', ctx),
    // With the addresses as they are now: links into this host's services and out of its processes
    // that no dial supports any more go; its own dials to addresses it lost reach their holders.
    pruneUnsupportedConnections(ctx),
    pruneOwnConnections(ctx),
    resolveOwnDials(ctx),
  ];
}

/**
 * The row diff's rows, tagged (row-diff.ts): the NICs (upserted as the full plan does), and the
 * addresses and gateways only so that a change to them is seen.
 */
function diffRows(data: NetconfigData, ctx: IngestContext): KeyedRow[] {
  return [...tagged('nics', nicRows(data, ctx)), ...tagged('addresses', addressRows(data, ctx)), ...tagged('gateways', [{ key: 'default', gateways: gatewaysOf(data) }])];
}

/**
 * Only NICs changed (MTU, state, speed; one added or one without addresses gone): their rows are
 * written and the unlisted ones removed. When an address or a gateway changed, the whole write runs:
 * connections between hosts follow the addresses (connections.ts), and with the addresses as they
 * were every one of those statements finds nothing to do.
 */
function planNicChanges(change: RowChange, ctx: IngestContext): WritePlan | null {
  const onlyNics = (rows: KeyedRow[]) => rows.every((r) => r.kind === 'nics');
  if (!onlyNics(change.changed) || !onlyNics(change.removed)) return null;
  const plan = [upsertOwned('NIC', 'HAS_NIC', ofKind(change.changed, 'nics'), ctx)];
  if (change.removed.length > 0) plan.push(removeOwnedNotListed('NIC', 'HAS_NIC', keysOf(ofKind(change.rows, 'nics')), ctx));
  return plan;
}

export const netconfigPlugin = definePlugin({
  discovertype: 'netconfig',
  description: '(Host)-[:HAS_NIC]->(NIC)-[:HAS_IP]->(IPAddress)-[:IN_SUBNET]->(Subnet); Host.default_gateways',
  // Version 2 keeps connections to an address the client's own host holds on that host; results
  // stored by version 1 are derived again once, which removes the links version 1 made through
  // shared bridge addresses.
  version: 2,
  crossHost: true,
  dataSchema: netconfigDataSchema,
  plan: planNetconfig,
  diff: { rows: diffRows, plan: planNicChanges },
});
