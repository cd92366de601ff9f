import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The folder holding Unimatrix's package.json. Code runs both from the sources (jest) and from dist/
 * (the CLI), so the depth below the root differs; walking up is the one answer for both.
 */
export function projectRoot(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
      if (pkg.name === 'unimatrix') {
        cached = dir;
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the unimatrix package.json above ${__dirname}`);
    dir = parent;
  }
}
