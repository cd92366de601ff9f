#!/usr/bin/env node
/**
 * The nanoprobe on its own: `node dist/nanoprobe/main.js [options]` takes the same options as
 * `unimatrix nanoprobe`, but loads nothing of the CMA (no Neo4j driver, no HTTP server), which keeps
 * the agent that runs on every host smaller (see docs/performance.md).
 */
import { nanoprobeCommand } from './command';

nanoprobeCommand('unimatrix-nanoprobe')
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`unimatrix-nanoprobe: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
