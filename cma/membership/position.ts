/**
 * Where a host sits on a ring: a 48-bit number hashed from the ring's name and the host's id.
 *
 * Why a hash: members of a ring are kept in position order, so a join lands between two existing
 * neighbours and a leave re-links exactly two — constant work, whatever the ring's size. Salting with
 * the ring's name makes a host's global-ring neighbours independent of its topology-ring neighbours,
 * so the two rings give it different watchers. Positions are stored with the rings (see snapshot.ts),
 * so a restarted CMA rebuilds the same order even if this function changes in a later version.
 *
 * Not cryptographic: it needs spread, not secrecy, and hashing a million hosts must take milliseconds.
 * (A host that grinds key ids to land beside a victim gains little: one report never kills a host.)
 */

/** Exclusive upper bound of positions: 2^48, well inside a double's exact integers and Neo4j's int64. */
export const POSITION_SPACE = 2 ** 48;

export function ringPosition(ringName: string, host: string): number {
  // Two independent 32-bit lanes (FNV-style multiply-xor with different primes and seeds), each
  // finished with an avalanche mix so that similar ids spread over the whole ring.
  let a = 0x811c9dc5 ^ ringName.length;
  let b = 0x9747b28c ^ host.length;
  const feed = (code: number): void => {
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  };
  for (let i = 0; i < ringName.length; i++) feed(ringName.charCodeAt(i));
  feed(0x0a);
  for (let i = 0; i < host.length; i++) feed(host.charCodeAt(i));
  const hi = avalanche(a ^ Math.imul(b, 0x27d4eb2d)) & 0xffff;
  const lo = avalanche(b ^ Math.imul(a, 0x165667b1)) >>> 0;
  return hi * 2 ** 32 + lo;
}

function avalanche(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
