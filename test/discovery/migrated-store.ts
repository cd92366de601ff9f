/**
 * A store on the test Neo4j with the schema applied. Test files start at the same time against one
 * fresh database, and two schema migrations running at once can deadlock on Neo4j's schema locks
 * (a transient error); until applyMigrations retries those itself, the loser tries again here.
 */
import type { GraphStore } from '../../cma/graph/graph-store';
import { applyMigrations } from '../../cma/graph/migrations';
import { testStore } from '../support/neo4j';

function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Neo.TransientError.');
}

export async function migratedTestStore(attempts = 6): Promise<GraphStore> {
  const store = testStore();
  for (let attempt = 1; ; attempt++) {
    try {
      await applyMigrations(store);
      return store;
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) {
        await store.close();
        throw err;
      }
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}
