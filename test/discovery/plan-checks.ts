/**
 * Checks every ingest plan must pass, whatever the plugin: the conventions of the graph layer,
 * checked on the plan as data.
 */
import neo4j from 'neo4j-driver';
import type { WritePlan } from '../../cma/graph/write-plan';

/** Paths of every JavaScript number in a value (they would reach Neo4j as floats). */
export function floatPaths(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return [path];
  if (value === null || typeof value !== 'object' || neo4j.isInt(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => floatPaths(v, `${path}[${i}]`));
  return Object.entries(value).flatMap(([k, v]) => floatPaths(v, `${path}.${k}`));
}

/** Variables bound by a node pattern with a label, in MATCH or MERGE clauses. */
function boundVariables(cypher: string): Set<string> {
  const out = new Set<string>();
  for (const m of cypher.matchAll(/(?:MATCH|MERGE)\s+\((\w+):\w+/g)) if (m[1]) out.add(m[1]);
  // Variables bound along a MATCH path, either way, e.g. MATCH (a:X)-[r:R]->(b:Y)<-[:S]-(c:Z)
  for (const m of cypher.matchAll(/->?\(\s*(\w+):\w+/g)) if (m[1]) out.add(m[1]);
  return out;
}

export function checkPlanConventions(plan: WritePlan, now: number): void {
  for (const [i, s] of plan.entries()) {
    const where = `statement ${i}:\n${s.cypher}`;
    if (!s.cypher.startsWith('UNWIND $rows AS row')) throw new Error(`does not start with UNWIND $rows AS row: ${where}`);
    const floats = [...floatPaths(s.rows, '$rows'), ...floatPaths(s.params ?? {}, '$params')];
    if (floats.length > 0) throw new Error(`JS numbers (floats in Neo4j) at ${floats.slice(0, 5).join(', ')} in ${where}`);
    const nowParam = s.params?.now;
    if (!neo4j.isInt(nowParam) || nowParam.toNumber() !== now) throw new Error(`$now is not the integer ${now}: ${where}`);
    // Relationship MERGEs use bare variables bound earlier: they never create their endpoints.
    for (const m of s.cypher.matchAll(/MERGE\s+\(([^)]*)\)-\[[^\]]*\]->\(([^)]*)\)/g)) {
      const ends = [m[1] ?? '', m[2] ?? ''];
      const bound = boundVariables(s.cypher.slice(0, m.index));
      for (const end of ends) {
        if (!/^\w+$/.test(end) || !bound.has(end)) throw new Error(`relationship MERGE with an unbound or inline endpoint "${end}": ${where}`);
      }
    }
    // Writes of nodes set firstseen on create and lastupdated (or only-on-create for immutable nodes).
    for (const m of s.cypher.matchAll(/MERGE\s+\((\w+):\w+ \{key: [^}]+\}\)/g)) {
      const v = m[1] as string;
      const after = s.cypher.slice(m.index);
      if (!after.includes(`${v}.firstseen = $now`) || !after.includes(`${v}.lastupdated = $now`)) {
        throw new Error(`node ${v} merged without firstseen/lastupdated: ${where}`);
      }
    }
    // Every delete is bounded and only removes what this write did not refresh (or, in the tcp
    // write, processes that the processes write found ended).
    if (/\bDELETE\b/.test(s.cypher) && !/OPTIONAL MATCH \(ip\)-\[old:IN_SUBNET\]/.test(s.cypher)) {
      if (!s.cypher.includes('LIMIT $limit')) throw new Error(`unbounded delete: ${where}`);
      if (!/lastupdated < \$now|\.ended IS NOT NULL/.test(s.cypher)) throw new Error(`delete not limited to stale data: ${where}`);
      const limit = s.params?.limit;
      if (!neo4j.isInt(limit) || limit.toNumber() <= 0) throw new Error(`$limit is not a positive integer: ${where}`);
    }
  }
}

/** The rows of the first statement whose Cypher contains every given fragment. */
export function rowsOf(plan: WritePlan, ...fragments: string[]): Array<Record<string, unknown>> {
  const s = plan.find((st) => fragments.every((f) => st.cypher.includes(f)));
  if (!s) throw new Error(`no statement with ${fragments.join(' & ')}`);
  return s.rows;
}
