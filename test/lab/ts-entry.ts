/** Starting the project's TypeScript entry points as real processes, without a build step. */
import path from 'node:path';

/** The `-r` hook that lets Node load .ts files (see ts-register.js). */
export const TS_REGISTER = path.join(__dirname, 'ts-register.js');

/**
 * Node arguments that run a TypeScript file as the main module, e.g.
 * `host.spawn(process.execPath, tsEntryArgs('cli/unimatrix.ts', ['nanoprobe', …]))`.
 * Relative entries are resolved from the repository root.
 */
export function tsEntryArgs(entry: string, args: string[] = []): string[] {
  return ['-r', TS_REGISTER, path.resolve(__dirname, '..', '..', entry), ...args];
}
