import { Command } from 'commander';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { RunningCma, startCma } from '../../cma/cma-service';
import { createLogger } from '../../common/logger';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fleetSteps } from '../demo/demo-fleet-steps';
import { DemoStep, runSteps } from '../demo/demo-steps';
import { discoverySteps } from '../demo/demo-discovery-steps';
import { NanoprobeFleet } from '../demo/nanoprobe-fleet';
import { stopOnSignals } from '../shutdown';
import { parsePort } from './cma-command';

/**
 * `unimatrix demo`: the main job on the embedded default — starts the local Neo4j and the CMA, checks
 * them through the API, prints where the API is, and keeps running until Ctrl-C (or exits after the
 * checks with --once).
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the local Neo4j and the CMA and show them working')
    .option('--once', 'verify every step, then stop and exit (0 only when all passed)')
    .option('--discovery', 'run the discovery scripts (the default; kept for scripts written before it was)')
    .option('--no-discovery', 'membership only: the nanoprobes run no discovery scripts')
    .option('--api-port <port>', 'REST API port (default 8080; 0 picks a free one)', parsePort)
    .action(async (opts: { once?: boolean; apiPort?: number; discovery?: boolean }) => {
      const config = loadCmaConfig({ flags: { 'api.port': opts.apiPort ?? (opts.once ? 0 : undefined) } });
      // The demo never collides with a Neo4j already on 7687: its own data folder, a free port.
      config.neo4j.local.port = 0;
      config.neo4j.local.home = `${config.neo4j.local.home}-demo`;
      // Nanoprobes on loopback reach the CMA by unicast on a free port (loopback carries no multicast).
      config.membership.port = 0;
      config.membership.multicast.enabled = false;
      config.membership.stateDir = `${config.membership.stateDir}-demo`;
      // Ten "hosts" on one machine run every discovery script ten times at once: the load a busy host
      // sees, under which no live host may be declared dead (docs/performance.md, demo runs).
      config.discovery.enabled = opts.discovery !== false;
      // The CMA's log goes to a file: the steps below are what the demo shows, not interleaved JSON.
      mkdirSync(config.membership.stateDir, { recursive: true });
      const logFile = path.join(config.membership.stateDir, 'cma.log');
      const log = createLogger('cma', process.env.UNIMATRIX_LOG_LEVEL ?? 'info', createWriteStream(logFile, { flags: 'a' }));
      const print = (line: string): void => {
        process.stdout.write(`${line}\n`);
      };
      print(`CMA log: ${logFile}; nanoprobe logs: ${path.join(config.membership.stateDir, 'nanoprobes', '<host>', 'nanoprobe.log')}`);
      let cma: RunningCma | undefined;
      let fleet: NanoprobeFleet | undefined;
      const steps: DemoStep[] = [
        {
          title: config.neo4j.uri ? `start the CMA on ${config.neo4j.uri}` : 'start the local Neo4j and the CMA',
          run: async () => {
            cma = await startCma(config, log);
            return `neo4j ${cma.neo4jUri}, API ${cma.apiUrl}`;
          },
        },
        {
          title: 'ask the CMA for its health',
          run: async () => {
            const response = await fetch(`${cma!.apiUrl}/api/health`);
            const body = (await response.json()) as { status?: string; schema?: { version?: number } };
            if (response.status !== 200 || body.status !== 'ok') throw new Error(`health said ${response.status} ${JSON.stringify(body)}`);
            return `status ${body.status}, schema version ${body.schema?.version}`;
          },
        },
        ...fleetSteps(
          () => cma!,
          () => (fleet ??= new NanoprobeFleet({ host: '127.0.0.1', port: cma!.membership.address.port }, path.join(config.membership.stateDir, 'nanoprobes'))),
          (hosts) => (config.discovery.enabled ? discoverySteps(() => cma!, hosts) : []),
        ),
      ];
      const stopAll = async (): Promise<void> => {
        await fleet?.stopAll();
        await cma?.stop();
      };
      const outcome = await runSteps(steps, print);
      if (opts.once || !outcome.ok) {
        await stopAll();
        process.exit(outcome.ok ? 0 : 1);
      }
      const url = cma!.apiUrl;
      print(`\nUnimatrix is running with 10 nanoprobes. Try:\n  curl ${url}/api/hosts\n  curl ${url}/api/alerts\n  curl ${url}/api/rings\nPress Ctrl-C to stop.`);
      stopOnSignals(stopAll, print);
    });
}
