#!/usr/bin/env node
import { Command } from 'commander';
import { softwareVersion } from '../nanoprobe/project-files';
import { PROTOCOL_VERSION } from '../protocol/security/packet-format';

/**
 * The one CLI entry; each subcommand lives in its own file under cli/commands/.
 *
 * Subcommands are loaded lazily: when the first argument names one, only that one is loaded. A
 * nanoprobe runs on every host of the fleet, and loading the CMA's modules (Neo4j driver, express,
 * pino) into it would cost each host memory for code it never runs (`npm run bench -- nanoprobe-idle`:
 * 70.6 MB through the CLI before, 59.3 MB after).
 */
type Registrar = (program: Command) => void;

const SUBCOMMANDS: Record<string, () => Registrar> = {
  cma: () => (require('./commands/cma-command') as typeof import('./commands/cma-command')).registerCmaCommand,
  neo4j: () => (require('./commands/neo4j-command') as typeof import('./commands/neo4j-command')).registerNeo4jCommand,
  demo: () => (require('./commands/demo-command') as typeof import('./commands/demo-command')).registerDemoCommand,
  nanoprobe: () => (require('./commands/nanoprobe-command') as typeof import('./commands/nanoprobe-command')).registerNanoprobeCommand,
  query: () => (require('./commands/query-command') as typeof import('./commands/query-command')).registerQueryCommand,
  emulator: () => (require('./commands/emulator-command') as typeof import('./commands/emulator-command')).registerEmulatorCommand,
  poller: () => (require('./commands/poller-command') as typeof import('./commands/poller-command')).registerPollerCommand,
};

const program = new Command();
program
  .name('unimatrix')
  .description('Graph-centric discovery and monitoring for fleets of servers and network devices')
  .version(`unimatrix ${softwareVersion()} (protocol ${PROTOCOL_VERSION})`, '-V, --version', 'print the version and the protocol version');

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(SUBCOMMANDS, named) ? [named] : Object.keys(SUBCOMMANDS);
for (const name of wanted) SUBCOMMANDS[name]!()(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`unimatrix: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
