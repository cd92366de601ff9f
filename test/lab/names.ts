/**
 * How lab resources are named and owned. Every lab gets a random id; its namespaces are
 * `um-<id>-<node>` and its files live in `/run/unimatrix-lab/<id>/`, whose `owner.json` names the
 * process that created it. The sweep removes a lab only when that owner is gone, so labs of parallel
 * runs (other jest workers, other checkouts) are never touched.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** tmpfs, cleared at boot like /run/netns itself. */
export const LAB_ROOT = '/run/unimatrix-lab';

/** Environment variable carried by every process the harness starts; the sweep finds strays by it. */
export const LAB_ENV = 'UNIMATRIX_LAB';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 5;

/** Matches only the harness's own namespaces; group 1 is the lab id, group 2 the node name. */
export const NAMESPACE_PATTERN = /^um-([a-z0-9]{5})-([a-z][a-z0-9]{0,11})$/;

export function namespaceName(labId: string, node: string): string {
  return `um-${labId}-${node}`;
}

export function labDir(labId: string): string {
  return path.join(LAB_ROOT, labId);
}

export interface LabOwner {
  pid: number;
  /** Start time of the owner in clock ticks since boot, so a recycled pid is not mistaken for it. */
  startTicks: string;
}

/** Field 22 of /proc/<pid>/stat, or null when the process does not exist. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after its closing paren do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function ownerIsAlive(owner: LabOwner): boolean {
  return processStartTicks(owner.pid) === owner.startTicks;
}

export function readOwner(labId: string): LabOwner | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(labDir(labId), 'owner.json'), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { pid, startTicks } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof startTicks !== 'string') return null;
    return { pid, startTicks };
  } catch {
    return null;
  }
}

export function writeOwner(labId: string, owner: LabOwner): void {
  const file = path.join(labDir(labId), 'owner.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(owner));
  renameSync(`${file}.tmp`, file);
}

/**
 * Claims a fresh lab id: creating its directory is the atomic step, and the owner file is written
 * before any namespace exists, so a concurrent sweep never sees this lab's namespaces without an owner.
 */
export function claimLabId(): string {
  // World-traversable: lldpcli is setuid _lldpd and must reach the control sockets inside.
  mkdirSync(LAB_ROOT, { recursive: true, mode: 0o755 });
  chmodSync(LAB_ROOT, 0o755);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const bytes = randomBytes(ID_LENGTH);
    const id = [...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
    try {
      mkdirSync(labDir(id), { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    writeOwner(id, { pid: process.pid, startTicks: processStartTicks(process.pid) ?? '' });
    return id;
  }
  throw new Error(`could not claim a free lab id under ${LAB_ROOT}`);
}
