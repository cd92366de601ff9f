/**
 * The folder holding Unimatrix's package.json, and its version. Code runs both from the sources
 * (jest) and from dist/ (the CLI), so the depth below the root differs; walking up to the package
 * named unimatrix is the one answer for both, for every daemon.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ProjectPackage = { root: string; version: string };

let cached: ProjectPackage | undefined;

export function projectPackage(): ProjectPackage {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'unimatrix') {
        cached = { root: dir, version: typeof pkg.version === 'string' && pkg.version !== '' ? pkg.version : '0.0.0' };
        return cached;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the unimatrix package.json above ${__dirname}`);
    dir = parent;
  }
}

export function projectRoot(): string {
  return projectPackage().root;
}
