/**
 * Python `re` pattern syntax → JavaScript RegExp source.
 *
 * TextFSM templates are written for Python's `re` module, whose syntax and semantics differ from
 * JavaScript's in many small ways: `(?P<name>…)` groups, `\Z`, literal `]` or `{`, `{,n}`, Unicode-aware
 * `\d \w \s \b` on text, `$` that also matches before a final newline, unknown escapes being errors,
 * and more. Rather than patching the pattern text, this is a small recursive-descent parser of Python's
 * grammar that re-emits every construct in an equivalent, unambiguous JavaScript form (`u` flag), and
 * rejects what Python itself rejects, so a template that fails under Python fails here too.
 *
 * Why `u` and not `v` (which has nested classes and would make `[\S,]` simpler): V8 in Node 20
 * mis-matches some `v`-mode patterns — `/^(?:a[^x]){2}/v` fails on "a a " — and ntc-templates'
 * `arista_eos show vrf` has exactly that shape. So a negated category inside a class is written as
 * its complement ranges (see code-ranges).
 *
 * Capturing groups are emitted without names: JavaScript group names must be unique identifiers and
 * the caller needs Python's numbering and names anyway, so names are kept in a side table mapping each
 * name to the JavaScript group index.
 *
 * Two sources are produced. `full` is exact for any input. `fast` is exact only for input that is pure
 * ASCII with no `\n` or `\r` — which is nearly every line of device output — and uses the cheaper native
 * classes (`\d`, `\w`, `\b`, `.`, `$`) that agree with Python on such input.
 */
import { literal } from './code-ranges';
import { END, OPEN, REF, resolveMarkers } from './markers';
import { caseVariants, categorySet, setSource, UNICODE_WORD, type CategorySet, type Mode } from './regex-categories';

/** A pattern Python's `re` would reject, or one that uses a feature this translator does not have. */
export class PyRegexError extends Error {
  override readonly name = 'PyRegexError';
  readonly position: number;
  readonly pattern: string;
  constructor(message: string, pattern: string, position: number) {
    super(`${message} at position ${position}`);
    this.position = position;
    this.pattern = pattern;
  }
}

export interface NamedGroup {
  readonly name: string;
  /** Python's group number (1-based). */
  readonly group: number;
  /** Index of the same group in a JavaScript match array. */
  readonly jsIndex: number;
}

export interface TranslatedRegex {
  /** Exact for every input string. */
  readonly full: string;
  /** Exact for input that is ASCII and contains neither `\n` nor `\r` (see `isFastInput`). */
  readonly fast: string;
  /** `u`, plus `i` when the whole pattern is case-insensitive. */
  readonly flags: string;
  /** Python's `pattern.groups`. */
  readonly groupCount: number;
  /** Named groups, in Python group order. */
  readonly named: readonly NamedGroup[];
  /** JavaScript match-array index of each Python group number (index 0 is the whole match). */
  readonly jsIndexOfGroup: readonly number[];
  /** Repetitions whose inner groups JavaScript clears between iterations, per form. */
  readonly repeats: { readonly full: RepeatInfo; readonly fast: RepeatInfo };
}

/**
 * A repetition (at most more than once) of an atom with capture groups inside it. Python keeps such a
 * group's value from the last iteration it took part in; JavaScript clears it at the start of every
 * iteration, so `((?P<cap>\w+)?\s)+` on "BR  " gives Python "BR" and JavaScript nothing. The node
 * holds what repeat-captures needs to walk the iterations again and recover Python's value.
 */
export interface RepeatNode {
  /** Marker of the hidden group spanning the whole repetition. */
  readonly marker: number;
  /** Source of the repeated atom, markers unresolved. */
  readonly body: string;
  readonly min: number;
  /** Infinity when unbounded. */
  readonly max: number;
  /** Markers of the Python groups strictly inside the atom (any depth). */
  readonly groupMarkers: readonly number[];
  /** Such repetitions nested inside the atom. */
  readonly children: readonly RepeatNode[];
}

