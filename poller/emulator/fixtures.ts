/**
 * Sample outputs vendored under poller/emulator/fixtures/<platform>/<command>.txt (see the README
 * there): the file name is the command with spaces as underscores. tsc does not copy .txt files into
 * dist/, so they are read from the source tree, found through the project root, which is the same
 * place whether the code runs from sources (jest) or from dist/ (CLI, benches).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../common/project-package';
import type { PlatformId } from './device-profile';

export function fixturesDir(): string {
  return path.join(projectRoot(), 'poller', 'emulator', 'fixtures');
}

const cache = new Map<PlatformId, Readonly<Record<string, string>>>();

/** Canonical command → text, with line endings as LF and exactly one trailing newline. */
export function loadFixtures(platform: PlatformId): Readonly<Record<string, string>> {
  const hit = cache.get(platform);
  if (hit) return hit;
  const dir = path.join(fixturesDir(), platform);
  const out: Record<string, string> = {};
  if (existsSync(dir)) {
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.txt')) continue;
      const command = file.slice(0, -'.txt'.length).split('_').join(' ');
      const text = readFileSync(path.join(dir, file), 'utf8').replace(/\r\n?/g, '\n').replace(/\s+$/, '');
      out[command] = `${text}\n`;
    }
  }
  cache.set(platform, out);
  return out;
}
