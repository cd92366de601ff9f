/**
 * Dependencies between hosts: (Process)-[:CONNECTS_TO]->(TCPService), derived from three results of
 * two hosts that reach the CMA in any order:
 *  - the client's tcp result: the process dials ip:port;
 *  - the server's netconfig result: the ip is on one of its NICs;
 *  - the server's tcp result: it listens on that port, on that ip or on a wildcard.
 *
 * The client's dials are kept in the graph whether or not they resolve yet:
 * (Process)-[:DIALS]->(TCPEndpoint {key: 'ip:port'}). Each of the three writes then resolves what it
 * completes — the client's against the services already known, the server's tcp against the dials
 * already known, the server's netconfig against both — so every order ends in the same graph. A
 * dial that resolves stays recorded too: when the service or the address goes and comes back (a
 * restart, a moved address), the dependency comes back without the client sending anything new
 * (nanoprobes send a result only when it changed).
 *
 * A dial stays on the client's host when that host holds the address itself: loopback (resolved in
 * the same write, from its own tcp result, and given no TCPEndpoint: 127.0.0.1:5432 on one host has
 * nothing to do with the same text on another), and also an address its own NICs hold. Many hosts
 * hold the same bridge address (docker0's 172.17.0.1, libvirt's 192.168.122.1, VirtualBox NAT's
 * 10.0.2.15); a connection to it from one of them never leaves that host, so it must not make the
 * client depend on every other host with the same bridge. Such dials get a TCPEndpoint (the client's
 * host may lose the address), but no write links them to another host's service, and the client's
 * netconfig write moves its connections when its host gains or loses an address.
 *
 * Two writes that resolve against each other must not run at once: in Neo4j's read-committed
 * transactions neither would see the other's rows and the link would be made by neither. The
 * plugins that write here are marked `crossHost`, and the ingest service commits their writes one at
 * a time, each taking its write time (`now`) in its turn: commit order is `now` order, so the
 * cleanups here (`lastupdated < $now`: "not refreshed by this write") never mistake a link made by a
 * write that committed earlier for a fresh one. DIALS and TCPEndpoints are written only here, by tcp
 * writes (the processes write leaves a process that still dials to them: `endedProcessStatement`), so
 * no other write can remove an endpoint that a tcp write is dialling.
 *
 * Resolution from the server's side makes at most `$limit` new links per statement (bounded like the
 * cleanup loops); links beyond that are made by the next write of either side.
 */
import type { BatchStatement } from '../graph/write-plan';
import type { IngestContext } from './plugin';
import { discoveryResultKey } from './raw-result';
import { markRederive } from './rederive';
import { hostRow, perHostStmt, stmt } from './plan-kit';

/** Listening addresses that accept connections to any of the host's addresses. */
export const WILDCARD_IPS: readonly string[] = ['0.0.0.0', '::'];

