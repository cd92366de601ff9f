/**
 * Follow-up rules: what a freshly written discovery result makes worth discovering next on that host.
 * A rule runs after the result's write committed, reads the graph (what this write created carries
 * `firstseen = now`), and names the scripts to run; the ingest service turns the names into requests
 * from the schedule. Rules only read: they never change what was written.
 *
 * Rules fire on what is new, not on what is there, so that a result that changes by one connection
 * does not trigger the same follow-up again and again. The ingest service relies on it: after a row
 * diff that added no row (nothing was created), no rule runs, which spares a read per changed result.
 */
import type { GraphStore } from '../graph/graph-store';
import { int } from '../graph/values';

export type FollowUpInput = {
  host: string;
  discovertype: string;
  /** the write time of the result: nodes it created have `firstseen` equal to it */
  now: number;
};

/** The part of the graph layer rules need (read transactions only). */
export type GraphReader = Pick<GraphStore, 'read'>;

export interface FollowUpRule {
  readonly name: string;
  /** why the rule exists, for operators listing them */
  readonly description: string;
  /** the discovertypes whose derived results it looks at */
  readonly triggers: readonly string[];
  /** the discovery names to run next on the host (may be empty) */
  decide(input: FollowUpInput, graph: GraphReader): Promise<string[]>;
}

function asBoolean(v: unknown): boolean {
  return v === true;
}

/**
 * lldpd on the host: ask for `lldp` when lldpd has just started (a new lldpd Process) or, while it
 * runs, when netconfig found a new NIC (new wiring to learn). Switch placements follow from it.
 */
export const lldpWhenLldpdRule: FollowUpRule = {
  name: 'lldp-when-lldpd',
  description: 'netconfig found a new NIC, or processes found lldpd newly started, on a host running lldpd: run lldp',
  triggers: ['netconfig', 'processes'],
  async decide(input, graph) {
    const rows = await graph.read<{ running: unknown; started: unknown; newNics: unknown }>(
      `MATCH (h:Host {key: $host})
       OPTIONAL MATCH (h)-[:RUNS]->(p:Process) WHERE p.name = 'lldpd'
       WITH h, collect(p) AS lldpd
       RETURN size(lldpd) > 0 AS running,
              any(p IN lldpd WHERE p.firstseen = $now) AS started,
              COUNT { (h)-[:HAS_NIC]->(n:NIC) WHERE n.firstseen = $now } > 0 AS newNics`,
      { host: input.host, now: int(input.now) },
    );
    const row = rows[0];
    if (!row || !asBoolean(row.running)) return [];
    const fire = input.discovertype === 'processes' ? asBoolean(row.started) : asBoolean(row.newNics);
    return fire ? ['lldp'] : [];
  },
};

/** The TCP ports on which an ssh daemon is expected. */
const SSH_PORTS = [22];

/**
 * A new listener of sshd (by process name, or on port 22): ask for `sshd`, the effective settings
 * that security audits read. Where TCP services lead to service monitors later, that rule sits
 * beside this one.
 */
export const sshdWhenListeningRule: FollowUpRule = {
  name: 'sshd-when-listening',
  description: 'tcp found a new listener of sshd (or on port 22): run sshd',
  triggers: ['tcp'],
  async decide(input, graph) {
    const rows = await graph.read<{ n: unknown }>(
      `MATCH (:Host {key: $host})-[:HAS_SERVICE]->(s:TCPService)
       WHERE s.firstseen = $now
         AND (s.port IN $ports OR EXISTS { (p:Process)-[:LISTENS_ON]->(s) WHERE p.name = 'sshd' })
       RETURN count(s) > 0 AS n`,
      { host: input.host, now: int(input.now), ports: SSH_PORTS.map((p) => int(p)) },
    );
    return asBoolean(rows[0]?.n) ? ['sshd'] : [];
  },
};

export const DEFAULT_FOLLOW_UP_RULES: readonly FollowUpRule[] = [lldpWhenLldpdRule, sshdWhenListeningRule];
