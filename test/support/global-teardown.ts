import { rmSync } from 'node:fs';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __unimatrixNeo4j?: { db: LocalNeo4j; home: string } }).__unimatrixNeo4j;
  if (!state) return;
  await state.db.stop();
  rmSync(state.home, { recursive: true, force: true });
}
