/**
 * Runs `stop` once on SIGINT or SIGTERM and exits; a second signal exits at once. Daemons call this
 * after they started, so Ctrl-C and `kill` both shut down cleanly (the local Neo4j included).
 */
export function stopOnSignals(stop: () => Promise<void>, log: (message: string) => void = () => undefined): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    log(`received ${signal}, shutting down`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
