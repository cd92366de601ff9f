/**
 * Python's notion of line breaks and whitespace, which TextFSM inherits: templates and device output
 * must be cut into lines and trimmed exactly as `str.splitlines()` and `str.strip()` do, or a rule
 * that works under Python would see a different line here.
 */
import { rangesSource, type CodeRange } from './code-ranges';

/** Characters for which Python's `str.isspace()` is true (also what `\s` matches in a Unicode pattern). */
export const PY_WHITESPACE_RANGES: readonly CodeRange[] = [
  [0x09, 0x0d],
  [0x1c, 0x20],
  [0x85, 0x85],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** The same set as JavaScript class content (without brackets). */
export const PY_WHITESPACE_CLASS = rangesSource(PY_WHITESPACE_RANGES);

const LINE_BREAK = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/;
const LEADING = new RegExp(`^[${PY_WHITESPACE_CLASS}]+`, 'u');
const TRAILING = new RegExp(`[${PY_WHITESPACE_CLASS}]+$`, 'u');

/** `text.splitlines()`: no trailing empty line for a final break, `\r\n` is one break. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function pyStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

export function pyRstrip(s: string): string {
  return s.replace(TRAILING, '');
}
