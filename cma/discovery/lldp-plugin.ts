/**
 * `lldp`: what the host's lldpd hears on each interface becomes switch wiring:
 * (Switch)-[:HAS_PORT]->(SwitchPort)<-[:WIRED_TO]-(NIC)<-[:HAS_NIC]-(Host).
 * Switch is keyed by its chassis id, SwitchPort by `chassis/port id`. Whatever sends LLDP on the far
 * end counts as a Switch here (a host's lldpd included); its capabilities are kept to tell them apart.
 *
 * The NIC named by lldpd is matched by `host/ifname`; if netconfig has not written it yet it is
 * created by that key (netconfig fills in the rest and decides whether it stays). The host's own
 * chassis id becomes Host.lldp_chassis_id, for matching what switches say about the host.
 */
import { z } from 'zod';
import type { WritePlan } from '../graph/write-plan';
import { definePlugin, type IngestContext } from './plugin';
import { hostRow, intOrNull, perHostStmt, setHostProps, stmt, uniqueByKey } from './plan-kit';
import { nicKey } from './netconfig-plugin';

const text = z.string().max(1000).nullable();

export const lldpDataSchema = z.object({
  local_chassis: z.object({ id: text, id_type: text, name: text, descr: text.optional() }).nullable().optional(),
  neighbors: z
    .array(
      z.object({
        interface: z.string().min(1).max(64),
        via: text.optional(),
        chassis: z.object({
          id: z.string().min(1).max(256),
          id_type: text.optional(),
          name: text.optional(),
          descr: text.optional(),
          mgmt_ips: z.array(z.string().max(100)).max(64).optional(),
          capabilities: z.array(z.object({ type: z.string().max(64), enabled: z.boolean() })).max(32).optional(),
        }),
        port: z.object({ id: z.string().min(1).max(256), id_type: text.optional(), descr: text.optional() }),
        vlans: z.array(z.object({ id: z.number().int().nullable(), name: text, pvid: z.boolean().optional() })).max(4096).optional(),
      }),
    )
    .max(4096),
});

export type LldpData = z.infer<typeof lldpDataSchema>;

export function switchPortKey(chassisId: string, portId: string): string {
  return `${chassisId}/${portId}`;
}

function planLldp(data: LldpData, ctx: IngestContext): WritePlan {
  const switches = uniqueByKey(
    data.neighbors.map((n) => ({
      key: n.chassis.id,
      props: {
        chassis_id: n.chassis.id,
        chassis_id_type: n.chassis.id_type ?? null,
        name: n.chassis.name ?? null,
        descr: n.chassis.descr ?? null,
        mgmt_ips: n.chassis.mgmt_ips ?? [],
        capabilities: (n.chassis.capabilities ?? []).filter((c) => c.enabled).map((c) => c.type),
      },
    })),
  );
  const ports = uniqueByKey(
    data.neighbors.map((n) => ({
      key: switchPortKey(n.chassis.id, n.port.id),
      switch: n.chassis.id,
      props: {
        chassis_id: n.chassis.id,
        port_id: n.port.id,
        port_id_type: n.port.id_type ?? null,
        descr: n.port.descr ?? null,
        vlans: (n.vlans ?? []).map((v) => intOrNull(v.id)).filter((v) => v !== null),
      },
    })),
  );
  const wires = uniqueByKey(
    data.neighbors.map((n) => ({
      key: `${nicKey(ctx.host, n.interface)}>${switchPortKey(n.chassis.id, n.port.id)}`,
      nic: nicKey(ctx.host, n.interface),
      name: n.interface,
      port: switchPortKey(n.chassis.id, n.port.id),
      via: n.via ?? null,
    })),
  );
  return [
    setHostProps({ lldp_chassis_id: data.local_chassis?.id ?? null }, ctx),
    stmt(
      `UNWIND $rows AS row
       MERGE (sw:Switch {key: row.key})
         ON CREATE SET sw.firstseen = $now
       SET sw += row.props, sw.lastupdated = $now`,
      switches,
      ctx,
    ),
    stmt(
      `UNWIND $rows AS row
       MATCH (sw:Switch {key: row.switch})
       MERGE (sp:SwitchPort {key: row.key})
         ON CREATE SET sp.firstseen = $now
       SET sp += row.props, sp.lastupdated = $now
       MERGE (sw)-[r:HAS_PORT]->(sp)
         ON CREATE SET r.firstseen = $now
       SET r.lastupdated = $now`,
      ports,
      ctx,
    ),
    stmt(
      `UNWIND $rows AS row
       MATCH (h:Host {key: row.host})
       MATCH (sp:SwitchPort {key: row.port})
       MERGE (n:NIC {key: row.nic})
         ON CREATE SET n.firstseen = $now, n.lastupdated = $now, n.host = row.host, n.name = row.name
       MERGE (h)-[hn:HAS_NIC]->(n)
         ON CREATE SET hn.firstseen = $now, hn.lastupdated = $now
       MERGE (n)-[r:WIRED_TO]->(sp)
         ON CREATE SET r.firstseen = $now
       SET r.lastupdated = $now, r.via = row.via`,
      wires,
      ctx,
    ),
    // Wiring this host no longer sees: unlink, and drop ports nobody is wired to and switches
    // without ports (they are only known through hosts' eyes).
    perHostStmt(
    `MATCH (:Host {key: row.host})-[:HAS_NIC]->(:NIC)-[r:WIRED_TO]->(sp:SwitchPort)
       WHERE r.lastupdated < $now
       WITH r, sp LIMIT $limit
       DELETE r
       WITH DISTINCT sp
       WHERE NOT (sp)<-[:WIRED_TO]-()
       OPTIONAL MATCH (sw:Switch)-[:HAS_PORT]->(sp)
       DETACH DELETE sp
       WITH DISTINCT sw
       WHERE sw IS NOT NULL AND NOT (sw)-[:HAS_PORT]->()
       DELETE sw`,
    ctx,
  ),
  ];
}

export const lldpPlugin = definePlugin({
  discovertype: 'lldp',
  description: '(Switch)-[:HAS_PORT]->(SwitchPort)<-[:WIRED_TO]-(NIC); Host.lldp_chassis_id',
  dataSchema: lldpDataSchema,
  plan: planLldp,
});