export interface RepeatInfo {
  readonly nodes: readonly RepeatNode[];
  readonly jsIndexOfMarker: ReadonlyMap<number, number>;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

const ASCII_WORD_CLASS = '[A-Za-z0-9_]';
const UNICODE_WORD_CLASS = `[${UNICODE_WORD}]`;
const MAXREPEAT = 4294967295;
const DIGITS = /[0-9]/;
const OCTAL = /[0-7]/;
const HEX = /^[0-9a-fA-F]+$/;
const ASCII_LETTER = /[A-Za-z]/;
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;
const VERBOSE_SPACE = /[ \t\n\r\v\f]/;

/** One emitted piece of the sequence being built, with what Python allows to follow it. */
interface Atom {
  src: string;
  /** The atom is itself a capture group (so the first group inside it is its own). */
  capture?: boolean;
  /** Anchors (`^`, `$`, `\b`, …) cannot take a quantifier in Python. */
  repeatable: boolean;
  /** A JavaScript lookaround must be wrapped in a group before a quantifier. */
  wrapForQuantifier: boolean;
}

/** An atom a quantifier may follow directly: a character, class, group or back-reference. */
const repeatable = (src: string): Atom => ({ src, repeatable: true, wrapForQuantifier: false });
/** An anchor, which Python refuses to repeat. */
const anchor = (src: string): Atom => ({ src, repeatable: false, wrapForQuantifier: false });

/** A single code point or a set item inside a class, as Python's class parser sees it. */
type ClassItem = { kind: 'char'; cp: number } | { kind: 'set'; set: CategorySet };

class Translator {
  private pos = 0;
  private flags: Flags;
  private groups = 0;
  /** Marker ids allocated for groups; Python groups and hidden helpers share one id space. */
  private markerIds = 0;
  private readonly markerOfGroup: number[] = [0];
  private readonly namesToGroup = new Map<string, number>();
  private readonly named: Array<{ name: string; group: number }> = [];
  private readonly open = new Set<number>();
  /** Markers of Python groups in order of opening: the groups inside an atom are a slice of it. */
  private readonly captureLog: number[] = [];
  /** Repetition nodes not (yet) inside another one; an enclosing repetition takes its slice. */
  private readonly repeatLog: RepeatNode[] = [];

  constructor(
    private readonly pattern: string,
    initial: Flags,
    private readonly mode: Mode,
    /** Fold case by hand (character classes) instead of the `i` flag. */
    private readonly manualCase: boolean,
  ) {
    this.flags = { ...initial };
  }

  private fail(message: string, at = this.pos): never {
    throw new PyRegexError(message, this.pattern, at);
  }

  private peek(offset = 0): string | undefined {
    return this.pattern[this.pos + offset];
  }

