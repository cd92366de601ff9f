/**
 * When each device is polled. The first poll of a device comes at a fixed fraction of the interval
 * given by a hash of its name: stable across restarts and independent of the order devices were
 * added, so a fleet's polls are spread evenly and a device keeps its slot. After that, polls follow
 * at a fixed rate (due + interval), not "interval after the last one ended", so slow answers do not
 * make the schedule drift. Pure.
 */
import { fnv1a32 } from '../../common/hash';

/** ms into the interval for this device's first poll, in [0, intervalMs). */
export function firstPollOffset(name: string, intervalMs: number): number {
  return (mix32(fnv1a32(name)) / 2 ** 32) * intervalMs;
}

/**
 * MurmurHash3's finaliser: FNV-1a alone leaves names that differ in their last digit (dev0001,
 * dev0002, …) clustered in its high bits, which would bunch their polls.
 */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The slot after `due`; when `now` is already past it (the process was stalled), the first slot
 * after `now`, with how many slots were skipped on the way.
 */
export function nextDue(due: number, intervalMs: number, now: number): { due: number; skipped: number } {
  const next = due + intervalMs;
  if (next > now) return { due: next, skipped: 0 };
  const behind = Math.floor((now - next) / intervalMs) + 1;
  return { due: next + behind * intervalMs, skipped: behind };
}
