import { CmaConfig } from '../config/cma-config';
import { Neo4jKeeper } from '../neo4j/neo4j-keeper';
import { Logger } from '../../common/logger';
import { GraphStore } from './graph-store';

export type OpenedGraph = {
  store: GraphStore;
  /** The embedded Neo4j this process started and keeps running, when no external one was configured. */
  local?: Neo4jKeeper;
  uri: string;
};

/**
 * Connects to the configured Neo4j, or starts the project's own when no URI is set, and waits until
 * it answers. An external database that is not up yet is retried for `waitMs`.
 */
export async function openGraph(config: CmaConfig, log: Logger, waitMs = 60_000): Promise<OpenedGraph> {
  let local: Neo4jKeeper | undefined;
  let uri = config.neo4j.uri;
  if (uri === undefined) {
    log.info({ home: config.neo4j.local.home }, 'no neo4j.uri configured: starting the local Neo4j');
    local = await Neo4jKeeper.start({ home: config.neo4j.local.home, port: config.neo4j.local.port, heapMb: config.neo4j.local.heapMb }, log);
    uri = local.uri;
  }
  const store = GraphStore.open(
    { uri, user: config.neo4j.user, password: config.neo4j.password, database: config.neo4j.database },
    {
      batchSize: config.neo4j.batchSize,
      watchHealth: true,
      onHealthChange: (up, error) => {
        if (up) log.info({ uri }, 'neo4j answers again');
        else log.error({ uri, error }, 'neo4j does not answer: graph routes answer 503, membership writes are kept and retried');
      },
    },
  );
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ping = await store.ping();
    if (ping.up) break;
    if (Date.now() > deadline) {
      await store.close();
      await local?.stop();
      throw new Error(`Neo4j at ${uri} (database ${config.neo4j.database}) does not answer: ${ping.error}`);
    }
    log.warn({ uri, error: ping.error }, 'neo4j not answering yet; retrying');
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return { store, local, uri };
}
