/**
 * Finds the executable for a discovery name in the configured script directories (the project's
 * discovery-scripts/ plus any the operator adds). A name matches a file called exactly that, or that
 * plus one extension (`os` finds `os.js`, `os.sh`, `os.py`). Earlier directories win, so an operator's
 * directory listed first can override a built-in script.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DISCOVERY_NAME_PATTERN } from '../../protocol/messages/discovery-envelope';

export type ResolvedScript =
  | { ok: true; path: string }
  | { ok: false; code: 'invalid_request' | 'script_not_found'; message: string };

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function stem(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

export function resolveScript(name: string, directories: readonly string[]): ResolvedScript {
  // The pattern has no slash and cannot start with a dot, so a name never leaves its directory.
  if (!DISCOVERY_NAME_PATTERN.test(name)) {
    return { ok: false, code: 'invalid_request', message: `"${name.slice(0, 80)}" is not a discovery name` };
  }
  for (const dir of directories) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    const exact = entries.filter((e) => e === name);
    const withExtension = entries.filter((e) => e !== name && stem(e) === name).sort();
    for (const candidate of [...exact, ...withExtension]) {
      const path = join(dir, candidate);
      if (isExecutableFile(path)) return { ok: true, path };
    }
  }
  return {
    ok: false,
    code: 'script_not_found',
    message: `no executable discovery script "${name}" in ${directories.join(', ') || '(no directories)'}`,
  };
}

/** Every discovery name available, for listing to an operator. */
export function listScripts(directories: readonly string[]): Array<{ name: string; path: string }> {
  const seen = new Map<string, string>();
  for (const dir of directories) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const e of entries) {
      const name = stem(e);
      const path = join(dir, e);
      if (!seen.has(name) && DISCOVERY_NAME_PATTERN.test(name) && isExecutableFile(path)) seen.set(name, path);
    }
  }
  return [...seen.entries()].map(([name, path]) => ({ name, path })).sort((a, b) => a.name.localeCompare(b.name));
}
