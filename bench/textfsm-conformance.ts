/**
 * `npm run bench -- textfsm-conformance [--root DIR] [--repeat 20]`: the TextFSM engine against
 * ntc-templates' own test suite, and its speed on it.
 *
 * Runs every `tests/<platform>/<command>/*.raw` under the root through the template the index picks and
 * compares the records with the `.yml` beside it (exactly, as ntc-templates' test does). The root is
 * `../shared/ntc-templates` beside the repository when present (the whole upstream suite), else the
 * vendored subset in test/fixtures/ntc-templates. Then, with templates compiled and files read, parses
 * every raw `--repeat` times to measure throughput: `lines_per_s` is input lines parsed per second,
 * index lookup included. Failed cases are listed on stderr.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkCase, listCases, loadCase } from '../poller/textfsm/conformance';
import { TemplateLibrary } from '../poller/textfsm/template-library';

const progress = (message: string): void => void process.stderr.write(`[textfsm-conformance] ${message}\n`);
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The repository root: the nearest directory above this file (src or dist) with a package.json. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}

function defaultRoot(): { root: string; source: string } {
  const repo = repoRoot();
  const shared = path.resolve(repo, '..', 'shared', 'ntc-templates');
  if (existsSync(path.join(shared, 'templates', 'index'))) return { root: shared, source: 'shared' };
  return { root: path.join(repo, 'test', 'fixtures', 'ntc-templates'), source: 'vendored' };
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const given = option(args, 'root');
  const { root, source } = given !== undefined ? { root: path.resolve(given), source: 'given' } : defaultRoot();
  const repeat = Number(option(args, 'repeat') ?? 20);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a positive integer');
  progress(`cases from ${root}`);

  const library = new TemplateLibrary(path.join(root, 'templates'));
  const loaded = listCases(root).map(loadCase);
  const compileStart = process.hrtime.bigint();
  const results = loaded.map((c) => checkCase(library, c));
  const firstPassMs = Number(process.hrtime.bigint() - compileStart) / 1e6;
  const failed = results.filter((r) => !r.passed);
  for (const f of failed) progress(`FAIL ${f.case.name}: ${f.failure ?? ''}`);

  // Timed passes: templates are compiled and cached by the first pass, so this is parsing alone.
  const passing = loaded.filter((_c, i) => results[i]!.passed);
  const lines = passing.reduce((n, c) => n + c.lines, 0);
  const bytes = passing.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
  const start = process.hrtime.bigint();
  for (let r = 0; r < repeat; r++) {
    for (const c of passing) library.parseOutput(c.case.platform, c.case.command, c.text);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  progress(`${results.length - failed.length}/${results.length} passed; ${repeat} × ${lines} lines in ${seconds.toFixed(2)} s`);

  return {
    bench: 'textfsm-conformance',
    cases: results.length,
    passed: results.length - failed.length,
    failed: failed.length,
    lines_per_s: Math.round((lines * repeat) / seconds),
    mb_per_s: round((bytes * repeat) / seconds / 1e6, 2),
    source,
    templates_used: new Set(results.flatMap((r) => (r.passed ? library.findTemplate(r.case.platform, r.case.command).templates : []))).size,
    first_pass_ms: round(firstPassMs),
    repeat,
  };
}