/** `192.0.2.7:5432`, `[2001:db8::7]:5432`: an address and port as people write them. */
export function tcpEndpointKey(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A Cypher list literal of the wildcard addresses (constants, never input). */
const WILDCARDS = `[${WILDCARD_IPS.map((ip) => `'${ip}'`).join(', ')}]`;

/** Cypher for tcpEndpointKey of two Cypher expressions (an address text and an integer port). */
function endpointKeyOf(ip: string, port: string): string {
  return `CASE WHEN ${ip} CONTAINS ':' THEN '[' + ${ip} + ']' ELSE ${ip} END + ':' + toString(${port})`;
}

/**
 * Cypher: the host (a variable) holds the address (an expression) on one of its NICs. Written to be
 * walked from the host (a few NICs and addresses), never from the address: a bridge address may be
 * held by thousands of hosts.
 */
function holds(host: string, ip: string): string {
  return `EXISTS { MATCH (${host})-[:HAS_NIC]->()-[:HAS_IP]->(held) WHERE held.key = ${ip} }`;
}

/** Cypher: the link from `p` on `client` to `s` on `server` (two hosts) has a dial behind it. */
function dialBehind(p: string, client: string, s: string, server: string): string {
  return `EXISTS {
       MATCH (${p})-[:DIALS]->(e:TCPEndpoint {port: ${s}.port})
       WHERE (e.ip = ${s}.ip OR ${s}.ip IN ${WILDCARDS}) AND ${holds(server, 'e.ip')} AND NOT ${holds(client, 'e.ip')}
     }`;
}

/** Cypher tail: MERGE the link `(p)-[:CONNECTS_TO]->(s)` and mark it written now. */
const LINK = `MERGE (p)-[r:CONNECTS_TO]->(s)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`;

/**
 * The client's side, one row per distinct (process, remote ip, port) of its tcp result:
 * `{key, process, ip, port, family, endpoint, loopback}` (`endpoint` null for loopback). Records the
 * dial and links the process to every service it reaches now: on this host when the address is its
 * own (loopback, or on one of its NICs), else on the hosts holding that address; listening on that
 * address or on a wildcard, on that port.
 */
export function dialStatement(rows: Array<Record<string, unknown>>, ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (p:Process {key: row.process})
     FOREACH (_ IN CASE WHEN row.endpoint IS NULL THEN [] ELSE [1] END |
       MERGE (e:TCPEndpoint {key: row.endpoint})
         ON CREATE SET e.firstseen = $now, e.lastupdated = $now, e.ip = row.ip, e.port = row.port, e.family = row.family
       MERGE (p)-[d:DIALS]->(e)
         ON CREATE SET d.firstseen = $now
       SET d.lastupdated = $now)
     WITH p, row
     MATCH (client:Host {key: row.host})
     WITH p, row, row.loopback OR ${holds('client', 'row.ip')} AS local
     OPTIONAL MATCH (:IPAddress {key: row.ip})<-[:HAS_IP]-(:NIC)<-[:HAS_NIC]-(owner:Host)
     WHERE NOT local
     WITH p, row, local, collect(DISTINCT owner.key) AS owners
     UNWIND CASE WHEN local THEN [row.host] ELSE owners END AS hostKey
     UNWIND [row.ip] + ${WILDCARDS} AS listenIp
     MATCH (s:TCPService {key: hostKey + '/' + listenIp + ':' + toString(row.port)})
     WITH DISTINCT p, s
     ${LINK}`,
    rows,
    ctx,
  );
}

/**
 * The server's tcp side, one row per service of its result (`{key, ip, port}`): links the processes
 * that dial one of this host's addresses on the service's port (any address for a wildcard listener,
 * else the one it listens on) and are not linked yet; not those whose own host holds the address too
 * (their connection stays there), unless that host is this one.
 */
export function resolveDialsToServices(rows: Array<Record<string, unknown>>, ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (s:TCPService {key: row.key})<-[:HAS_SERVICE]-(h:Host {key: row.host})
     MATCH (h)-[:HAS_NIC]->(:NIC)-[:HAS_IP]->(a:IPAddress)
     WHERE a.key = row.ip OR row.ip IN ${WILDCARDS}
     WITH DISTINCT h, s, a.key AS ip, row.port AS port
     MATCH (:TCPEndpoint {key: ${endpointKeyOf('ip', 'port')}})<-[:DIALS]-(p:Process)<-[:RUNS]-(client:Host)
     WHERE NOT (p)-[:CONNECTS_TO]->(s) AND (client = h OR NOT ${holds('client', 'ip')})
     WITH DISTINCT p, s LIMIT $limit
     ${LINK}`,
    rows,
    ctx,
  );
}

/**
 * The server's netconfig side: its addresses as this write left them (refreshed now) may complete
 * dials to services it already reported. Links what is not linked yet, with the same exception as
 * resolveDialsToServices.
 */
export function resolveDialsToAddresses(ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (h:Host {key: row.host})-[:HAS_NIC]->(:NIC)-[a:HAS_IP]->(ip:IPAddress)
     WHERE a.lastupdated = $now
     WITH DISTINCT h, ip.key AS ip
     MATCH (h)-[:HAS_SERVICE]->(s:TCPService)
     WHERE s.ip = ip OR s.ip IN ${WILDCARDS}
     MATCH (:TCPEndpoint {key: ${endpointKeyOf('ip', 's.port')}})<-[:DIALS]-(p:Process)<-[:RUNS]-(client:Host)
     WHERE NOT (p)-[:CONNECTS_TO]->(s) AND (client = h OR NOT ${holds('client', 'ip')})
     WITH DISTINCT p, s LIMIT $limit
     ${LINK}`,
    ctx,
  );
}

/**
 * The client's netconfig side: dials of this host's processes to addresses it does not hold (any
 * more) reach the services of the hosts that hold them. Needed when the host loses an address that
 * others hold too (a docker bridge removed): its dials to it were local until now.
 */
export function resolveOwnDials(ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (h:Host {key: row.host})-[:RUNS]->(p:Process)-[:DIALS]->(e:TCPEndpoint)
     WHERE NOT ${holds('h', 'e.ip')}
     MATCH (:IPAddress {key: e.ip})<-[:HAS_IP]-(:NIC)<-[:HAS_NIC]-(server:Host)
     WITH DISTINCT p, e, server
     UNWIND [e.ip] + ${WILDCARDS} AS listenIp
     MATCH (s:TCPService {key: server.key + '/' + listenIp + ':' + toString(e.port)})
     WHERE NOT (p)-[:CONNECTS_TO]->(s)
     WITH DISTINCT p, s LIMIT $limit
     ${LINK}`,
    ctx,
  );
}

/**
 * The server's netconfig side, after its stale addresses are gone: links from other hosts'
 * processes into this host's services that no dial supports any more (the address they dialled is
 * no longer this host's, or is now their own host's too). The dials stay, so the link comes back
 * with the address. Links from the host's own processes are its own tcp result's business.
 */
