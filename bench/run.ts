import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench -- <name> [args…]`: runs bench/<name>.ts (compiled) and prints its figures as one
 * JSON line, the last line of output. Progress goes to stderr.
 */
type Bench = { main: (args: string[]) => Promise<Record<string, unknown>> };

function available(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.endsWith('.test.js'))
    .map((f) => f.replace(/\.js$/, ''))
    .filter((name) => typeof (require(path.join(__dirname, name)) as Partial<Bench>).main === 'function');
}

async function run(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name.startsWith('-')) {
    process.stderr.write(`usage: npm run bench -- <name> [args]\navailable: ${available().join(', ')}\n`);
    process.exit(2);
  }
  let bench: Partial<Bench>;
  try {
    bench = require(path.join(__dirname, name)) as Partial<Bench>;
  } catch {
    process.stderr.write(`no benchmark named ${JSON.stringify(name)}; available: ${available().join(', ')}\n`);
    process.exit(2);
  }
  if (typeof bench.main !== 'function') {
    process.stderr.write(`bench/${name} exports no main(); available: ${available().join(', ')}\n`);
    process.exit(2);
  }
  const figures = await bench.main(args);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  // Benchmarks may leave sockets or drivers half-closed; the figures are out, so leave.
  process.exit(0);
}

run().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
