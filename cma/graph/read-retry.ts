/**
 * A read that walks the graph while a write deletes nodes it is about to visit (discovery's bounded
 * cleanup, a test tearing down its hosts) can fail with "Node N was unexpectedly deleted": Neo4j's
 * read-committed isolation lets the reader see the node in one step and miss it in the next. The
 * driver does not retry it (it is a client error, `Neo.ClientError.Statement.EntityNotFound`), but
 * the read itself was fine: run again, it sees the graph after the delete. Only reads are retried
 * here; a write that meets it has a real problem to report.
 */
const ENTITY_NOT_FOUND = 'Neo.ClientError.Statement.EntityNotFound';

export function isConcurrentDeletion(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code === ENTITY_NOT_FOUND) return true;
  return typeof message === 'string' && /was unexpectedly deleted/.test(message);
}

/** Runs `read`, again (at most `attempts` times in all) while it fails only from a concurrent deletion. */
export async function retryConcurrentDeletion<T>(read: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !isConcurrentDeletion(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
