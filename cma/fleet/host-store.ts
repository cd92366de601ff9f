import { GraphStore } from '../graph/graph-store';
import { int, toPlain } from '../graph/values';

export type HostStatus = 'up' | 'down' | 'left';

export type HostRecord = {
  name: string;
  keyid: string;
  addresses: string[];
  status: HostStatus;
  role: string;
  reason: string | null;
  firstseen: number;
  lastjoin: number | null;
  lastupdated: number;
  /** What the host's agent last said of its load (AGENT_LOAD), or null when it never said. */
  load: { slow: boolean; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; heartbeatLatenessP99Ms: number; at: number } | null;
};

export type JoinInput = {
  name: string;
  keyid: string;
  addresses: string[];
  role: string;
  startedAt: number;
  at: number;
  /** Public keys, base64 (kept so a restarted CMA can talk to hosts before they re-announce). */
  keys?: { ed25519: string; x25519: string };
  /** Where the CMA reaches this host's nanoprobe. */
  endpoint?: { ip: string; port: number };
};

/** What a restarted CMA needs to reach a host again. */
export type KnownPeer = { name: string; keyid: string; ed25519: string; x25519: string; ip: string; port: number; status: HostStatus };

/** Hosts as the membership part of the CMA keeps them in Neo4j. */
export class HostStore {
  constructor(private readonly store: GraphStore) {}

  /** A (re)announcement: idempotent; a repeated one only refreshes the record. */
  async join(input: JoinInput): Promise<{ firstJoin: boolean; previousStatus: HostStatus | null }> {
    const [result] = await this.joinMany([input]);
    return result!;
  }

  /** Many announcements in one transaction (a burst of joins costs one commit). Results in input order. */
  async joinMany(inputs: JoinInput[]): Promise<Array<{ firstJoin: boolean; previousStatus: HostStatus | null }>> {
    if (inputs.length === 0) return [];
    const rows = await this.store.write<{ i: { toNumber(): number }; created: boolean; previous: string | null }>(
      `UNWIND $rows AS row
       MERGE (h:Host {key: row.name})
       ON CREATE SET h.firstseen = row.at, h.created = true
       WITH h, row, h.status AS previous, coalesce(h.created, false) AS created
       SET h.name = row.name, h.keyid = row.keyid, h.addresses = row.addresses, h.role = row.role,
           h.status = 'up', h.reason = null, h.lastjoin = row.at, h.probestart = row.startedAt,
           h.ed25519 = row.ed25519, h.x25519 = row.x25519, h.ip = row.ip, h.port = row.port,
           h.lastupdated = row.at
       REMOVE h.created
       RETURN row.i AS i, created, previous`,
      {
        rows: inputs.map((input, i) => ({
          i: int(i),
          name: input.name,
          keyid: input.keyid,
          addresses: input.addresses,
          role: input.role,
          startedAt: int(input.startedAt),
          at: int(input.at),
          ed25519: input.keys?.ed25519 ?? null,
          x25519: input.keys?.x25519 ?? null,
          ip: input.endpoint?.ip ?? null,
          port: input.endpoint === undefined ? null : int(input.endpoint.port),
        })),
      },
    );
    const out = inputs.map(() => ({ firstJoin: false, previousStatus: null as HostStatus | null }));
    for (const row of rows) {
      out[row.i.toNumber()] = { firstJoin: row.created === true, previousStatus: (row.previous as HostStatus | null | undefined) ?? null };
    }
    return out;
  }

  async setStatus(keyids: string[], status: HostStatus, reason: string | null, at: number): Promise<void> {
    if (keyids.length === 0) return;
    await this.store.write(
      `UNWIND $keyids AS keyid
       MATCH (h:Host {keyid: keyid})
       SET h.status = $status, h.reason = $reason, h.lastupdated = $at`,
      { keyids, status, reason, at: int(at) },
    );
  }

