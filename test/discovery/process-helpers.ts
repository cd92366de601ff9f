/** Helpers for tests that check no process is left behind. */
import { readFileSync } from 'node:fs';

/** True when the pid no longer runs (absent, or a zombie waiting for a parent that is not us). */
export function isGone(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state === 'Z' || state === 'X';
}

/** Waits until the pid is gone; SIGKILL is delivered asynchronously, so allow it a moment. */
export async function waitGone(pid: number, limitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (isGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return isGone(pid);
}

/** Reads the space-separated pids a fixture script wrote. */
export function readPids(file: string): number[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
