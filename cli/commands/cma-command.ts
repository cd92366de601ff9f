import { Command } from 'commander';
import { ConfigError, loadCmaConfig } from '../../cma/config/cma-config';
import { startCma } from '../../cma/cma-service';
import { createLogger } from '../../common/logger';
import { stopOnSignals } from '../shutdown';

export function registerCmaCommand(program: Command): void {
  program
    .command('cma')
    .description('run the Collective Management Authority (starts the local Neo4j unless NEO4J_URI is set)')
    .option('-c, --config <file>', 'YAML configuration file (default: $UNIMATRIX_CONFIG)')
    .option('--api-port <port>', 'REST API port', parsePort)
    .option('--api-host <host>', 'REST API address')
    .option('--neo4j-uri <uri>', 'use this Neo4j instead of the local one')
    .option('--membership-port <port>', 'UDP port nanoprobes announce to and report on (default 1984)', parsePort)
    .action(async (opts: { config?: string; apiPort?: number; apiHost?: string; neo4jUri?: string; membershipPort?: number }) => {
      let config;
      try {
        config = loadCmaConfig({
          file: opts.config,
          flags: { 'api.port': opts.apiPort, 'api.host': opts.apiHost, 'neo4j.uri': opts.neo4jUri, 'membership.port': opts.membershipPort },
        });
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      const log = createLogger('cma', config.log.level);
      const cma = await startCma(config, log);
      stopOnSignals(() => cma.stop(), (m) => log.info(m));
    });
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`not a port number: ${value}`);
  return n;
}
