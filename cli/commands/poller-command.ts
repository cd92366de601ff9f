import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { createLogger } from '../../common/logger';
import { projectPackage } from '../../common/project-package';
import { startPollerAgent } from '../../poller/agent/start-poller-agent';
import { PollerSupervisor } from '../../poller/supervisor/poller-supervisor';
import { loadWorkerConfig } from '../../poller/worker/worker-config';

/**
 * `unimatrix poller`: polls network devices over SSH for the CMA. One supervisor (the CMA link) and
 * one worker process per core by default, each holding persistent sessions to the devices the CMA
 * assigns it. Credentials and the TextFSM templates' folder come from `--config` (JSON, see
 * poller/worker/worker-config.ts); the poller's key is kept in `--state-dir`. Runs until SIGINT or
 * SIGTERM.
 */
export function registerPollerCommand(program: Command): void {
  program
    .command('poller')
    .description('poll network devices over SSH for the CMA (a worker process per core) until stopped')
    .requiredOption('--cma <host:port>', "the CMA's membership address")
    .requiredOption('--config <file>', 'JSON with credentials, templatesDir, pollIntervalSeconds')
    .option('--workers <n>', 'worker processes (default: one per core)')
    .option('--capacity <n>', 'sessions per worker (its weight in the assignment)', '2000')
    .option('--state-dir <dir>', "where the poller's key is kept", '.unimatrix/poller')
    .option('--hostname <name>', 'the name the poller announces', os.hostname())
    .option('--log-level <level>', 'log level', 'info')
    .action(async (opts: { cma: string; config: string; workers?: string; capacity: string; stateDir: string; hostname: string; logLevel: string }) => {
      const log = createLogger('poller', opts.logLevel);
      const [host, port] = opts.cma.split(':');
      if (host === undefined || host === '' || !/^\d+$/.test(port ?? '')) throw new Error(`--cma must be host:port, not ${opts.cma}`);
      const config = path.resolve(opts.config);
      loadWorkerConfig(config); // a bad file is said here, once, not by every worker
      const workers = opts.workers === undefined ? os.availableParallelism() : Number(opts.workers);
      const supervisor = new PollerSupervisor({
        workers,
        capacityPerWorker: Number(opts.capacity),
        entry: path.join(projectPackage().root, 'dist', 'poller', 'worker', 'worker-main.js'),
        workerArgs: ['--config', config],
        log,
        startAgent: (hooks) =>
          startPollerAgent({ ...hooks, cma: { host, port: Number(port) }, stateDir: opts.stateDir, hostname: opts.hostname, renewEveryMs: 10_000, log }),
      });
      await supervisor.start();
      log.info({ workers, keyId: supervisor.keyId, cma: opts.cma }, 'poller running');
      const stop = (): void => {
        void supervisor.stop().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
