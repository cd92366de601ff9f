/**
 * Which top-level folder may import which (docs/architecture.md, "Dependencies"): `common/` is shared
 * code that knows nothing else of the project; `protocol/` is the wire, uses `common/` and knows no
 * daemon; the
 * daemons `cma/`, `nanoprobe/` and `poller/` use those two and never each other. `cli/`, `bench/`
 * and `test/` sit on top and may use everything. A daemon's own tests may also use `test/` helpers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** For each folder, the project folders its code may import (itself always). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  protocol: ['common'],
  common: [],
  agent: ['protocol', 'common'],
  cma: ['protocol', 'common'],
  nanoprobe: ['agent', 'protocol', 'common'],
  poller: ['agent', 'protocol', 'common'],
};

export type Violation = { file: string; imports: string; from: string; to: string };

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** The relative import specifiers of one TypeScript source. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) if (m[1]!.startsWith('.')) out.push(m[1]!);
  return out;
}

/** Top-level folder of a path relative to the root ('' for files at the root). */
function topOf(relative: string): string {
  const parts = relative.split(path.sep);
  return parts.length > 1 ? parts[0]! : '';
}

/** Checks `files` (paths relative to `root`, with their sources) against the rules. */
export function checkDependencies(files: Array<{ file: string; source: string }>): Violation[] {
  const violations: Violation[] = [];
  for (const { file, source } of files) {
    const from = topOf(file);
    const allowed = ALLOWED[from];
    if (allowed === undefined) continue; // cli/, bench/, test/, scripts: on top of everything
    const isTest = /\.test\.ts$/.test(file);
    for (const spec of importsOf(source)) {
      const target = path.normalize(path.join(path.dirname(file), spec));
      const to = topOf(target);
      if (to === from || to === '' || allowed.includes(to)) continue;
      if (isTest && to === 'test') continue;
      violations.push({ file, imports: spec, from, to });
    }
  }
  return violations;
}

/** Every .ts file under the rule-bound folders of `root`. */
export function sourcesUnder(root: string): Array<{ file: string; source: string }> {
  const out: Array<{ file: string; source: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push({ file: path.relative(root, full), source: readFileSync(full, 'utf8') });
    }
  };
  for (const top of Object.keys(ALLOWED)) {
    try {
      if (statSync(path.join(root, top)).isDirectory()) walk(path.join(root, top));
    } catch {
      // a folder not made yet (poller/)
    }
  }
  return out;
}

