/**
 * `tcp`: (Host)-[:HAS_SERVICE]->(TCPService), (Process)-[:LISTENS_ON]->(TCPService), the outbound
 * connections as (Process)-[:DIALS]->(TCPEndpoint), and (Process)-[:CONNECTS_TO]->(TCPService)
 * wherever a dial reaches a known service: the remote address is resolved through
 * (IPAddress)<-[:HAS_IP]-(NIC)<-[:HAS_NIC]-(Host), then to that host's service on the port, listening
 * on that address or on a wildcard one. Loopback connections resolve to this host's own services.
 * As a server, the same write links the dials of other hosts that this host's services complete
 * (connections.ts: any order of the client's and the server's results ends in the same graph).
 *
 * A socket owner that the processes plugin has not written yet is created here by its key with
 * minimal properties (the processes plugin fills in the rest; it also owns their removal, except of
 * an ended process that still dials: that one goes here, once its dials are gone).
 */
import { z } from 'zod';
import type { BatchStatement, Row, WritePlan } from '../graph/write-plan';
import { canonicalAddress, isLoopback } from './ip-network';
import { definePlugin, type IngestContext, type KeyedRow, type RowChange } from './plugin';
import { cleanupStaleDials, dialStatement, removeEndedProcesses, resolveDialsToServices, tcpEndpointKey, WILDCARD_IPS } from './connections';
import { cleanupOwned, cleanupOwnedLinks, intOrNull, stmt, uniqueByKey, upsertOwned } from './plan-kit';
import { processKey } from './processes-plugin';
import { discoveryResultKey } from './raw-result';
import { ofKind, tagged } from './row-diff';
import { markRederive } from './rederive';

const ownerSchema = z.object({
  pid: z.number().int().positive(),
  starttime: z.number().int().nonnegative(),
  comm: z.string().max(256),
});

export const tcpDataSchema = z.object({
  listening: z
    .array(
      z.object({
        ip: z.string().max(100),
        port: z.number().int().min(0).max(65535),
        family: z.enum(['inet', 'inet6']).optional(),
        wildcard: z.boolean().optional(),
        processes: z.array(ownerSchema).max(10_000),
      }),
    )
    .max(100_000),
  outbound: z
    .array(
      ownerSchema.extend({
        remote_ip: z.string().max(100),
        remote_port: z.number().int().min(0).max(65535),
      }),
    )
    .max(500_000),
  outbound_unowned: z.array(z.object({ remote_ip: z.string().max(100), remote_port: z.number().int() })).optional(),
  inbound: z
    .array(z.object({ local_ip: z.string().max(100), local_port: z.number().int(), remote_ip: z.string().max(100) }))
    .optional(),
});

export type TcpData = z.infer<typeof tcpDataSchema>;

export function tcpServiceKey(host: string, ip: string, port: number): string {
  return `${host}/${ip}:${port}`;
}

const WILDCARDS = new Set(WILDCARD_IPS);

type Owner = z.infer<typeof ownerSchema>;

/** What a tcp result derives, as keyed rows: services, socket owners, listeners and dials. */
function tcpRows(data: TcpData, ctx: IngestContext) {
  const services = uniqueByKey(
    data.listening.flatMap((l) => {
      const ip = canonicalAddress(l.ip);
      if (ip === null) return [];
      return [
        {
          key: tcpServiceKey(ctx.host, ip, l.port),
          props: {
            host: ctx.host,
            ip,
            port: intOrNull(l.port),
            family: l.family ?? (ip.includes(':') ? 'inet6' : 'inet'),
            wildcard: WILDCARDS.has(ip),
          },
          owners: l.processes,
        },
      ];
    }),
  );

  const ownerRow = (o: Owner) => ({
    key: processKey(ctx.host, o.pid, o.starttime),
    pid: intOrNull(o.pid),
    starttime: intOrNull(o.starttime),
    name: o.comm,
  });
  const owners = uniqueByKey([...services.flatMap((s) => s.owners.map(ownerRow)), ...data.outbound.map(ownerRow)]);

  const listens = uniqueByKey(
    services.flatMap((s) =>
      s.owners.map((o) => {
        const proc = processKey(ctx.host, o.pid, o.starttime);
        return { key: `${proc}>${s.key}`, process: proc, service: s.key };
      }),
    ),
  );

  const dials = uniqueByKey(
    data.outbound.flatMap((c) => {
      const ip = canonicalAddress(c.remote_ip);
      if (ip === null || WILDCARDS.has(ip)) return [];
      const proc = processKey(ctx.host, c.pid, c.starttime);
      const loopback = isLoopback(ip);
      return [
        {
          key: `${proc}>${ip}|${c.remote_port}`,
          process: proc,
          ip,
          port: intOrNull(c.remote_port),
          family: ip.includes(':') ? 'inet6' : 'inet',
          endpoint: loopback ? null : tcpEndpointKey(ip, c.remote_port),
          loopback,
        },
      ];
    }),
  );
  return { services: services.map((s) => ({ key: s.key, props: s.props })), owners, listens, dials };
}

/**
 * Socket owners the processes plugin has not written (yet): created by key with minimal properties.
 * Creating one marks the host's processes result `rederive`: its row diff removes processes by the
 * keys its previous document listed, and these it never listed (its next change is written in full).
 */
