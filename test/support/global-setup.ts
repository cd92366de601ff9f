import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';

/**
 * Starts the project's own Neo4j once for the whole test run (unless NEO4J_URI names another one),
 * and tells the test workers where it is through the environment. In CI a Neo4j that cannot start
 * fails the run; elsewhere the tests that need it skip, with the reason printed once.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.NEO4J_URI) {
    process.env.UNIMATRIX_TEST_NEO4J = 'external';
    return;
  }
  if (process.env.UNIMATRIX_NO_NEO4J === '1' && process.env.CI !== 'true') {
    process.env.UNIMATRIX_TEST_NEO4J = 'off';
    return;
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-test-neo4j-'));
  try {
    const db = await LocalNeo4j.start({ home, port: 0, heapMb: 2048, pagecache: '512m' });
    (globalThis as { __unimatrixNeo4j?: { db: LocalNeo4j; home: string } }).__unimatrixNeo4j = { db, home };
    process.env.NEO4J_URI = db.uri;
    process.env.UNIMATRIX_TEST_NEO4J = 'local';
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    process.stderr.write(`\nlocal Neo4j could not start; tests that need it will skip: ${String(err)}\n`);
    process.env.UNIMATRIX_TEST_NEO4J = 'off';
  }
}
