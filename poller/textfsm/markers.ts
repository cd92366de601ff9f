/**
 * Placeholders for capture-group openings and back-references in translated regex source.
 *
 * The translator does not know a group's final JavaScript number while it emits (hidden helper groups
 * are added around repetitions and atomic groups), and the same fragment is later reused inside other
 * regexes (see repeat-captures), where the numbers differ again. So openings and references are
 * written as markers with a stable id and numbered only when a whole regex is assembled.
 * Private-use characters never appear raw in translated source otherwise, because every non-ASCII
 * literal is emitted as an escape.
 */
export const OPEN = '\uE000';
export const REF = '\uE001';
export const END = '\uE002';

const OPEN_RE = new RegExp(`${OPEN}(\\d+)${END}`, 'g');
const REF_RE = new RegExp(`${REF}(\\d+)${END}`, 'g');
const ANY_RE = new RegExp(`([${OPEN}${REF}])(\\d+)${END}`, 'g');

export interface ResolvedSource {
  readonly source: string;
  /** JavaScript group number of each marker id opened in the source. */
  readonly jsIndexOfMarker: ReadonlyMap<number, number>;
  /** False when a back-reference names a group that is not opened in this source. */
  readonly complete: boolean;
}

/** Number the groups in order of their opening parenthesis and write references as `\n`. */
export function resolveMarkers(source: string): ResolvedSource {
  const jsIndexOfMarker = new Map<number, number>();
  let next = 0;
  const opened = source.replace(OPEN_RE, (_all, id: string) => {
    jsIndexOfMarker.set(Number(id), ++next);
    return '(';
  });
  let complete = true;
  const resolved = opened.replace(REF_RE, (_all, id: string) => {
    const index = jsIndexOfMarker.get(Number(id));
    if (index === undefined) {
      complete = false;
      return '';
    }
    // Every reference is emitted followed by `)` (see the translator), so a digit never follows.
    return `\\${index}`;
  });
  return { source: resolved, jsIndexOfMarker, complete };
}

/** The same fragment with every marker id moved by `offset`, so it can appear twice in one regex. */
export function offsetMarkers(source: string, offset: number): string {
  return source.replace(ANY_RE, (_all, kind: string, id: string) => `${kind}${Number(id) + offset}${END}`);
}