export function pruneUnsupportedConnections(ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (h:Host {key: row.host})-[:HAS_SERVICE]->(s:TCPService)<-[c:CONNECTS_TO]-(p:Process)<-[:RUNS]-(client:Host)
     WHERE c.lastupdated < $now AND client <> h AND NOT ${dialBehind('p', 'client', 's', 'h')}
     WITH c LIMIT $limit
     DELETE c`,
    ctx,
  );
}

/**
 * The client's netconfig side, after its stale addresses are gone: links from this host's
 * processes into other hosts' services that no dial supports any more, such as those through an
 * address this host now holds itself (they stay on this host).
 */
export function pruneOwnConnections(ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (h:Host {key: row.host})-[:RUNS]->(p:Process)-[c:CONNECTS_TO]->(s:TCPService)<-[:HAS_SERVICE]-(server:Host)
     WHERE c.lastupdated < $now AND server <> h AND NOT ${dialBehind('p', 'h', 's', 'server')}
     WITH c LIMIT $limit
     DELETE c`,
    ctx,
  );
}

/**
 * The client's tcp side: dials of its processes that this write did not refresh go, and so does an
 * endpoint nobody dials any more.
 */
export function cleanupStaleDials(ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (:Host {key: row.host})-[:RUNS]->(:Process)-[d:DIALS]->(e:TCPEndpoint)
     WHERE d.lastupdated < $now
     WITH d, e LIMIT $limit
     DELETE d
     WITH DISTINCT e
     WHERE NOT (e)<-[:DIALS]-()
     DELETE e`,
    ctx,
  );
}

/**
 * The processes write: the host's processes that this write did not refresh have ended. Those
 * without dials go now, with their relationships; one that still dials is only marked `ended` and
 * left to the tcp write (removeEndedProcesses), which owns dials and endpoints: deleting it here would
 * delete its dials, and their endpoints when orphaned, while another host's tcp write may be dialling
 * the same endpoint. A process listed again loses its mark (the processes plugin clears it).
 */
export function endedProcessStatement(ctx: IngestContext): BatchStatement {
  return endedProcesses('MATCH (:Host {key: row.host})-[r:RUNS]->(n:Process) WHERE r.lastupdated < $now', ctx);
}

/**
 * The same for the row-level diff (row-diff.ts), which does not refresh unchanged processes: the
 * processes the previous document listed and the current one does not (`gone`, their keys) have
 * ended. Looked up by key, not by scanning the host's processes: the graph holds no other process of
 * the host that this write would end, since a tcp write that creates socket owners marks the
 * processes result `rederive` (its next change is then written in full), and so does a cleanup
 * that stopped at its bound.
 */
export function endedProcessesGoneStatement(gone: string[], ctx: IngestContext): BatchStatement {
  return endedProcesses('UNWIND row.gone AS key MATCH (:Host {key: row.host})-[:RUNS]->(n:Process {key: key}) WHERE true', ctx, { gone });
}

/**
 * Ends the host's processes that `pick` finds (Cypher that binds the process as `n` and ends in a
 * WHERE, which this extends). Deleting processes may take socket owners and their listeners with
 * them, which the host's tcp result derived: that result is marked `rederive`, so that its next
 * change is written in full (a row diff would not bring them back) — see tcp-plugin.ts. A cleanup
 * that stopped at its bound marks the processes result itself.
 */
function endedProcesses(pick: string, ctx: IngestContext, extra: Record<string, unknown> = {}): BatchStatement {
  return perHostStmt(
    `${pick} AND (n.ended IS NULL OR NOT (n)-[:DIALS]->())
     WITH row, n LIMIT $limit
     WITH row, collect(n) AS picked
     WITH row, picked, [n IN picked WHERE EXISTS { (n)-[:DIALS]->() }] AS dialling, [n IN picked WHERE NOT EXISTS { (n)-[:DIALS]->() }] AS gone
     FOREACH (n IN dialling | SET n.ended = $now)
     FOREACH (n IN gone | DETACH DELETE n)
     WITH row, size(gone) > 0 AS deletedSome, size(picked) >= $limit AS bounded
     ${markRederive('deletedSome', 'row.tcpResult', 'tcpResult')}
     ${markRederive('bounded', 'row.processesResult', 'processesResult')}`,
    ctx,
    { ...extra, tcpResult: discoveryResultKey(ctx.host, 'tcp'), processesResult: discoveryResultKey(ctx.host, 'processes') },
  );
}

/**
 * The tcp write, after its stale dials are gone: processes the processes write found ended and that
 * dial nothing any more go, with their relationships (also when this result lists them as socket
 * owners: the processes write said they ended).
 */
export function removeEndedProcesses(ctx: IngestContext): BatchStatement {
  return perHostStmt(
    `MATCH (:Host {key: row.host})-[:RUNS]->(n:Process)
     WHERE n.ended IS NOT NULL AND NOT (n)-[:DIALS]->()
     WITH row, n LIMIT $limit
     WITH row, collect(n) AS gone
     FOREACH (n IN gone | DETACH DELETE n)
     WITH row, size(gone) > 0 AS deletedSome
     ${markRederive('deletedSome', 'row.tcpResult', 'tcpResult')}`,
    ctx,
    { tcpResult: discoveryResultKey(ctx.host, 'tcp') },
  );
}