  /** The agent's word on its load (agent-load.ts): kept on the Host, replaced by the next. */
  async setLoad(keyid: string, load: { slow: boolean; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; heartbeatLatenessP99Ms: number }, at: number): Promise<void> {
    await this.store.write(
      `MATCH (h:Host {keyid: $keyid})
       SET h.load_slow = $slow, h.load_event_loop_p99_ms = $p99, h.load_event_loop_max_ms = $max,
           h.load_heartbeat_lateness_p99_ms = $lateness, h.load_at = $at`,
      { keyid, slow: load.slow, p99: load.eventLoopDelayP99Ms, max: load.eventLoopDelayMaxMs, lateness: load.heartbeatLatenessP99Ms, at: int(at) },
    );
  }

  async list(): Promise<HostRecord[]> {
    const rows = await this.store.read<{ h: unknown }>('MATCH (h:Host) WHERE h.keyid IS NOT NULL RETURN h ORDER BY h.name');
    return rows.map((r) => toHostRecord(r.h));
  }

  /** How many hosts have each status: one aggregate query, whatever the size of the fleet. */
  async countByStatus(): Promise<Record<HostStatus, number>> {
    const rows = await this.store.read<{ status: unknown; n: unknown }>(
      'MATCH (h:Host) WHERE h.keyid IS NOT NULL RETURN h.status AS status, count(*) AS n',
    );
    const counts: Record<HostStatus, number> = { up: 0, down: 0, left: 0 };
    for (const row of rows) {
      const status = row.status === 'down' || row.status === 'left' ? row.status : 'up';
      counts[status] += Number(toPlain(row.n));
    }
    return counts;
  }

  /** One host by name, or null. */
  async byName(name: string): Promise<HostRecord | null> {
    const rows = await this.store.read<{ h: unknown }>('MATCH (h:Host {key: $name}) WHERE h.keyid IS NOT NULL RETURN h', { name });
    return rows[0] ? toHostRecord(rows[0].h) : null;
  }

  /** Hosts with the keys and address needed to reach them (a CMA restart). */
  async knownPeers(): Promise<KnownPeer[]> {
    const rows = await this.store.read<Record<string, unknown>>(
      `MATCH (h:Host) WHERE h.keyid IS NOT NULL AND h.ed25519 IS NOT NULL AND h.ip IS NOT NULL
       RETURN h.name AS name, h.keyid AS keyid, h.ed25519 AS ed25519, h.x25519 AS x25519, h.ip AS ip, h.port AS port, h.status AS status`,
    );
    return rows.map((raw) => {
      const r = toPlain(raw) as Record<string, unknown>;
      const status = r.status === 'down' || r.status === 'left' ? r.status : 'up';
      return { name: String(r.name), keyid: String(r.keyid), ed25519: String(r.ed25519), x25519: String(r.x25519), ip: String(r.ip), port: Number(r.port), status };
    });
  }

  async byKeyid(keyid: string): Promise<HostRecord | null> {
    const rows = await this.store.read<{ h: unknown }>('MATCH (h:Host {keyid: $keyid}) RETURN h', { keyid });
    return rows[0] ? toHostRecord(rows[0].h) : null;
  }
}

function toHostRecord(node: unknown): HostRecord {
  const p = toPlain(node) as Record<string, unknown>;
  const status = p.status === 'down' || p.status === 'left' ? p.status : 'up';
  return {
    name: String(p.name ?? p.key),
    keyid: String(p.keyid),
    addresses: Array.isArray(p.addresses) ? p.addresses.map(String) : [],
    status,
    role: String(p.role ?? 'nanoprobe'),
    reason: typeof p.reason === 'string' ? p.reason : null,
    firstseen: Number(p.firstseen ?? 0),
    lastjoin: p.lastjoin === undefined || p.lastjoin === null ? null : Number(p.lastjoin),
    lastupdated: Number(p.lastupdated ?? 0),
    load:
      typeof p.load_slow === 'boolean'
        ? {
            slow: p.load_slow,
            eventLoopDelayP99Ms: Number(p.load_event_loop_p99_ms ?? 0),
            eventLoopDelayMaxMs: Number(p.load_event_loop_max_ms ?? 0),
            heartbeatLatenessP99Ms: Number(p.load_heartbeat_lateness_p99_ms ?? 0),
            at: Number(p.load_at ?? 0),
          }
        : null,
  };
}
