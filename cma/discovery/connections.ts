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
 * Loopback dials are resolved to the client's own host in the same write (its own tcp result holds
 * its listeners) and get no TCPEndpoint: 127.0.0.1:5432 on one host has nothing to do with the same
 * text on another.
 *
 * Two writes that resolve against each other must not run at once: in Neo4j's read-committed
 * transactions neither would see the other's rows and the link would be made by neither. The
 * plugins that write here are marked `crossHost` and the ingest service applies those one at a time.
 *
 * Resolution from the server's side makes at most `$limit` new links per statement (bounded like the
 * cleanup loops); links beyond that are made by the next write of either side.
 */
import type { BatchStatement } from '../graph/write-plan';
import type { IngestContext } from './plugin';
import { hostRow, stmt } from './plan-kit';

/** Listening addresses that accept connections to any of the host's addresses. */
export const WILDCARD_IPS: readonly string[] = ['0.0.0.0', '::'];

/** `192.0.2.7:5432`, `[2001:db8::7]:5432`: an address and port as people write them. */
export function tcpEndpointKey(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A Cypher list literal of the wildcard addresses (constants, never input). */
const WILDCARDS = `[${WILDCARD_IPS.map((ip) => `'${ip}'`).join(', ')}]`;

/**
 * The client's side, one row per distinct (process, remote ip, port) of its tcp result:
 * `{key, process, ip, port, family, endpoint, loopback}` (`endpoint` null for loopback). Records the
 * dial and links the process to every service it reaches now: on the hosts holding that address (or
 * this host, for loopback), listening on that address or on a wildcard, on that port.
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
     OPTIONAL MATCH (:IPAddress {key: row.ip})<-[:HAS_IP]-(:NIC)<-[:HAS_NIC]-(owner:Host)
     WITH p, row, collect(DISTINCT owner.key) + CASE WHEN row.loopback THEN [$host] ELSE [] END AS hosts
     UNWIND hosts AS hostKey
     UNWIND [row.ip] + ${WILDCARDS} AS listenIp
     MATCH (s:TCPService {key: hostKey + '/' + listenIp + ':' + toString(row.port)})
     WITH DISTINCT p, s
     MERGE (p)-[r:CONNECTS_TO]->(s)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`,
    rows,
    ctx,
  );
}

/**
 * The server's tcp side, one row per service of its result (`{key, ip, port}`): links the processes
 * that dial one of this host's addresses on the service's port (any address for a wildcard listener,
 * else the one it listens on) and are not linked yet.
 */
export function resolveDialsToServices(rows: Array<Record<string, unknown>>, ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (s:TCPService {key: row.key})<-[:HAS_SERVICE]-(h:Host {key: $host})
     MATCH (h)-[:HAS_NIC]->(:NIC)-[:HAS_IP]->(a:IPAddress)
     WHERE a.key = row.ip OR row.ip IN ${WILDCARDS}
     MATCH (e:TCPEndpoint {ip: a.key})<-[:DIALS]-(p:Process)
     WHERE e.port = row.port AND NOT (p)-[:CONNECTS_TO]->(s)
     WITH DISTINCT p, s LIMIT $limit
     MERGE (p)-[r:CONNECTS_TO]->(s)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`,
    rows,
    ctx,
  );
}

/**
 * The server's netconfig side: its addresses as this write left them (refreshed now) may complete
 * dials to services it already reported. Links what is not linked yet.
 */
export function resolveDialsToAddresses(ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (h:Host {key: row.host})-[:HAS_NIC]->(:NIC)-[a:HAS_IP]->(ip:IPAddress)
     WHERE a.lastupdated = $now
     MATCH (e:TCPEndpoint {ip: ip.key})<-[:DIALS]-(p:Process)
     MATCH (h)-[:HAS_SERVICE]->(s:TCPService {port: e.port})
     WHERE (s.ip = ip.key OR s.ip IN ${WILDCARDS}) AND NOT (p)-[:CONNECTS_TO]->(s)
     WITH DISTINCT p, s LIMIT $limit
     MERGE (p)-[r:CONNECTS_TO]->(s)
       ON CREATE SET r.firstseen = $now
     SET r.lastupdated = $now`,
    hostRow(ctx),
    ctx,
  );
}

/**
 * The server's netconfig side, after its stale addresses are gone: links from other hosts'
 * processes into this host's services that no dial supports any more (the address they dialled is
 * no longer this host's). The dials stay, so the link comes back with the address. Links from the
 * host's own processes are its own tcp result's business.
 */
export function pruneUnsupportedConnections(ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (h:Host {key: row.host})-[:HAS_SERVICE]->(s:TCPService)<-[c:CONNECTS_TO]-(p:Process)
     WHERE c.lastupdated < $now AND NOT (h)-[:RUNS]->(p)
       AND NOT EXISTS {
         MATCH (p)-[:DIALS]->(e:TCPEndpoint {port: s.port})
         WHERE (e.ip = s.ip OR s.ip IN ${WILDCARDS})
           AND EXISTS { (h)-[:HAS_NIC]->(:NIC)-[:HAS_IP]->(:IPAddress {key: e.ip}) }
       }
     WITH c LIMIT $limit
     DELETE c`,
    hostRow(ctx),
    ctx,
  );
}

/**
 * The client's tcp side: dials of its processes that this write did not refresh go, and so does an
 * endpoint nobody dials any more.
 */
export function cleanupStaleDials(ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (:Host {key: row.host})-[:RUNS]->(:Process)-[d:DIALS]->(e:TCPEndpoint)
     WHERE d.lastupdated < $now
     WITH d, e LIMIT $limit
     DELETE d
     WITH DISTINCT e
     WHERE NOT (e)<-[:DIALS]-()
     DELETE e`,
    hostRow(ctx),
    ctx,
  );
}

/**
 * Deletes the host's processes that this write did not refresh, with their relationships, and the
 * endpoints only they dialled (for the processes plugin, which owns the removal of processes).
 */
export function cleanupStaleProcesses(ctx: IngestContext): BatchStatement {
  return stmt(
    `UNWIND $rows AS row
     MATCH (:Host {key: row.host})-[r:RUNS]->(n:Process)
     WHERE r.lastupdated < $now
     WITH n LIMIT $limit
     OPTIONAL MATCH (n)-[:DIALS]->(e:TCPEndpoint)
     WITH n, collect(e) AS dialled
     DETACH DELETE n
     WITH dialled
     UNWIND dialled AS e
     WITH DISTINCT e
     WHERE NOT (e)<-[:DIALS]-()
     DELETE e`,
    hostRow(ctx),
    ctx,
  );
}
