import { Router, type Response } from 'express';
import type { GraphStore } from '../graph/graph-store';
import { QueryCatalog } from '../queries/query-catalog';
import { DEFAULT_QUERY_LIMITS, runNamedQuery, type QueryLimits } from '../queries/query-runner';

/** Driver error codes that mean "the database is not reachable now", not "the query is wrong". */

function fail(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

/**
 * GET /api/queries: the named queries with their parameters.
 * GET /api/queries/:name?param=value…: runs one in a read transaction and returns its rows as JSON.
 * A bad parameter is a 400 naming it; an unknown query a 404; Neo4j down a 503; a query past its
 * time limit a 504.
 */
export function queriesRoute(store: GraphStore, catalog: QueryCatalog = new QueryCatalog(), limits: QueryLimits = DEFAULT_QUERY_LIMITS): Router {
  const router = Router();
  router.get('/queries', (_req, res) => {
    res.json(catalog.list());
  });
  router.get('/queries/:name', async (req, res) => {
    const query = catalog.get(req.params.name);
    if (!query) {
      fail(res, 404, 'UNI_API_NO_SUCH_QUERY', `no query named ${JSON.stringify(req.params.name)}; GET /api/queries lists them`);
      return;
    }
    let outcome;
    try {
      outcome = await runNamedQuery(store, query, req.query as Record<string, unknown>, limits);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // Neo4j not answering is a 503 on every route, said by the API's error handler (http-server.ts).
      if (typeof code === 'string' && code.includes('TransactionTimedOut')) {
        fail(res, 504, 'UNI_API_QUERY_TIMEOUT', `query ${query.name} ran past ${limits.timeoutMs} ms`);
        return;
      }
      throw err;
    }
    if (!outcome.ok) {
      fail(res, 400, 'UNI_API_BAD_PARAMETER', `parameter "${outcome.parameter}": ${outcome.message}`, { parameter: outcome.parameter });
      return;
    }
    res.json(outcome.answer);
  });
  return router;
}
