import { GraphStore } from '../graph/graph-store';
import { int, toPlain } from '../graph/values';
import { Alert, AlertAnnotations, AlertLabels, AlertState, fingerprintOf } from './alert';

export type FireInput = {
  labels: AlertLabels;
  annotations: AlertAnnotations;
  /** Hosts the alert is about; linked with ABOUT so Cypher can walk from a host to its alerts. */
  hosts: string[];
  at: number;
};

/**
 * Alerts in Neo4j. Firing is idempotent per fingerprint while the alert is open; resolving closes
 * the open occurrence and is a no-op when none is open.
 */
export class AlertStore {
  constructor(private readonly store: GraphStore) {}

  async fire(input: FireInput): Promise<Alert> {
    const fingerprint = fingerprintOf(input.labels);
    const rows = await this.store.write<{ a: unknown }>(
      `OPTIONAL MATCH (open:Alert {fingerprint: $fingerprint, state: 'firing'})
       WITH open
       CALL (open) {
         WITH open WHERE open IS NULL
         CREATE (a:Alert {key: $key, fingerprint: $fingerprint, state: 'firing', startsAt: $at, firstseen: $at})
         RETURN a
         UNION
         WITH open WHERE open IS NOT NULL
         RETURN open AS a
       }
       SET a.labels = $labels, a.annotations = $annotations, a.alertname = $alertname, a.lastupdated = $at
       WITH a
       UNWIND $hosts AS hostKey
       MATCH (h:Host {key: hostKey})
       MERGE (a)-[:ABOUT]->(h)
       RETURN DISTINCT a`,
      {
        fingerprint,
        key: `${fingerprint}-${input.at}`,
        at: int(input.at),
        labels: JSON.stringify(input.labels),
        annotations: JSON.stringify(input.annotations),
        alertname: input.labels.alertname,
        hosts: input.hosts,
      },
    );
    const alert = rows[0]?.a ?? (await this.openByFingerprint(fingerprint));
    if (!alert) throw new Error(`alert ${fingerprint} was not stored`);
    return fromNode(alert);
  }

  /** Closes the open alert with these labels; returns it, or null when none was open. */
  async resolve(labels: AlertLabels, at: number, note?: string): Promise<Alert | null> {
    const rows = await this.store.write<{ a: unknown }>(
      `MATCH (a:Alert {fingerprint: $fingerprint, state: 'firing'})
       SET a.state = 'resolved', a.endsAt = $at, a.lastupdated = $at,
           a.resolution = coalesce($note, a.resolution)
       RETURN a`,
      { fingerprint: fingerprintOf(labels), at: int(at), note: note ?? null },
    );
    return rows[0] ? fromNode(rows[0].a) : null;
  }

  /** Closes every open alert among these label sets in one write; returns how many were open. */
  async resolveMany(labelSets: AlertLabels[], at: number, note?: string): Promise<number> {
    if (labelSets.length === 0) return 0;
    const rows = await this.store.write<{ closed: unknown }>(
      `UNWIND $fingerprints AS fingerprint
       MATCH (a:Alert {fingerprint: fingerprint, state: 'firing'})
       SET a.state = 'resolved', a.endsAt = $at, a.lastupdated = $at,
           a.resolution = coalesce($note, a.resolution)
       RETURN count(a) AS closed`,
      { fingerprints: [...new Set(labelSets.map(fingerprintOf))], at: int(at), note: note ?? null },
    );
    return Number(toPlain(rows[0]?.closed ?? 0));
  }

  /** How many alerts fire now, per alertname: one aggregate read, however many there are. */
  async countFiring(): Promise<Record<string, number>> {
    const rows = await this.store.read<{ alertname: unknown; n: unknown }>(
      `MATCH (a:Alert {state: 'firing'}) RETURN coalesce(a.alertname, '') AS alertname, count(*) AS n`,
    );
    return Object.fromEntries(rows.map((r) => [String(r.alertname), Number(toPlain(r.n))]));
  }

  async list(filter: { state?: AlertState; limit?: number } = {}): Promise<Alert[]> {
    const rows = await this.store.read<{ a: unknown }>(
      `MATCH (a:Alert) WHERE $state IS NULL OR a.state = $state
       RETURN a ORDER BY a.startsAt DESC LIMIT $limit`,
      { state: filter.state ?? null, limit: int(filter.limit ?? 1000) },
    );
    return rows.map((r) => fromNode(r.a));
  }

  /**
   * The alerts still firing, newest first, each with the keys (names) of the hosts it is ABOUT,
   * sorted: the graph's own record of which hosts an alert names, unlike the `hosts` annotation, which
   * is prose for people and may be shortened.
   */
  async firingAbout(filter: { limit?: number } = {}): Promise<Array<{ alert: Alert; hosts: string[] }>> {
    const rows = await this.store.read<{ a: unknown; hosts: unknown }>(
      `MATCH (a:Alert {state: 'firing'})
       OPTIONAL MATCH (a)-[:ABOUT]->(h:Host)
       WITH a, collect(h.key) AS hosts
       RETURN a, hosts ORDER BY a.startsAt DESC LIMIT $limit`,
      { limit: int(filter.limit ?? 1000) },
    );
    return rows.map((r) => ({ alert: fromNode(r.a), hosts: (Array.isArray(r.hosts) ? r.hosts.map(String) : []).sort() }));
  }

  /** One occurrence by its key, or the newest occurrence of a fingerprint; null when neither is known. */
  async get(keyOrFingerprint: string): Promise<Alert | null> {
    const rows = await this.store.read<{ a: unknown }>(
      `MATCH (a:Alert) WHERE a.key = $id OR a.fingerprint = $id
       RETURN a ORDER BY (a.key = $id) DESC, a.startsAt DESC LIMIT 1`,
      { id: keyOrFingerprint },
    );
    return rows[0] ? fromNode(rows[0].a) : null;
  }

  private async openByFingerprint(fingerprint: string): Promise<unknown> {
    const rows = await this.store.read<{ a: unknown }>(`MATCH (a:Alert {fingerprint: $fingerprint, state: 'firing'}) RETURN a`, { fingerprint });
    return rows[0]?.a;
  }
}

function iso(ms: unknown): string {
  return new Date(Number(ms)).toISOString();
}

function fromNode(node: unknown): Alert {
  const p = toPlain(node) as Record<string, unknown>;
  return {
    key: String(p.key),
    fingerprint: String(p.fingerprint),
    labels: JSON.parse(String(p.labels)) as AlertLabels,
    annotations: JSON.parse(String(p.annotations)) as AlertAnnotations,
    state: p.state === 'resolved' ? 'resolved' : 'firing',
    startsAt: iso(p.startsAt),
    endsAt: p.endsAt === undefined || p.endsAt === null ? null : iso(p.endsAt),
    updatedAt: iso(p.lastupdated),
  };
}
