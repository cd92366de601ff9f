/**
 * Output pipes: IOS-family `| include/exclude/begin/section/count REGEX` (one pipe; the rest of the
 * line is the regular expression, `|` included, as on IOS) and Junos `| match/except/count/no-more`
 * (chainable). Parsing reuses the command tree, so `| i` abbreviates `| include` as on the device.
 */
import { CommandTree, type MatchResult } from './command-tree';

export type Filter =
  | { kind: 'include' | 'exclude' | 'begin' | 'section'; pattern: RegExp }
  /** IOS `| count REGEX` counts the matching lines; Junos `| count` counts them all. */
  | { kind: 'count'; pattern?: RegExp }
  | { kind: 'no-more' };

type FilterKind = Filter['kind'];

const iosFilters = new CommandTree<FilterKind>()
  .add('include LINE', 'include')
  .add('exclude LINE', 'exclude')
  .add('begin LINE', 'begin')
  .add('section LINE', 'section')
  .add('count', 'count')
  .add('count LINE', 'count');

const junosFilters = new CommandTree<FilterKind>()
  .add('match LINE', 'include')
  .add('except LINE', 'exclude')
  .add('find LINE', 'begin')
  .add('count', 'count')
  .add('no-more', 'no-more');

export interface SplitLine {
  command: string;
  filters: Filter[];
}

/** A failed pipe: the match result and where the failing pipe segment starts in the line. */
export interface FilterError {
  result: Exclude<MatchResult<FilterKind>, { kind: 'command' } | { kind: 'empty' }>;
  segmentOffset: number;
}

function toRegExp(source: string, dialect: 'ios' | 'junos'): RegExp {
  // Junos quotes patterns and matches case-insensitively; IOS takes the text as typed.
  const unquoted = dialect === 'junos' ? source.replace(/^"(.*)"$/, '$1') : source;
  try {
    return new RegExp(unquoted, dialect === 'junos' ? 'i' : '');
  } catch {
    return new RegExp(unquoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), dialect === 'junos' ? 'i' : '');
  }
}

/** Junos splits at every `|` outside double quotes; IOS only at the first one. */
function segments(line: string, dialect: 'ios' | 'junos'): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    if (c === '|' && !quoted) {
      out.push({ text: line.slice(start, i), offset: start });
      start = i + 1;
      if (dialect === 'ios') break;
    }
  }
  out.push({ text: line.slice(start), offset: start });
  return out;
}

export function splitPipes(line: string, dialect: 'ios' | 'junos'): SplitLine | FilterError {
  const [first, ...rest] = segments(line, dialect);
  const filters: Filter[] = [];
  const tree = dialect === 'ios' ? iosFilters : junosFilters;
  for (const seg of rest) {
    const result = tree.match(seg.text);
    if (result.kind === 'empty') return { result: { kind: 'incomplete', wordIndex: 0, offset: seg.text.length }, segmentOffset: seg.offset };
    if (result.kind !== 'command') return { result, segmentOffset: seg.offset };
    const kind = result.action;
    if (kind === 'no-more') filters.push({ kind });
    else if (kind === 'count') filters.push(result.args[0] !== undefined ? { kind, pattern: toRegExp(result.args[0], dialect) } : { kind });
    else filters.push({ kind, pattern: toRegExp(result.args[0] ?? '', dialect) });
  }
  return { command: first?.text ?? '', filters };
}

export function isFilterError(x: SplitLine | FilterError): x is FilterError {
  return 'result' in x;
}

/** Applies the filters to output lines (no trailing newline handling: lines in, lines out). */
export function applyFilters(lines: string[], filters: readonly Filter[], dialect: 'ios' | 'junos'): string[] {
  let out = lines;
  for (const f of filters) {
    switch (f.kind) {
      case 'include':
        out = out.filter((l) => f.pattern.test(l));
        break;
      case 'exclude':
        out = out.filter((l) => !f.pattern.test(l));
        break;
      case 'begin': {
        const at = out.findIndex((l) => f.pattern.test(l));
        out = at < 0 ? [] : out.slice(at);
        break;
      }
      case 'section': {
        // A section is a matching unindented line and the indented lines under it.
        const kept: string[] = [];
        let inSection = false;
        for (const l of out) {
          const indented = /^\s/.test(l);
          if (!indented) inSection = f.pattern.test(l);
          else if (!inSection && f.pattern.test(l)) {
            kept.push(l);
            continue;
          }
          if (inSection) kept.push(l);
        }
        out = kept;
        break;
      }
      case 'count': {
        const pattern = f.pattern;
        if (pattern) out = out.filter((l) => pattern.test(l));
        out = [dialect === 'ios' ? `Number of lines which match regexp = ${out.length}` : `Count: ${out.length} lines`];
        break;
      }
      case 'no-more':
        break;
    }
  }
  return out;
}
