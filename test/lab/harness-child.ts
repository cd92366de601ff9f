/**
 * For the teardown tests: a separate Node process that uses the harness, so a test can watch what
 * happens when a lab's owner exits without destroying it, or is SIGKILLed. The child loads the
 * harness's TypeScript sources through ts-register.js (no build step needed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TS_REGISTER } from './ts-entry';

export interface HarnessChild {
  child: ChildProcess;
  /** Resolves with the first line the child prints that starts with "{", parsed. */
  firstJson: Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * Runs `body` (JavaScript, with `Lab` in scope) in a new Node process. The process exits 1 if `body`
 * rejects. stderr is collected for error messages.
 */
export function startHarnessChild(body: string): HarnessChild {
  const script = `
const { Lab } = require(${JSON.stringify(path.join(__dirname, 'lab.ts'))});
(async () => { ${body} })().catch((err) => { console.error(err); process.exit(1); });`;
  const child = spawn(process.execPath, ['-r', TS_REGISTER, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstJson = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
      const line = stdout.split('\n').find((l) => l.startsWith('{') && stdout.includes(`${l}\n`));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    void exited.then((code) => reject(new Error(`harness child exited (${String(code)}) first:\n${stdout}\n${stderr}`)));
  });
  return { child, firstJson, exited };
}

/** True when the pid no longer runs (absent, or a zombie). */
export function pidIsGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}
