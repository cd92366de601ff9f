/**
 * Python's capture values for groups inside a repetition, recovered after a JavaScript match.
 *
 * In Python, a group inside a repeated group keeps the value of the last iteration it took part in:
 * `re.match(r'((?P<cap>\w+)?\s)+', 'BR  ').group('cap')` is 'BR'. JavaScript clears inner groups at
 * the start of every iteration, so the same match leaves `cap` undefined. ntc-templates depends on
 * Python's behaviour (`cisco_nxos show lldp neighbors`: `(${CAPABILITIES}?\s)+`).
 *
 * Both engines choose the same overall match (same backtracking order), so only inner groups that
 * JavaScript reports as not taking part can differ. For those, the repetition's span (a hidden group
 * around it) is split into iterations again, each one matched on its own: iteration k is the first way
 * the atom matches at the current position such that the rest of the span can still be covered by
 * the remaining iterations — which is how the backtracking engine split it. The value of a group is
 * then that of the last iteration where it took part (recursively, for repetitions inside repetitions).
 *
 * This work happens only for matches where such a group is missing, and each walker regex is cached.
 */
import { offsetMarkers, resolveMarkers } from './markers';
import type { RepeatInfo, RepeatNode } from './regex-translate';

/** Marker ids of the second copy of a body inside a walker regex: far above any real id. */
const COPY_OFFSET = 1_000_000;
/** Bound on the walker cache per node: spans end at many positions on long output. */
const MAX_WALKERS_PER_NODE = 256;

interface Walker {
  readonly regex: RegExp;
  readonly jsIndexOfMarker: ReadonlyMap<number, number>;
}

export class RepeatCaptures {
  private indexed: RegExp | undefined;
  private readonly walkers = new Map<RepeatNode, Map<string, Walker | null>>();

  constructor(
    private readonly info: RepeatInfo,
    /** The whole regex's source and flags (without `y`/`d`), to re-run it with indices. */
    private readonly source: string,
    private readonly flags: string,
  ) {}

  get needed(): boolean {
    return this.info.nodes.length > 0;
  }

  /** Fill in, in place, the groups of `m` that Python would have kept from an earlier iteration. */
  apply(m: RegExpExecArray, input: string): void {
    const jsIndex = this.info.jsIndexOfMarker;
    const missing = this.info.nodes.filter(
      (node) => m[jsIndex.get(node.marker)!] !== undefined && node.groupMarkers.some((g) => m[jsIndex.get(g)!] === undefined),
    );
    if (missing.length === 0) return;
    this.indexed ??= new RegExp(this.source, `${this.flags}dy`);
    this.indexed.lastIndex = m.index;
    const withIndices = this.indexed.exec(input);
    if (withIndices?.indices === undefined || withIndices[0] !== m[0]) return;
    for (const node of missing) {
      const span = withIndices.indices[jsIndex.get(node.marker)!];
      if (span === undefined) continue;
      const values = this.walk(node, input, span[0], span[1]);
      if (values === undefined) continue;
      for (const g of node.groupMarkers) {
        const i = jsIndex.get(g)!;
        if (m[i] === undefined && values.has(g)) m[i] = values.get(g)!;
      }
    }
  }

  /**
   * Python's values of the node's inner groups over the span [start, end), or undefined when the span
   * cannot be split again (a construct the walker cannot reproduce, such as a back-reference to a group
   * outside the repetition), in which case JavaScript's values stand.
   */
  private walk(node: RepeatNode, input: string, start: number, end: number): Map<number, string> | undefined {
    const values = new Map<number, string>();
    const endCodePoints = countCodePoints(input, end);
    let pos = start;
    for (let k = 0; pos < end || k < node.min; k++) {
      if (k >= node.max) return undefined;
      const walker = this.walker(node, endCodePoints, Math.max(0, node.min - k - 1), node.max - k - 1);
      if (walker === null) return undefined;
      walker.regex.lastIndex = pos;
      const m = walker.regex.exec(input);
      if (m?.indices === undefined) return undefined;
      const iteration = new Map<number, string>();
      for (const g of node.groupMarkers) {
        const v = m[walker.jsIndexOfMarker.get(g)!];
        if (v !== undefined) iteration.set(g, v);
      }
      for (const child of node.children) {
        const span = m.indices[walker.jsIndexOfMarker.get(child.marker)!];
        if (span === undefined || child.groupMarkers.every((g) => iteration.has(g))) continue;
        const inner = this.walk(child, input, span[0], span[1]);
        if (inner === undefined) return undefined;
        for (const [g, v] of inner) if (!iteration.has(g)) iteration.set(g, v);
      }
      for (const [g, v] of iteration) values.set(g, v);
      const next = m.index + m[0].length;
      // An empty iteration ends a repetition in both engines.
      if (next === pos) break;
      pos = next;
    }
    return values;
  }

  /**
   * `(?:body)` followed by a check that `lo`..`hi` more iterations reach exactly code point `endCp`:
   * sticky, so it matches one iteration at a given position, choosing as the engine did.
   */
  private walker(node: RepeatNode, endCp: number, lo: number, hi: number): Walker | null {
    let cache = this.walkers.get(node);
    if (cache === undefined) {
      cache = new Map();
      this.walkers.set(node, cache);
    }
    const key = `${endCp},${lo},${hi}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const count = hi === Infinity ? `{${lo},}` : `{${lo},${hi}}`;
    const rest = `(?:${offsetMarkers(node.body, COPY_OFFSET)})${count}`;
    const resolved = resolveMarkers(`(?:${node.body})(?=${rest}(?<=^[^]{${endCp}}))`);
    let walker: Walker | null = null;
    if (resolved.complete) {
      try {
        walker = { regex: new RegExp(resolved.source, `${this.flags}dy`), jsIndexOfMarker: resolved.jsIndexOfMarker };
      } catch {
        walker = null;
      }
    }
    if (cache.size >= MAX_WALKERS_PER_NODE) cache.clear();
    cache.set(key, walker);
    return walker;
  }
}

/** Code points in `s` before UTF-16 offset `end` (`u`-mode `[^]` counts code points). */
function countCodePoints(s: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