function ownersStatement(rows: Row[], ctx: IngestContext): BatchStatement {
  const processesResult = discoveryResultKey(ctx.host, 'processes');
  return stmt(
    `UNWIND $rows AS row
     MATCH (h:Host {key: row.host})
     MERGE (p:Process {key: row.key})
       ON CREATE SET p.firstseen = $now, p.lastupdated = $now, p.host = row.host, p.pid = row.pid,
                     p.starttime = row.starttime, p.name = row.name
     MERGE (h)-[r:RUNS]->(p)
       ON CREATE SET r.firstseen = $now, r.lastupdated = $now
     WITH row, p WHERE p.firstseen = $now
     WITH DISTINCT row.processesResult AS processesKey
     ${markRederive('true', 'processesKey', 'processesResult')}`,
    rows.map((r) => ({ ...r, processesResult })),
    ctx,
  );
}

function listensStatement(rows: Row[], ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (p:Process {key: row.process})
     MATCH (s:TCPService {key: row.service})
     MERGE (p)-[r:LISTENS_ON]->(s)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`,
    rows,
    ctx,
  );
}

/** The service rows as the server-side resolution reads them. */
const resolvable = (services: Array<{ key: string; props: { ip: string; port: unknown } }>) =>
  services.map((s) => ({ key: s.key, ip: s.props.ip, port: s.props.port }));

function planTcp(data: TcpData, ctx: IngestContext): WritePlan {
  const { services, owners, listens, dials } = tcpRows(data, ctx);
  return [
    ownersStatement(owners, ctx),
    upsertOwned('TCPService', 'HAS_SERVICE', services, ctx),
    listensStatement(listens, ctx),
    dialStatement(dials, ctx),
    cleanupOwnedLinks('RUNS', 'Process', 'LISTENS_ON', ctx),
    cleanupOwnedLinks('RUNS', 'Process', 'CONNECTS_TO', ctx),
    cleanupStaleDials(ctx),
    removeEndedProcesses(ctx),
    cleanupOwned('TCPService', 'HAS_SERVICE', ctx),
    // Last, so that only current dials (this host's own included) are linked to current services.
    resolveDialsToServices(resolvable(services), ctx),
  ];
}

type TcpRows = ReturnType<typeof tcpRows>;
type TcpKind = keyof TcpRows;
const TCP_KINDS: readonly TcpKind[] = ['services', 'owners', 'listens', 'dials'];

/** The row diff's rows: the four kinds of tcp rows, tagged (row-diff.ts). */
function diffRows(data: TcpData, ctx: IngestContext): KeyedRow[] {
  const rows = tcpRows(data, ctx);
  return TCP_KINDS.flatMap((kind) => tagged<{ key: string }>(kind, rows[kind]));
}

/**
 * Writes what changed, leaving the graph as planTcp would. New services, owners, listeners and dials
 * are upserted and new services resolved against the dials already known; listeners and services no
 * longer listed are removed by key, and so are dials with their endpoint when nobody else dials it.
 * A process that lost a dial has its connections derived again from the dials it still has (the
 * links it keeps are refreshed, the others go), and processes ended meanwhile that dial nothing now go.
 * Unchanged rows are left alone: the connections they support are kept up by the writes that change
 * them (connections.ts). A processes write that removed processes since this result was written
 * marks it (`rederive`), and its next change is written in full, restoring the socket owners.
 */
function planTcpChanges(change: RowChange, ctx: IngestContext): WritePlan {
  const changed = (kind: TcpKind) => ofKind(change.changed, kind);
  const removed = (kind: TcpKind) => ofKind(change.removed, kind);
  const lostDials = removed('dials');
  const redialled = new Set(lostDials.map((d) => d.process as string));
  const dials = [...changed('dials'), ...ofKind(change.rows, 'dials').filter((d) => redialled.has(d.process as string))];
  const services = changed('services') as Array<{ key: string; props: { ip: string; port: unknown } }>;
  const plan: WritePlan = [
    ownersStatement(changed('owners'), ctx),
    upsertOwned('TCPService', 'HAS_SERVICE', services, ctx),
    listensStatement(changed('listens'), ctx),
    stmt(
      `UNWIND $rows AS row
       MATCH (:Process {key: row.process})-[r:LISTENS_ON]->(:TCPService {key: row.service})
       DELETE r`,
      removed('listens'),
      ctx,
    ),
    dialStatement(uniqueByKey(dials), ctx),
    stmt(
      `UNWIND $rows AS row
       MATCH (:Process {key: row.process})-[d:DIALS]->(e:TCPEndpoint {key: row.endpoint})
       DELETE d
       WITH DISTINCT e
       WHERE NOT (e)<-[:DIALS]-()
       DELETE e`,
      lostDials.filter((d) => d.endpoint !== null),
      ctx,
    ),
    stmt(
      `UNWIND $rows AS row
       MATCH (:Process {key: row.key})-[c:CONNECTS_TO]->()
       WHERE c.lastupdated < $now
       DELETE c`,
      [...redialled].map((key) => ({ key })),
      ctx,
    ),
    stmt(
      `UNWIND $rows AS row
       MATCH (:Host {key: row.host})-[:HAS_SERVICE]->(s:TCPService {key: row.key})
       DETACH DELETE s`,
      removed('services'),
      ctx,
    ),
  ];
  if (lostDials.length > 0) plan.push(removeEndedProcesses(ctx));
  plan.push(resolveDialsToServices(resolvable(services), ctx));
  return plan;
}

export const tcpPlugin = definePlugin({
  discovertype: 'tcp',
  description: '(Host)-[:HAS_SERVICE]->(TCPService)<-[:LISTENS_ON]-(Process); (Process)-[:DIALS]->(TCPEndpoint); (Process)-[:CONNECTS_TO]->(TCPService)',
  // Version 2 records dials (TCPEndpoint); results stored by version 1 are derived again once.
  version: 2,
  crossHost: true,
  dataSchema: tcpDataSchema,
  plan: planTcp,
  diff: { rows: diffRows, plan: planTcpChanges },
});
