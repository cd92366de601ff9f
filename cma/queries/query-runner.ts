/**
 * Runs a named query: parameters checked and converted first (a bad one is an answer naming it, not
 * an exception), then the Cypher in a READ transaction — the database refuses any write in it — with
 * a time limit and a cap on the rows returned, so one careless query cannot hold the graph or the
 * CMA's memory. Values come back as plain JSON (toPlain).
 *
 * It opens its own read session instead of calling GraphStore.read because it needs the transaction
 * timeout and row streaming that GraphStore.read does not take.
 */
import neo4j from 'neo4j-driver';
import type { GraphStore } from '../graph/graph-store';
import { toPlain } from '../graph/values';
import { retryConcurrentDeletion } from '../graph/read-retry';
import { checkParams } from './query-params';
import type { NamedQuery } from './query-file';

export type QueryLimits = {
  /** the transaction's time limit in the database */
  timeoutMs: number;
  /** rows returned at most; more are dropped and `truncated` is set */
  maxRows: number;
};

export const DEFAULT_QUERY_LIMITS: QueryLimits = { timeoutMs: 30_000, maxRows: 10_000 };

export type QueryAnswer = {
  query: string;
  /** the parameters as used, defaults filled in */
  parameters: Record<string, unknown>;
  rows: Array<Record<string, unknown>>;
  rowCount: number;
  truncated: boolean;
};

export type QueryOutcome = { ok: true; answer: QueryAnswer } | { ok: false; parameter: string; message: string };

export async function runNamedQuery(
  store: Pick<GraphStore, 'driver' | 'database'>,
  query: NamedQuery,
  rawParams: Record<string, unknown>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): Promise<QueryOutcome> {
  const checked = checkParams(query.parameters, rawParams);
  if (!checked.ok) return checked;
  // Again from the start if a concurrent write deleted what the query was walking (read-retry.ts).
  return retryConcurrentDeletion(async () => {
    const session = store.driver.session({ database: store.database, defaultAccessMode: neo4j.session.READ });
    try {
      const { rows, truncated } = await session.executeRead(
        async (tx) => {
          const out: Array<Record<string, unknown>> = [];
          let more = false;
          for await (const record of tx.run(query.cypher, checked.params)) {
            if (out.length >= limits.maxRows) {
              more = true;
              break;
            }
            out.push(toPlain(record.toObject()) as Record<string, unknown>);
          }
          return { rows: out, truncated: more };
        },
        { timeout: limits.timeoutMs },
      );
      return {
        ok: true,
        answer: { query: query.name, parameters: toPlain(checked.params) as Record<string, unknown>, rows, rowCount: rows.length, truncated },
      };
    } finally {
      await session.close();
    }
  });
}
