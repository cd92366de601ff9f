import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Who runs the local Neo4j of a data folder: written beside the data by whoever starts it (the CMA,
 * or `unimatrix neo4j start`), removed when it stops, read by `unimatrix neo4j status|stop` — so
 * the status is true whichever of them started it.
 */
export type Neo4jPidFile = { pid: number; uri: string; home: string; startedBy: 'cma' | 'neo4j start'; ownerPid: number };

export function pidFilePath(home: string): string {
  return path.join(home, 'unimatrix-neo4j.json');
}

export function readPidFile(home: string): Neo4jPidFile | undefined {
  const file = pidFilePath(home);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Neo4jPidFile;
  } catch {
    return undefined; // half-written by a process that died: as good as none
  }
}

export function writePidFile(entry: Neo4jPidFile): void {
  writeFileSync(pidFilePath(entry.home), JSON.stringify(entry));
}

/** Removes the file only if it still names `pid` (a newer start may have replaced it). */
export function removePidFile(home: string, pid: number): void {
  if (readPidFile(home)?.pid === pid) rmSync(pidFilePath(home), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
