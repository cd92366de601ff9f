/**
 * Removing what crashed runs left behind: namespaces named by the harness's scheme whose owner process
 * is gone, the processes still running in them or carrying their lab id, and their lab directories.
 * Labs whose owner still runs are never touched, so parallel runs are safe.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { listNetnsEtc, removeNetnsEtc } from './etc-files';
import { LAB_ENV, LAB_ROOT, NAMESPACE_PATTERN, labDir, ownerIsAlive, readOwner } from './names';
import { deleteNamespace, listNamespaces } from './netns';

export interface SweepReport {
  /** Lab ids removed. */
  labs: string[];
  namespaces: string[];
  /** Processes killed by their lab id (those outside the lab's namespaces, e.g. relays). */
  processes: number[];
}

/** A lab directory without an owner file this young may be one being created right now. */
const CLAIM_GRACE_MS = 60_000;

/** Pids of processes started by the harness for lab `labId`, found by the environment they carry. */
export function findLabProcesses(labId: string): number[] {
  const marker = `${LAB_ENV}=${labId}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // Exited while we looked, or a kernel thread: not ours.
    }
  }
  return found;
}

export function killLabProcesses(labId: string): number[] {
  const pids = findLabProcesses(labId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  return pids;
}

function labIdsOnDisk(): string[] {
  try {
    return readdirSync(LAB_ROOT).filter((name) => /^[a-z0-9]{5}$/.test(name));
  } catch {
    return [];
  }
}

function isStale(labId: string, hasNamespaces: boolean): boolean {
  const owner = readOwner(labId);
  if (owner) return !ownerIsAlive(owner);
  if (hasNamespaces) return true;
  try {
    return Date.now() - statSync(labDir(labId)).mtimeMs > CLAIM_GRACE_MS;
  } catch {
    return false;
  }
}

export async function sweepStaleLabs(): Promise<SweepReport> {
  const byLab = new Map<string, string[]>();
  for (const ns of await listNamespaces()) {
    const id = NAMESPACE_PATTERN.exec(ns)?.[1];
    if (id) byLab.set(id, [...(byLab.get(id) ?? []), ns]);
  }
  for (const id of labIdsOnDisk()) if (!byLab.has(id)) byLab.set(id, []);
  const etcDirs = listNetnsEtc().filter((name) => NAMESPACE_PATTERN.test(name));
  for (const name of etcDirs) {
    const id = NAMESPACE_PATTERN.exec(name)?.[1] as string;
    if (!byLab.has(id)) byLab.set(id, []);
  }

  const report: SweepReport = { labs: [], namespaces: [], processes: [] };
  for (const [id, namespaces] of byLab) {
    if (!isStale(id, namespaces.length > 0)) continue;
    report.processes.push(...killLabProcesses(id));
    for (const ns of namespaces) {
      await deleteNamespace(ns);
      report.namespaces.push(ns);
    }
    removeNetnsEtc(etcDirs.filter((name) => NAMESPACE_PATTERN.exec(name)?.[1] === id));
    rmSync(labDir(id), { recursive: true, force: true });
    report.labs.push(id);
  }
  return report;
}