  private eat(s: string): boolean {
    if (this.pattern.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  /** Read one code point (patterns may hold characters outside the BMP). */
  private nextChar(): string | undefined {
    const cp = this.pattern.codePointAt(this.pos);
    if (cp === undefined) return undefined;
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  private skipVerbose(): void {
    if (!this.flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c !== undefined && VERBOSE_SPACE.test(c)) {
        this.pos++;
      } else if (c === '#') {
        while (this.peek() !== undefined && this.peek() !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  run(): { source: string; groups: number; named: Array<{ name: string; group: number }>; markerOfGroup: number[]; repeats: RepeatNode[] } {
    if (this.flags.i && this.flags.a && !this.manualCase) throw new RestartWithManualCase();
    const source = this.alternation();
    if (this.pos < this.pattern.length) {
      // Only an unbalanced ')' stops the top-level alternation early.
      this.fail('unbalanced parenthesis');
    }
    return { source, groups: this.groups, named: this.named, markerOfGroup: this.markerOfGroup, repeats: this.repeatLog };
  }

  private alternation(): string {
    const branches = [this.sequence()];
    while (this.eat('|')) branches.push(this.sequence());
    return branches.join('|');
  }

  private sequence(): string {
    const parts: string[] = [];
    let last: Atom | undefined;
    // Where the last atom's groups and repetition nodes start in the logs.
    let lastCaptures = 0;
    let lastRepeats = 0;
    let lastQuantified = false;
    for (;;) {
      this.skipVerbose();
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      const q = this.quantifier();
      if (q !== undefined) {
        if (last === undefined || !last.repeatable) this.fail('nothing to repeat', q.at);
        if (lastQuantified) this.fail('multiple repeat', q.at);
        const base = last.wrapForQuantifier ? `(?:${last.src})` : last.src;
        // `X?` as an alternation: JavaScript refuses an optional iteration that matches empty and
        // backtracks into X for a longer way, while Python takes the empty match (so `(?:(?P<v>.*))?`
        // sets v to '' there, not None). With no quantifier left, JavaScript has no such check.
        const optional = q.min === 0 && q.max === 1 ? (q.lazy ? `(?:|${base})` : `(?:${base}|)`) : base + q.src;
        let src = q.possessive ? this.atomic(optional) : optional;
        // The atom's own group keeps its last iteration in both languages; only groups inside differ.
        const inner = this.captureLog.slice(lastCaptures + (last.capture ? 1 : 0));
        if (q.max > 1 && inner.length > 0) {
          const marker = ++this.markerIds;
          const children = this.repeatLog.splice(lastRepeats);
          this.repeatLog.push({ marker, body: base, min: q.min, max: q.max, groupMarkers: inner, children });
          src = `${OPEN}${marker}${END}${src})`;
        }
        parts[parts.length - 1] = src;
        lastQuantified = true;
        continue;
      }
      const captures = this.captureLog.length;
      const repeats = this.repeatLog.length;
      const atom = this.atom();
      // A comment or a global flag group emits nothing and, as in Python, leaves the previous atom
      // as the one a following quantifier applies to.
      if (atom === undefined) continue;
      parts.push(atom.src);
      last = atom;
      lastCaptures = captures;
      lastRepeats = repeats;
      lastQuantified = false;
    }
    return parts.join('');
  }

  /** Emulates an atomic group: a lookahead cannot be backtracked into, and the back-reference consumes it. */
  private atomic(inner: string): string {
    const id = ++this.markerIds;
    return `(?:(?=${OPEN}${id}${END}${inner}))${REF}${id}${END})`;
  }

  /** A quantifier at the current position, or undefined (a `{` that is not one is a literal). */
  private quantifier(): { src: string; min: number; max: number; lazy: boolean; possessive: boolean; at: number } | undefined {
    const at = this.pos;
    const c = this.peek();
    let src: string;
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      src = c;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{([0-9]*)(?:(,)([0-9]*))?\}/.exec(this.pattern.slice(this.pos));
      if (!m || this.peek(1) === '}') return undefined;
      const lo = m[1] ?? '';
      const hi = m[2] !== undefined ? (m[3] ?? '') : lo;
      min = lo === '' ? 0 : Number(lo);
      max = hi === '' ? Infinity : Number(hi);
      if (min >= MAXREPEAT || (hi !== '' && max >= MAXREPEAT)) this.fail('the repetition number is too large', at);
      if (max < min) this.fail('min repeat greater than max repeat', at);
      this.pos += m[0].length;
      src = hi === '' ? `{${min},}` : min === max && m[2] === undefined ? `{${min}}` : `{${min},${max}}`;
    } else {
      return undefined;
    }
    let possessive = false;
    const lazy = this.eat('?');
    if (lazy) src += '?';
    else if (this.eat('+')) possessive = true;
    return { src, min, max, lazy, possessive, at };
  }

  private atom(): Atom | undefined {
    const at = this.pos;
    const c = this.nextChar()!;
    switch (c) {
      case '(':
        return this.group(at);
      case '[':
        return repeatable(this.charClass());
      case '\\':
        return this.escape(at);
      case '.':
        return repeatable(this.dot());
      case '^':
        return anchor(this.caret());
      case '$':
        return anchor(this.dollar());
      default:
        return repeatable(this.char(c.codePointAt(0)!));
    }
  }

  private dot(): string {
    if (this.flags.s) return '[^]';
    return this.mode === 'fast' ? '.' : '[^\\n]';
  }

  private caret(): string {
    // Lines given to the fast form contain no newline, so a multi-line `^` can only match at 0.
    if (this.flags.m && this.mode === 'full') return '(?<![^\\n])';
    return '^';
  }

  private dollar(): string {
    if (this.mode === 'fast') return '$';
    // Python's `$` also matches just before a newline that ends the string.
    return this.flags.m ? '(?=\\n|$)' : '(?=\\n?$)';
  }

  /** One literal character, folded by hand when case-insensitivity applies only to a region. */
  private char(cp: number): string {
    if (this.manualCase && this.flags.i) {
      const variants = caseVariants(cp, this.flags.a);
      if (variants.length > 1) return `[${variants.map(literal).join('')}]`;
    }
    return literal(cp);
  }

  private category(letter: string): CategorySet {
    return categorySet(letter, this.mode, this.flags.a);
  }

  private boundary(negated: boolean): string {
    // Python (before 3.14) never matches \B in an empty string; JavaScript does. Any position of a
    // non-empty string has a character on one side.
    const nonEmpty = negated ? '(?:(?<=[^])|(?=[^]))' : '';
    // JavaScript's \b is ASCII-only, which agrees with Python on ASCII input (the fast form) and
    // under Python's ASCII flag unless case-folding (`i`) adds two non-ASCII letters to JavaScript's \w.
    if (this.mode === 'fast' || (this.flags.a && !this.flags.i)) return negated ? `${nonEmpty}\\B` : '\\b';
    const w = this.flags.a ? ASCII_WORD_CLASS : UNICODE_WORD_CLASS;
    return negated ? `${nonEmpty}(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  }

  /** `\x..`, `\u....`, `\U........`, octal: the code point, or undefined when not such an escape. */
  private numericEscape(letter: string, inClass: boolean, at: number): number | undefined {
    const fixed = (n: number): number => {
      const hex = this.pattern.slice(this.pos, this.pos + n);
      if (hex.length !== n || !HEX.test(hex)) this.fail(`incomplete escape \\${letter}${hex}`, at);
      this.pos += n;
      return parseInt(hex, 16);
    };
    if (letter === 'x') return fixed(2);
    if (letter === 'u') return fixed(4);
    if (letter === 'U') {
      const cp = fixed(8);
      if (cp > 0x10ffff) this.fail(`bad escape \\U${cp.toString(16)}`, at);
      return cp;
    }
    if (letter === 'N') this.fail('named Unicode escapes (\\N{...}) are not supported', at);
    if (letter === '0' || (inClass && OCTAL.test(letter))) {
      let digits = letter;
      while (digits.length < 3 && OCTAL.test(this.peek() ?? '')) digits += this.nextChar();
      const cp = parseInt(digits, 8);
      if (cp > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`, at);
      return cp;
    }
    return undefined;
  }

  private simpleEscape(letter: string): number | undefined {
    switch (letter) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
      case '\\':
        return 92;
      default:
        return undefined;
    }
  }

  private escape(at: number): Atom {
    const letter = this.nextChar();
    if (letter === undefined) this.fail('bad escape (end of pattern)', at);
    switch (letter) {
      case 'A':
        return anchor('^');
      case 'Z':
        return anchor('$');
      case 'b':
        return anchor(this.boundary(false));
      case 'B':
        return anchor(this.boundary(true));
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return repeatable(setSource(this.category(letter)));
    }
    const simple = this.simpleEscape(letter);
    if (simple !== undefined) return repeatable(this.char(simple));
    const numeric = this.numericEscape(letter, false, at);
    if (numeric !== undefined) return repeatable(this.char(numeric));
    if (DIGITS.test(letter)) {
      // Python: three octal digits are a character, otherwise one or two digits are a group reference.
      let digits = letter;
      if (DIGITS.test(this.peek() ?? '')) {
        digits += this.nextChar();
        if (OCTAL.test(digits[0]!) && OCTAL.test(digits[1]!) && OCTAL.test(this.peek() ?? '')) {
          digits += this.nextChar();
          const cp = parseInt(digits, 8);
          if (cp > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`, at);
          return repeatable(this.char(cp));
        }
      }
      return repeatable(this.backReference(Number(digits), at));
    }
    if (ASCII_LETTER.test(letter)) this.fail(`bad escape \\${letter}`, at);
    return repeatable(this.char(letter.codePointAt(0)!));
  }

  private backReference(group: number, at: number): string {
    if (group < 1 || group > this.groups) this.fail(`invalid group reference ${group}`, at);
    if (this.open.has(group)) this.fail('cannot refer to an open group', at);
    if (this.manualCase && this.flags.i) this.fail('a back-reference inside a case-insensitive region is not supported', at);
    return `(?:${REF}${this.markerOfGroup[group]!}${END})`;
  }

  private groupName(terminator: string, at: number): string {
    const end = this.pattern.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`missing ${terminator}, unterminated name`, at);
    const name = this.pattern.slice(this.pos, end);
    if (name === '') this.fail('missing group name', at);
    if (!IDENTIFIER.test(name)) this.fail(`bad character in group name '${name}'`, at);
    this.pos = end + 1;
    return name;
  }

  private closeGroup(at: number): void {
    if (!this.eat(')')) this.fail('missing ), unterminated subpattern', at);
  }

  /** Parse the body of a group with the given flags in force, restoring the outer flags afterwards. */
  private body(scoped?: Flags): string {
    const saved = this.flags;
    if (scoped) this.flags = scoped;
    try {
      return this.alternation();
    } finally {
      this.flags = saved;
    }
  }

  private capture(at: number, name?: string): Atom {
    const group = ++this.groups;
    const id = ++this.markerIds;
    this.markerOfGroup[group] = id;
    this.captureLog.push(id);
    if (name !== undefined) {
      if (this.namesToGroup.has(name)) this.fail(`redefinition of group name '${name}' as group ${group}`, at);
      this.namesToGroup.set(name, group);
      this.named.push({ name, group });
    }
    this.open.add(group);
    const inner = this.body();
    this.closeGroup(at);
    this.open.delete(group);
    return { src: `${OPEN}${id}${END}${inner})`, repeatable: true, wrapForQuantifier: false, capture: true };
  }

  private group(at: number): Atom | undefined {
    if (!this.eat('?')) return this.capture(at);
    if (this.eat('P<')) return this.capture(at, this.groupName('>', at));
    if (this.eat('P=')) {
      const name = this.groupName(')', at);
      const group = this.namesToGroup.get(name);
      if (group === undefined) this.fail(`unknown group name '${name}'`, at);
      return repeatable(this.backReference(group, at));
    }
    if (this.eat(':')) {
      const inner = this.body();
      this.closeGroup(at);
      return repeatable(`(?:${inner})`);
    }
    if (this.eat('>')) {
      const inner = this.body();
      this.closeGroup(at);
      return repeatable(this.atomic(inner));
    }
    for (const kind of ['=', '!', '<=', '<!']) {
      if (this.eat(kind)) {
        const inner = this.body();
        this.closeGroup(at);
        // Python only allows fixed-width look-behinds; JavaScript allows any, so no check is needed
        // for patterns Python accepts.
        return { src: `(?${kind}${inner})`, repeatable: true, wrapForQuantifier: true };
      }
    }
    if (this.eat('#')) {
      const end = this.pattern.indexOf(')', this.pos);
      if (end < 0) this.fail('missing ), unterminated comment', at);
      this.pos = end + 1;
      return undefined;
    }
    if (this.peek() === '(') this.fail('conditional groups (?(id)yes|no) are not supported', at);
    return this.flagGroup(at);
  }

  /** `(?aiLmsux)` (global) or `(?aiLmsux-imsx:...)` (scoped). */
  private flagGroup(at: number): Atom | undefined {
    const m = /^([aiLmsux]*)(?:-([imsx]*))?([:)])/.exec(this.pattern.slice(this.pos));
    if (!m || (m[1] === '' && m[2] === undefined)) this.fail(`unknown extension ?${this.peek() ?? ''}`, at);
    const on = m[1] ?? '';
    const off = m[2] ?? '';
    if (on.includes('L')) this.fail('the L (locale) flag is not supported for text patterns', at);
    if (on.includes('a') && on.includes('u')) this.fail('bad inline flags: flags a and u are incompatible', at);
    this.pos += m[0].length;
    if (m[3] === ')') {
      if (off !== '') this.fail('missing :', at);
      // A global flag: applies to the whole pattern. The caller re-runs translation when a flag that
      // changes how earlier text parses (x) or is emitted (i, s, m, a) appears after the start.
      for (const f of on) {
        if (f === 'u') continue;
        const key = f as keyof Flags;
        if (!this.flags[key]) throw new RestartWithFlags(key);
      }
      return undefined;
    }
    if (on === '' && off === '') this.fail('missing flag', at);
    const scoped: Flags = { ...this.flags };
    for (const f of on) if (f !== 'u') scoped[f as keyof Flags] = true;
    for (const f of off) scoped[f as keyof Flags] = false;
    // Case-insensitivity for a region only cannot be a JavaScript flag, and Python's ASCII-only
    // folding is none at all (`iu` folds ſ to s): fold such regions by hand.
    if ((scoped.i !== this.flags.i || (scoped.i && scoped.a)) && !this.manualCase) throw new RestartWithManualCase();
    const inner = this.body(scoped);
    this.closeGroup(at);
    return repeatable(`(?:${inner})`);
  }

  /**
   * A Python character class, re-emitted as a `u`-mode class of escaped items; when it holds a negated
   * category (`[\S,]`), as an alternation of that category and a class of the rest, since `u` mode has
   * no class-in-class.
   */
  private charClass(): string {
    const at = this.pos - 1;
    const negate = this.eat('^');
    const start = this.pos;
    const items: string[] = [];
    const outside: string[] = [];
    const add = (item: ClassItem): void => {
      if (item.kind === 'set' && item.set.negated && item.set.complement === undefined) outside.push(setSource(item.set));
      else items.push(this.classItem(item));
    };
    for (;;) {
      const c = this.nextChar();
      if (c === undefined) this.fail('unterminated character set', at);
      if (c === ']' && this.pos - 1 !== start) break;
      const first = c === '\\' ? this.classEscape(at) : ({ kind: 'char', cp: c.codePointAt(0)! } as ClassItem);
      if (this.peek() === '-') {
        this.pos++;
        const that = this.nextChar();
        if (that === undefined) this.fail('unterminated character set', at);
        if (that === ']') {
          add(first);
          items.push(literal(0x2d));
          break;
        }
        const second = that === '\\' ? this.classEscape(at) : ({ kind: 'char', cp: that.codePointAt(0)! } as ClassItem);
        if (first.kind !== 'char' || second.kind !== 'char' || second.cp < first.cp) {
          this.fail('bad character range', at);
        }
        items.push(this.classRange(first.cp, second.cp));
      } else {
        add(first);
      }
    }
    if (outside.length === 0) return `[${negate ? '^' : ''}${items.join('')}]`;
    // Only Unicode `\W` gets here. Its alternatives are made disjoint, each refusing what an earlier
    // one takes, so that a repeated class cannot backtrack through the same character twice.
    const alternatives = [...(items.length > 0 ? [`[${items.join('')}]`] : []), ...outside];
    const disjoint = alternatives.map((alt, i) => (i === 0 ? alt : `(?!${alternatives.slice(0, i).join('|')})${alt}`));
    const union = `(?:${disjoint.join('|')})`;
    // A negated class matches any one character (newline included) that the union does not.
    return negate ? `(?:(?!${union})[^])` : union;
  }

  private classItem(item: ClassItem): string {
    if (item.kind === 'set') return item.set.negated ? item.set.complement! : item.set.ranges;
    if (this.manualCase && this.flags.i) return caseVariants(item.cp, this.flags.a).map(literal).join('');
    return literal(item.cp);
  }

  private classRange(lo: number, hi: number): string {
    const range = `${literal(lo)}-${literal(hi)}`;
    if (!(this.manualCase && this.flags.i)) return range;
    // Fold a range by listing the other-case form of each member; wide ranges are left as written.
    if (hi - lo > 1024) return range;
    const extra = new Set<number>();
    for (let cp = lo; cp <= hi; cp++) for (const v of caseVariants(cp, this.flags.a)) if (v < lo || v > hi) extra.add(v);
    return range + [...extra].map(literal).join('');
  }

  private classEscape(at: number): ClassItem {
    const letter = this.nextChar();
    if (letter === undefined) this.fail('unterminated character set', at);
    if ('dDsSwW'.includes(letter)) return { kind: 'set', set: this.category(letter) };
    if (letter === 'b') return { kind: 'char', cp: 8 };
    const simple = this.simpleEscape(letter);
    if (simple !== undefined) return { kind: 'char', cp: simple };
    const numeric = this.numericEscape(letter, true, at);
    if (numeric !== undefined) return { kind: 'char', cp: numeric };
    if (DIGITS.test(letter) || ASCII_LETTER.test(letter)) this.fail(`bad escape \\${letter}`, at);
    return { kind: 'char', cp: letter.codePointAt(0)! };
  }
}

class RestartWithFlags {
  constructor(readonly flag: keyof Flags) {}
}

class RestartWithManualCase {}

export interface TranslateOptions {
  /** Python's re.IGNORECASE for the whole pattern. */
  ignoreCase?: boolean;
}

/** Translate a Python `re` pattern; throws PyRegexError for patterns Python would reject. */
export function translatePythonRegex(pattern: string, options: TranslateOptions = {}): TranslatedRegex {
  const flags: Flags = { i: options.ignoreCase ?? false, m: false, s: false, x: false, a: false };
  let manualCase = false;
  // Each restart adds a flag or switches to manual folding, so this loop ends within a few rounds.
  for (;;) {
    try {
      const results = (['full', 'fast'] as const).map((mode) => {
        const t = new Translator(pattern, flags, mode, manualCase);
        return t.run();
      });
      const full = results[0]!;
      const fast = results[1]!;
      const fullResolved = resolveMarkers(full.source);
      const fastResolved = resolveMarkers(fast.source);
      // Both modes emit the same groups in the same order; only classes and anchors differ.
      const jsIndexOfGroup = [0];
      for (let g = 1; g <= full.groups; g++) jsIndexOfGroup.push(fullResolved.jsIndexOfMarker.get(full.markerOfGroup[g]!)!);
      const named = full.named.map(({ name, group }) => ({ name, group, jsIndex: jsIndexOfGroup[group]! }));
      return {
        full: fullResolved.source,
        fast: fastResolved.source,
        flags: flags.i && !manualCase ? 'iu' : 'u',
        groupCount: full.groups,
        named,
        jsIndexOfGroup,
        repeats: {
          full: { nodes: full.repeats, jsIndexOfMarker: fullResolved.jsIndexOfMarker },
          fast: { nodes: fast.repeats, jsIndexOfMarker: fastResolved.jsIndexOfMarker },
        },
      };
    } catch (err) {
      if (err instanceof RestartWithFlags) {
        flags[err.flag] = true;
        continue;
      }
      if (err instanceof RestartWithManualCase) {
        manualCase = true;
        continue;
      }
      throw err;
    }
  }
}
