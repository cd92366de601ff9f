/** Running short-lived commands (ip, lldpcli, probes) to completion, with a timeout and clear errors. */
import { execFile, execFileSync } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class LabCommandError extends Error {
  override name = 'LabCommandError';
  constructor(
    readonly argv: string[],
    readonly result: CommandResult,
  ) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with ${String(result.code)}`;
    super(`\`${argv.join(' ')}\` ${how}: ${result.stderr.trim() || result.stdout.trim() || '(no output)'}`);
  }
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** Runs a command and resolves with its outcome, whatever the exit status. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: options.env ?? process.env },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
        if (e && typeof e.code === 'string') {
          // Spawning failed (ENOENT and the like): report it as the command's own error output.
          resolve({ code: null, signal: null, stdout: '', stderr: `${command}: ${e.message}` });
          return;
        }
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command and throws a LabCommandError unless it exits 0. */
export async function mustRun(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) throw new LabCommandError([command, ...args], result);
  return result.stdout;
}

/** Synchronous variant for the process-exit hook, where nothing asynchronous runs any more. */
export function runSync(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).toString();
  } catch {
    return null;
  }
}
