#!/usr/bin/env node
import { Command } from 'commander';
import { registerCmaCommand } from './commands/cma-command';
import { registerDemoCommand } from './commands/demo-command';
import { registerNeo4jCommand } from './commands/neo4j-command';
import { registerNanoprobeCommand } from './commands/nanoprobe-command';
import { registerQueryCommand } from './commands/query-command';

/** The one CLI entry; each subcommand lives in its own file under cli/commands/. */
const program = new Command();
program.name('unimatrix').description('Graph-centric discovery and monitoring for fleets of servers and network devices');

registerCmaCommand(program);
registerNeo4jCommand(program);
registerDemoCommand(program);
registerNanoprobeCommand(program);
registerQueryCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`unimatrix: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
