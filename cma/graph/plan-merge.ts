/**
 * Several write plans as one: statements with the same Cypher and the same parameters (all but
 * `rows`) are run once with the rows of all of them. A tiny statement costs about 2 ms in its own
 * transaction, 0.5–1 ms among others in one transaction, and next to nothing as extra rows of a
 * statement that runs anyway (docs/performance.md, "Where ingest time goes"), so merging is what
 * makes group commit pay.
 *
 * Order: each plan's statements keep their relative order in the merged plan (a plan may MATCH in
 * statement 2 what its statement 1 created). The merge walks every plan in turn and places each of
 * its statements at the first matching statement after the one it placed last, else inserts it
 * there: the merged plan is a common super-sequence of the plans. Plans of one plugin have the same
 * statements and merge statement by statement.
 *
 * This is only sound for plans that do not depend on each other's order: the caller puts plans of
 * different hosts together, whose host-scoped statements touch disjoint parts of the graph.
 */
import type { BatchStatement, WritePlan } from './write-plan';

type Slot = { signature: string; statement: BatchStatement };

/** What must be equal for two statements to share their rows: the text and every other parameter. */
function signatureOf(statement: BatchStatement): string {
  return `${statement.cypher}\u0000${JSON.stringify(statement.params ?? {})}`;
}

export function mergePlans(plans: readonly WritePlan[]): WritePlan {
  if (plans.length === 1) return plans[0]!;
  const merged: Slot[] = [];
  for (const plan of plans) {
    let position = 0;
    for (const statement of plan) {
      const signature = signatureOf(statement);
      let at = -1;
      for (let i = position; i < merged.length; i++) {
        if (merged[i]!.signature === signature) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        merged.splice(position, 0, { signature, statement: { ...statement, rows: [...statement.rows] } });
        at = position;
      } else {
        const slot = merged[at]!;
        // A statement with no rows runs once anyway (chunking keeps it); merging keeps it so.
        for (const row of statement.rows) slot.statement.rows.push(row);
      }
      position = at + 1;
    }
  }
  return merged.map((s) => s.statement);
}
