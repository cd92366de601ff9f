import { Router } from 'express';
import { GraphStore } from '../graph/graph-store';
import { schemaVersion } from '../graph/migrations';

export type HealthReport = {
  status: 'ok' | 'degraded';
  uptime_s: number;
  neo4j: { up: boolean; uri: string; database: string; latency_ms?: number; error?: string };
  schema: { version: number | null };
};

/**
 * GET /api/health: is the CMA able to do its work now. 200 when Neo4j answers, 503 when it does not;
 * the CMA itself keeps running either way and the driver reconnects once Neo4j is back.
 */
export function healthRoute(store: GraphStore, uri: string, startedAt: number): Router {
  const router = Router();
  let lastKnownSchema: number | null = null;
  router.get('/health', async (_req, res) => {
    const ping = await store.ping();
    if (ping.up) {
      try {
        lastKnownSchema = await schemaVersion(store);
      } catch {
        // Keep the last known version: the database answered a moment ago and may just have gone.
      }
    }
    const report: HealthReport = {
      status: ping.up ? 'ok' : 'degraded',
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      neo4j: ping.up
        ? { up: true, uri, database: store.database, latency_ms: ping.latencyMs }
        : { up: false, uri, database: store.database, error: ping.error },
      schema: { version: lastKnownSchema },
    };
    res.status(ping.up ? 200 : 503).json(report);
  });
  return router;
}
