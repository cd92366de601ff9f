import { randomBytes } from 'node:crypto';
import { GraphStore } from '../../cma/graph/graph-store';

/**
 * For tests that need the real Neo4j started by the global setup. In CI they fail when it is missing
 * (never skip); elsewhere they skip with the reason when the run was started without it.
 */
export function neo4jAvailable(): boolean {
  const mode = process.env.UNIMATRIX_TEST_NEO4J;
  if (mode === 'local' || mode === 'external') return true;
  if (process.env.CI === 'true') throw new Error('CI=true but no Neo4j is available to the tests (global setup did not start one)');
  return false;
}

/** `describe` when Neo4j is there, `describe.skip` otherwise (never in CI, see neo4jAvailable). */
export const describeWithNeo4j: jest.Describe = ((...args: Parameters<jest.Describe>) =>
  neo4jAvailable() ? describe(...args) : describe.skip(...args)) as jest.Describe;

export function testStore(options: ConstructorParameters<typeof GraphStore>[2] = {}): GraphStore {
  const uri = process.env.NEO4J_URI;
  if (!uri) throw new Error('NEO4J_URI is not set');
  return GraphStore.open(
    { uri, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD, database: process.env.NEO4J_DATABASE ?? 'neo4j' },
    options,
  );
}

/**
 * Test files share one database (Community has one) and run in parallel: each test writes keys under
 * its own prefix and cleans up only those.
 */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}-`;
}
