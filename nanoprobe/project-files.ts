/**
 * Where the nanoprobe finds the files it ships with: the project's package.json (its software version)
 * and the built-in discovery-scripts/ folder. Code runs both from the sources (jest) and from dist/
 * (the CLI), so the depth below the root differs; walking up to Unimatrix's package.json works for both.
 * (The CMA has its own copy of this walk: the nanoprobe must not depend on cma/.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

type PackageFacts = { root: string; version: string };

let cached: PackageFacts | undefined;

function findPackage(): PackageFacts {
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

/** The version announced to the CMA (package.json's `version`, at most 64 characters as the wire allows). */
export function softwareVersion(): string {
  return findPackage().version.slice(0, 64);
}

/** The project's own discovery scripts, searched after any directories the operator adds. */
export function builtinDiscoveryDirectory(): string {
  return path.join(findPackage().root, 'discovery-scripts');
}
