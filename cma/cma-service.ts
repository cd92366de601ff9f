import { Router } from 'express';
import { CmaConfig } from './config/cma-config';
import { healthRoute } from './api/health-route';
import { ApiServer, startApiServer } from './api/http-server';
import { openGraph, OpenedGraph } from './graph/open-graph';
import { applyMigrations } from './graph/migrations';
import { Logger } from './util/logger';

export type RunningCma = {
  apiUrl: string;
  neo4jUri: string;
  graph: OpenedGraph;
  api: ApiServer;
  stop(): Promise<void>;
};

/**
 * Starts the CMA: Neo4j (external, or the local one), schema migrations, then the REST API.
 * Later parts (membership, discovery ingest, alerting) attach here.
 */
export async function startCma(config: CmaConfig, log: Logger): Promise<RunningCma> {
  const startedAt = Date.now();
  const graph = await openGraph(config, log);
  try {
    const migrations = await applyMigrations(graph.store);
    log.info(migrations, 'graph schema up to date');
    const routers: Router[] = [healthRoute(graph.store, graph.uri, startedAt)];
    const api = await startApiServer(routers, config.api.host, config.api.port, log);
    log.info({ api: api.url, neo4j: graph.uri }, 'CMA ready');
    let stopped = false;
    return {
      apiUrl: api.url,
      neo4jUri: graph.uri,
      graph,
      api,
      async stop() {
        if (stopped) return;
        stopped = true;
        await api.close();
        await graph.store.close();
        await graph.local?.stop();
        log.info('CMA stopped');
      },
    };
  } catch (err) {
    await graph.store.close();
    await graph.local?.stop();
    throw err;
  }
}
