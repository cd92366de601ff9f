import { GraphStore } from '../graph/graph-store';
import { int, nowMillis, toPlain } from '../graph/values';
import { RingSet } from '../membership/ring-set';
import { MembershipSnapshot, RingSnapshot, SNAPSHOT_VERSION } from '../membership/snapshot';
import type { HostId } from '../membership/types';

/**
 * The rings in Neo4j: a `Ring` node per ring (key = ring name), `(Host)-[:MEMBER_OF {position, ip,
 * port}]->(Ring)` for membership and `(Host)-[:RING_NEXT {ring, ip, port}]->(Host)` for the order.
 * Writes are incremental — only the hosts a change touched (a join or a leave touches a constant
 * number) — so the cost of a join does not grow with the fleet. A restarted CMA rebuilds its RingSet
 * from these.
 */
export class RingStore {
  constructor(private readonly store: GraphStore) {}

  /** Rewrites the ring memberships and successors of `hosts` as `rings` has them now. */
  async saveHosts(rings: Pick<RingSet, 'ringsOf' | 'ring'>, hosts: Iterable<HostId>): Promise<void> {
    const rows: Array<Record<string, unknown>> = [];
    const touched = new Set<HostId>(hosts);
    const present: HostId[] = [];
    const gone: HostId[] = [];
    for (const host of touched) {
      const names = rings.ringsOf(host);
      if (names.length === 0) {
        gone.push(host);
        continue;
      }
      present.push(host);
      for (const name of names) {
        const ring = rings.ring(name);
        const member = ring?.ordered().find((m) => m.host === host);
        if (!ring || !member) continue;
        const neighbours = ring.neighbours(member);
        const next = neighbours[1] ?? neighbours[0] ?? member;
        rows.push({
          ring: name,
          kind: ring.kind,
          segment: ring.key,
          host,
          position: int(member.position),
          ip: member.address.ip,
          port: int(member.address.port),
          next: next.host,
          nextIp: next.address.ip,
          nextPort: int(next.address.port),
        });
      }
    }
    const now = nowMillis();
    await this.store.runPlan([
      {
        // Memberships the hosts no longer have (moved to another segment's ring, left, died).
        cypher: `UNWIND $rows AS row
          MATCH (h:Host {keyid: row.host})
          OPTIONAL MATCH (h)-[m:MEMBER_OF]->(:Ring)
          DELETE m
          WITH DISTINCT h
          OPTIONAL MATCH (h)-[n:RING_NEXT]->()
          DELETE n`,
        rows: [...present, ...gone].map((host) => ({ host })),
      },
      {
        cypher: `UNWIND $rows AS row
          MERGE (r:Ring {key: row.ring})
          ON CREATE SET r.firstseen = $now
          SET r.kind = row.kind, r.segment = row.segment, r.lastupdated = $now
          WITH r, row
          MATCH (h:Host {keyid: row.host})
          MATCH (nh:Host {keyid: row.next})
          CREATE (h)-[:MEMBER_OF {position: row.position, ip: row.ip, port: row.port}]->(r)
          CREATE (h)-[:RING_NEXT {ring: row.ring, ip: row.nextIp, port: row.nextPort}]->(nh)`,
        rows,
        params: { now },
      },
      {
        // Rings left without members (their last host left, died or moved). Bounded by the number of
        // rings, not of hosts; runs once (no UNWIND).
        cypher: `MATCH (r:Ring) WHERE NOT (r)<-[:MEMBER_OF]-() DELETE r`,
        rows: [],
      },
    ]);
  }

  /** The stored rings as a snapshot (validated by RingSet.fromSnapshot when rebuilt). */
  async load(): Promise<MembershipSnapshot> {
    const rows = await this.store.read<Record<string, unknown>>(
      `MATCH (h:Host)-[m:MEMBER_OF]->(r:Ring)
       OPTIONAL MATCH (h)-[n:RING_NEXT {ring: r.key}]->(nh:Host)
       RETURN r.key AS ring, r.kind AS kind, r.segment AS segment, h.keyid AS host,
              m.position AS position, m.ip AS ip, m.port AS port, nh.keyid AS next
       ORDER BY ring, position, host`,
    );
    const byRing = new Map<string, RingSnapshot>();
    for (const raw of rows) {
      const row = toPlain(raw) as Record<string, unknown>;
      const name = String(row.ring);
      let ring = byRing.get(name);
      if (!ring) {
        ring = { name, kind: row.kind as RingSnapshot['kind'], key: row.segment === null || row.segment === undefined ? null : String(row.segment), members: [] };
        byRing.set(name, ring);
      }
      ring.members.push({
        host: String(row.host),
        position: Number(row.position),
        address: { ip: String(row.ip), port: Number(row.port) },
        next: String(row.next ?? row.host),
      });
    }
    return { version: SNAPSHOT_VERSION, rings: [...byRing.values()] };
  }

  async rebuild(): Promise<RingSet> {
    return RingSet.fromSnapshot(await this.load());
  }
}
