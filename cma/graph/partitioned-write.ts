import { fnv1a32 } from '../../common/hash';
import { GraphStore, PlanResult } from './graph-store';
import { Row, WritePlan } from './write-plan';

/**
 * Bulk writes in parallel transactions over disjoint keys. Every row names its partition (for a fleet:
 * the host it belongs to); rows of one partition always go to the same lane, lanes run concurrently,
 * and inside a lane the plan's statements run in plan order. So a statement that MATCHes what an
 * earlier statement of the plan MERGEd (a NIC's host, an address's NIC) finds it, and two lanes never
 * lock the same nodes — Neo4j commits them side by side instead of one after the other.
 *
 * The plan's rows must not cross partitions (a relationship between two hosts' nodes belongs in a
 * serial write); that is the caller's contract, as it is for the group committer's host lanes.
 */
export type PartitionedWriteOptions = {
  lanes: number;
  /** The partition a row belongs to. */
  partitionOf: (row: Row) => string;
};

export async function writePartitioned(store: GraphStore, plan: WritePlan, options: PartitionedWriteOptions): Promise<PlanResult> {
  const lanes = Math.max(1, Math.floor(options.lanes));
  const perLane: WritePlan[] = Array.from({ length: lanes }, () => []);
  for (const statement of plan) {
    const split: Row[][] = Array.from({ length: lanes }, () => []);
    for (const row of statement.rows) split[laneOf(options.partitionOf(row), lanes)]!.push(row);
    split.forEach((rows, lane) => {
      if (rows.length > 0) perLane[lane]!.push({ ...statement, rows });
    });
  }
  const results = await Promise.all(perLane.filter((p) => p.length > 0).map((lanePlan) => store.runPlan(lanePlan)));
  return results.reduce(
    (sum, r) => ({ rows: sum.rows + r.rows, statements: sum.statements + r.statements, transactions: sum.transactions + r.transactions }),
    { rows: 0, statements: 0, transactions: 0 },
  );
}

/** The lane of a partition: stable across runs, so a partition keeps its lane. */
export function laneOf(partition: string, lanes: number): number {
  return fnv1a32(partition) % lanes;
}
