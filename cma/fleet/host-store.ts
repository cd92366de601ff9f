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
};

export type JoinInput = { name: string; keyid: string; addresses: string[]; role: string; startedAt: number; at: number };

/** Hosts as the membership part of the CMA keeps them in Neo4j. */
export class HostStore {
  constructor(private readonly store: GraphStore) {}

  /** A (re)announcement: idempotent; a repeated one only refreshes the record. */
  async join(input: JoinInput): Promise<{ firstJoin: boolean; previousStatus: HostStatus | null }> {
    const rows = await this.store.write<{ created: boolean; previous: string | null }>(
      `MERGE (h:Host {key: $name})
       ON CREATE SET h.firstseen = $at, h.created = true
       WITH h, h.status AS previous, coalesce(h.created, false) AS created
       SET h.name = $name, h.keyid = $keyid, h.addresses = $addresses, h.role = $role,
           h.status = 'up', h.reason = null, h.lastjoin = $at, h.probestart = $startedAt,
           h.lastupdated = $at
       REMOVE h.created
       RETURN created, previous`,
      { name: input.name, keyid: input.keyid, addresses: input.addresses, role: input.role, startedAt: int(input.startedAt), at: int(input.at) },
    );
    const row = rows[0];
    return { firstJoin: row?.created === true, previousStatus: (row?.previous as HostStatus | null | undefined) ?? null };
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

  async list(): Promise<HostRecord[]> {
    const rows = await this.store.read<{ h: unknown }>('MATCH (h:Host) WHERE h.keyid IS NOT NULL RETURN h ORDER BY h.name');
    return rows.map((r) => toHostRecord(r.h));
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
  };
}
