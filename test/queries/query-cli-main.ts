/**
 * A stand-in for cli/unimatrix.ts with only the query command registered, so tests can run
 * `unimatrix query …` as a real process before the lead registers the command in the real CLI.
 * Run with `node -r test/protocol/ts-require-hook.js test/queries/query-cli-main.ts query …`.
 */
import { Command } from 'commander';
import { registerQueryCommand } from '../../cli/commands/query-command';

const program = new Command();
program.name('unimatrix');
registerQueryCommand(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`unimatrix: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
