import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCmaConfig, type CmaConfig } from '../../cma/config/cma-config';
import { GraphStore, GraphStoreOptions } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';

export type BenchGraph = { store: GraphStore; uri: string; embedded: boolean; close(): Promise<void> };

/**
 * A Neo4j for a benchmark: the one NEO4J_URI names, or a fresh local one in a temporary folder (so
 * figures are not skewed by what an earlier run left).
 */
export async function openBenchGraph(options: Partial<GraphStoreOptions> = {}): Promise<BenchGraph> {
  const external = process.env.NEO4J_URI;
  let local: LocalNeo4j | undefined;
  let home: string | undefined;
  let uri: string;
  if (external) {
    uri = external;
  } else {
    home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-bench-neo4j-'));
    process.stderr.write('starting a local Neo4j for the benchmark...\n');
    local = await LocalNeo4j.start({ home, port: 0, heapMb: 2048, pagecache: '1g' });
    uri = local.uri;
  }
  const store = GraphStore.open(
    { uri, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD, database: process.env.NEO4J_DATABASE ?? 'neo4j' },
    options,
  );
  await applyMigrations(store);
  return {
    store,
    uri,
    embedded: local !== undefined,
    async close() {
      await store.close();
      await local?.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Process CPU time in milliseconds since `since` (from process.cpuUsage()). */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * The CMA configuration of a benchmark: its Neo4j, free ports, unicast only (loopback carries no
 * multicast), state in `stateDir`, silent logs; discovery on or off as the benchmark measures.
 */
export function benchCmaConfig(graphUri: string, stateDir: string, discovery: boolean): CmaConfig {
  return loadCmaConfig({
    env: {},
    flags: {
      'neo4j.uri': graphUri,
      'api.port': 0,
      'membership.port': 0,
      'membership.multicast.enabled': false,
      'membership.stateDir': stateDir,
      'log.level': 'silent',
      'discovery.enabled': discovery,
    },
  });
}
