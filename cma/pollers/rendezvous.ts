/**
 * Which poller worker polls which device: weighted rendezvous (highest random weight) hashing. Every
 * (device, worker) pair gets a score from a hash of both names, scaled by the worker's capacity; a
 * device goes to the worker with the highest score. When a worker joins, only the devices it now
 * wins move (about weight / total of them, all to it); when one leaves, only its own devices move,
 * spread over the others by their weights. Nothing else changes hands, unlike `hash(device) % N`,
 * which moves nearly every device when N changes.
 *
 * The score is the logarithmic method (Schindelhauer and Schomaker; used by Ceph's straw2): with u
 * uniform in (0, 1) from the hash, `-weight / ln(u)` is highest for a worker with probability
 * proportional to its weight. Pure functions: the CMA keeps the assignment (and the handover that a
 * move needs) elsewhere.
 */
import { createHash } from 'node:crypto';

/** A capacity unit: one worker process of a poller, with a stable id (`<poller>/<index>`). */
export type Worker = { id: string; weight: number };

/** 53 bits of SHA-256 of the pair, as a number in (0, 1): uniform, and never 0 or 1. */
function unitHash(device: string, worker: string): number {
  const digest = createHash('sha256').update(device).update('\0').update(worker).digest();
  // 21 high bits and 32 low bits: 53 bits, exactly representable in a double.
  const bits = (digest.readUInt32BE(0) >>> 11) * 2 ** 32 + digest.readUInt32BE(4);
  return (bits + 0.5) / 2 ** 53;
}

/** The score of `worker` for `device`; the highest wins. Workers of weight ≤ 0 never win. */
export function score(device: string, worker: Worker): number {
  if (!(worker.weight > 0)) return -Infinity;
  return -worker.weight / Math.log(unitHash(device, worker.id));
}

/** The worker that polls `device`, or null when no worker can take it. Ties go to the smaller id. */
export function ownerOf(device: string, workers: readonly Worker[]): string | null {
  let best: { id: string; score: number } | null = null;
  for (const w of workers) {
    const s = score(device, w);
    if (s === -Infinity) continue;
    if (best === null || s > best.score || (s === best.score && w.id < best.id)) best = { id: w.id, score: s };
  }
  return best?.id ?? null;
}

/** Every device's worker (devices no worker can take are left out). */
export function assign(devices: Iterable<string>, workers: readonly Worker[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of devices) {
    const owner = ownerOf(d, workers);
    if (owner !== null) out.set(d, owner);
  }
  return out;
}

export type Move = { device: string; from: string | null; to: string | null };

/** The devices whose worker differs between two assignments: what a handover has to move. */
export function movesBetween(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Move[] {
  const moves: Move[] = [];
  for (const [device, to] of after) {
    const from = before.get(device) ?? null;
    if (from !== to) moves.push({ device, from, to });
  }
  for (const [device, from] of before) if (!after.has(device)) moves.push({ device, from, to: null });
  return moves;
}
