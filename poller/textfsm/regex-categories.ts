/**
 * The category escapes `\d \D \s \S \w \W` as JavaScript class content, and case variants for
 * hand-folded regions — the character-set knowledge the translator (regex-translate) needs, kept apart
 * from its parsing.
 */
import { complementRanges, rangesSource, type CodeRange } from './code-ranges';
import { PY_WHITESPACE_RANGES } from './python-text';

/**
 * Which of the two translations is being emitted: `full` is exact for any input, `fast` only for
 * ASCII input without line breaks (see regex-translate).
 */
export type Mode = 'fast' | 'full';

/** Python's Unicode `\w`: what `str.isalnum()` accepts, and `_`. */
export const UNICODE_WORD = '\\p{L}\\p{N}_';

/**
 * A category escape as class content. `ranges` goes between brackets; when `negated`, the category is
 * everything *outside* those ranges, which a `u`-mode class cannot hold as a member — so `complement`
 * is the same set as positive content, where one can be written (all but Unicode `\W`).
 */
export interface CategorySet {
  ranges: string;
  negated: boolean;
  complement?: string;
}

const ASCII_WORD_RANGES: readonly CodeRange[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const ASCII_DIGIT_RANGES: readonly CodeRange[] = [[0x30, 0x39]];
const ASCII_SPACE_RANGES: readonly CodeRange[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
];

function rangeSet(ranges: readonly CodeRange[], negated: boolean): CategorySet {
  return { ranges: rangesSource(ranges), negated, complement: rangesSource(complementRanges(ranges)) };
}

export function setSource(set: CategorySet): string {
  return `[${set.negated ? '^' : ''}${set.ranges}]`;
}

/** Code points that case-fold together, keyed by the fold; built on first use (hand folding is rare). */
let foldClasses: Map<string, number[]> | undefined;

/** Every cased script is below U+20000. */
const LAST_CASED = 0x1ffff;

function foldKey(cp: number): string {
  const upper = String.fromCodePoint(cp).toUpperCase();
  return [...upper].length === 1 ? upper.toLowerCase() : String.fromCodePoint(cp);
}

/**
 * The code points Python's IGNORECASE treats as equal to `cp`, for regions folded by hand. Unicode:
 * all that share `lower(upper(c))`, so `s` also finds `ſ` and `k` the Kelvin sign, as in Python. Under
 * the ASCII flag only ASCII letters fold, and only to each other.
 */
export function caseVariants(cp: number, ascii: boolean): number[] {
  if (ascii) {
    if (cp >= 0x41 && cp <= 0x5a) return [cp, cp + 0x20];
    if (cp >= 0x61 && cp <= 0x7a) return [cp, cp - 0x20];
    return [cp];
  }
  if (foldClasses === undefined) {
    foldClasses = new Map();
    for (let c = 0; c <= LAST_CASED; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const key = foldKey(c);
      const members = foldClasses.get(key);
      if (members === undefined) foldClasses.set(key, [c]);
      else members.push(c);
    }
  }
  return cp > LAST_CASED ? [cp] : (foldClasses.get(foldKey(cp)) ?? [cp]);
}

/** A category escape letter (`d D s S w W`) in the given mode, under Python's ASCII flag or not. */
export function categorySet(letter: string, mode: Mode, ascii: boolean): CategorySet {
  // On ASCII input JavaScript's own \d \w (and their negations) agree with Python's Unicode ones;
  // its \s does not (Python also counts \x1c-\x1f), so whitespace is always spelled out.
  if (mode === 'fast' && 'dDwW'.includes(letter)) return { ranges: `\\${letter}`, negated: false };
  const negated = letter === letter.toUpperCase();
  switch (letter.toLowerCase()) {
    case 'd':
      if (ascii) return rangeSet(ASCII_DIGIT_RANGES, negated);
      return { ranges: '\\p{Nd}', negated, complement: '\\P{Nd}' };
    case 's':
      return rangeSet(ascii ? ASCII_SPACE_RANGES : PY_WHITESPACE_RANGES, negated);
    default:
      if (ascii) return rangeSet(ASCII_WORD_RANGES, negated);
      return { ranges: UNICODE_WORD, negated };
  }
}
