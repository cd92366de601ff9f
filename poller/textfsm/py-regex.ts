/**
 * A compiled Python pattern with `re.match` semantics (anchored at the start of the string, not at
 * the end), backed by the translated JavaScript RegExp.
 */
import { PyRegexError, translatePythonRegex, type NamedGroup, type TranslateOptions } from './regex-translate';
import { RepeatCaptures } from './repeat-captures';

/** True when the fast translation is exact for `s`: ASCII, and no `\n` or `\r` (see regex-translate). */
export function isFastInput(s: string): boolean {
  return FAST_INPUT.test(s);
}

const FAST_INPUT = /^[\x00-\x09\x0b\x0c\x0e-\x7f]*$/;

export class PyRegex {
  readonly pattern: string;
  /** Python's `pattern.groups`. */
  readonly groupCount: number;
  readonly named: readonly NamedGroup[];
  readonly jsIndexOfGroup: readonly number[];
  private readonly fast: RegExp;
  private readonly full: RegExp;
  private readonly fastRepeats: RepeatCaptures | undefined;
  private readonly fullRepeats: RepeatCaptures | undefined;

  /** Throws PyRegexError when Python would reject the pattern (or it uses an unsupported feature). */
  constructor(pattern: string, options: TranslateOptions = {}) {
    const t = translatePythonRegex(pattern, options);
    this.pattern = pattern;
    this.groupCount = t.groupCount;
    this.named = t.named;
    this.jsIndexOfGroup = t.jsIndexOfGroup;
    // Sticky: a match must start at lastIndex (0), which is re.match's anchoring.
    const flags = `${t.flags}y`;
    try {
      this.fast = new RegExp(t.fast, flags);
      this.full = t.full === t.fast ? this.fast : new RegExp(t.full, flags);
    } catch (err) {
      // A translation JavaScript rejects is a bug here, or a Python feature with no JavaScript form.
      throw new PyRegexError(`pattern has no JavaScript equivalent (${err instanceof Error ? err.message : String(err)})`, pattern, 0);
    }
    const fastRepeats = new RepeatCaptures(t.repeats.fast, t.fast, t.flags);
    const fullRepeats = new RepeatCaptures(t.repeats.full, t.full, t.flags);
    this.fastRepeats = fastRepeats.needed ? fastRepeats : undefined;
    this.fullRepeats = fullRepeats.needed ? fullRepeats : undefined;
  }

  /**
   * `re.match(pattern, s)`: the JavaScript match array (index with `jsIndexOfGroup` / `named`), or
   * null, with group values as Python gives them (see repeat-captures). `fast` may be passed when the
   * caller already knows `isFastInput(s)`.
   */
  exec(s: string, fast: boolean = isFastInput(s)): RegExpExecArray | null {
    const re = fast ? this.fast : this.full;
    re.lastIndex = 0;
    const m = re.exec(s);
    if (m !== null) (fast ? this.fastRepeats : this.fullRepeats)?.apply(m, s);
    return m;
  }

  /** Python's `match.groupdict()`: named groups, undefined where a group did not take part. */
  groupdict(m: RegExpExecArray): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const g of this.named) out[g.name] = m[g.jsIndex];
    return out;
  }
}
