/**
 * Sets of code points as JavaScript (`u`-mode) class content. A negated category inside a Python class
 * (`[\S,]`) has to become ranges here, because a `u`-mode class cannot contain another negated class.
 */

/** An inclusive range of code points. */
export type CodeRange = readonly [number, number];

export const MAX_CODE_POINT = 0x10ffff;

/** A code point as a JavaScript regex literal that is safe both inside and outside a `u` class. */
export function literal(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCodePoint(cp);
  }
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/** Class content (no brackets) for sorted, disjoint ranges. */
export function rangesSource(ranges: readonly CodeRange[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? literal(lo) : `${literal(lo)}-${literal(hi)}`)).join('');
}

/** Every code point not in the sorted, disjoint ranges. */
export function complementRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const out: CodeRange[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}
