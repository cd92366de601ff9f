/**
 * Python `re` patterns run through the translator: results must be what Python's `re.match` gives
 * (the expected values below were checked against CPython 3.11), and patterns Python rejects — or
 * that use a construct with no JavaScript form — must fail with a clear error.
 */
import { PyRegex, PyRegexError, compileTemplate, TextFsmTemplateError } from '../../poller/textfsm';
import { translatePythonRegex } from '../../poller/textfsm/regex-translate';

/** `re.match(p, s)` as [group(0), group(1), …] with null for a group that did not take part. */
function match(pattern: string, s: string): Array<string | null> | null {
  const r = new PyRegex(pattern);
  const m = r.exec(s);
  if (m === null) return null;
  return [m[0], ...r.jsIndexOfGroup.slice(1).map((i) => m[i] ?? null)];
}

describe('syntax Python has and JavaScript spells differently', () => {
  it('named groups and (?P=name) back-references', () => {
    expect(match('(?P<a>\\w+)-(?P=a)', 'ab-ab')).toEqual(['ab-ab', 'ab']);
    expect(match('(?P<a>\\w+)-(?P=a)', 'ab-ac')).toBeNull();
    const r = new PyRegex('(?P<first>\\d+)(x)(?P<second>\\d+)');
    expect(r.named.map((g) => [g.name, g.group])).toEqual([
      ['first', 1],
      ['second', 3],
    ]);
    expect(r.groupdict(r.exec('1x2')!)).toEqual({ first: '1', second: '2' });
  });

  it('\\A and \\Z anchor at the very start and end; $ also before a final newline', () => {
    expect(match('\\Aab\\Z', 'ab')).toEqual(['ab']);
    expect(match('\\Aab\\Z', 'abc')).toBeNull();
    expect(match('\\Aab\\Z', 'ab\n')).toBeNull();
    expect(match('ab$', 'ab\n')).toEqual(['ab']);
    expect(match('ab$', 'abc')).toBeNull();
  });

  it('matches at the start of the string only (re.match), never further in', () => {
    expect(match('b', 'ab')).toBeNull();
    expect(match('a|b', 'ba')).toEqual(['b']);
  });

  it('inline flags: (?i) for the whole pattern, (?i:...) for a part, (?s), (?x)', () => {
    expect(match('(?i)abc', 'ABC')).toEqual(['ABC']);
    expect(match('a(?i:b)c', 'aBc')).toEqual(['aBc']);
    expect(match('a(?i:b)c', 'ABc')).toBeNull();
    expect(match('a(?i:b)c', 'aBC')).toBeNull();
    expect(match('a.c', 'a\nc')).toBeNull();
    expect(match('(?s)a.c', 'a\nc')).toEqual(['a\nc']);
    expect(match('(?x) a b # comment', 'ab')).toEqual(['ab']);
  });

  it('a { that is not a repeat is a literal; {,n} is a repeat from 0', () => {
    expect(match('a{x', 'a{x')).toEqual(['a{x']);
    expect(match('a{}', 'a{}')).toEqual(['a{}']);
    expect(match('a{,2}b', 'aab')).toEqual(['aab']);
    expect(match('a{,2}b', 'b')).toEqual(['b']);
  });

  it('classes: a leading ], a trailing -, escapes, negated categories inside', () => {
    expect(match('[]a]+', ']a]')).toEqual([']a]']);
    expect(match('[a-]+', 'a-a')).toEqual(['a-a']);
    expect(match('[\\S,]+', 'ab, cd')).toEqual(['ab,']);
    expect(match('[^\\S]+', '  x')).toEqual(['  ']);
    expect(match('\\x41\\101\\u00e9', 'AAé')).toEqual(['AAé']);
    expect(match('\\$\\.', '$.')).toEqual(['$.']);
  });

  it('\\s \\d \\w \\b are Unicode-aware as in Python 3 str patterns', () => {
    expect(match('\\s+', '\x1c\x1d')).toEqual(['\x1c\x1d']);
    expect(match('\\s+', '\u00a0')).toEqual(['\u00a0']);
    expect(match('\\s+', '\u3000x')).toEqual(['\u3000']);
    expect(match('\\d+', '١٢٣')).toEqual(['١٢٣']);
    expect(match('\\w+', 'héllo wörld')).toEqual(['héllo']);
    expect(match('\\bfoo\\b', 'foo bar')).toEqual(['foo']);
    expect(match('\\bfoo\\b', 'foobar')).toBeNull();
  });

  it('possessive repeats and atomic groups (Python 3.11) do not backtrack', () => {
    expect(match('a++', 'aaa')).toEqual(['aaa']);
    expect(match('a++a', 'aaa')).toBeNull();
    expect(match('(?>a+)b', 'aab')).toEqual(['aab']);
    expect(match('(?>a+)a', 'aaa')).toBeNull();
  });
});

describe('semantics where JavaScript differs from Python', () => {
  it('a group inside a repeat keeps its value from the last iteration it took part in', () => {
    // cisco_nxos show lldp neighbors: (${CAPABILITIES}?\s)+
    expect(match('((?P<cap>\\w+)?\\s)+', 'BR  ')).toEqual(['BR  ', ' ', 'BR']);
    expect(match('(?:(a)|b)+', 'ab')).toEqual(['ab', 'a']);
    expect(match('(?:(a)|(b))+', 'ab')).toEqual(['ab', 'a', 'b']);
    expect(match('(?:(?:(a)|b)+c)+', 'abcbc')).toEqual(['abcbc', 'a']);
  });

  it('an optional group whose body matches empty takes the empty match', () => {
    // JavaScript would refuse the empty iteration and leave the group unset.
    expect(match('Name:\\s*(?:(?P<n>.*))?\\s*$', 'Name:')).toEqual(['Name:', '']);
    expect(match('(?P<n>(b{,2}|[^ ]))?', 'AK')).toEqual(['', '', '']);
  });

  it('a negated class inside a counted repeat (V8 mis-matches this shape with the v flag)', () => {
    // arista_eos show vrf
    expect(match('(?:\\S+,\\s){2}(\\w+),', 'Vlan1, Vlan2, Vlan3, ')).toEqual(['Vlan1, Vlan2, Vlan3,', 'Vlan3']);
    expect(match('(?:a[^x]){2}', 'a a ')).toEqual(['a a ']);
  });

  it('a class with overlapping members stays linear (no alternation to backtrack through)', () => {
    // Asserted by shape, not by time: the class translates to one bracket expression repeated, with
    // no alternation or group for the matcher to backtrack into.
    const translated = translatePythonRegex('[(\\S+\\s\\S+)]+z');
    expect(translated.fast).toMatch(/^\[[^\]|()]*\]\+z$/);
    expect(translated.full).toMatch(/^\[[^\]|()]*\]\+z$/);
    expect(match('[(\\S+\\s\\S+)]+z', `${'x'.repeat(40)} `)).toBeNull();
  });

  it('\\B never matches in an empty string (Python before 3.14)', () => {
    expect(match('\\B', '')).toBeNull();
    expect(match('a\\B', 'ab')).toEqual(['a']);
  });

  it('case folding: ASCII-only under (?a), Unicode (ſ, the Kelvin sign) otherwise, also in (?i:...)', () => {
    expect(match('(?ia)s', 'S')).toEqual(['S']);
    expect(match('(?ia)s', 'ſ')).toBeNull();
    expect(match('(?ia)[é]', 'É')).toBeNull();
    expect(match('(?i)s', 'ſ')).toEqual(['ſ']);
    expect(match('a(?i:s)', 'aſ')).toEqual(['aſ']);
    expect(match('a(?i:[a-z]+)', 'aſ\u212a')).toEqual(['aſ\u212a']);
  });

  it('input outside ASCII uses the exact form, ASCII input the fast one, with the same results', () => {
    const r = new PyRegex('(\\w+)\\s(\\d+)$');
    expect(r.exec('abc 12', true)![1]).toBe('abc');
    expect(r.exec('abc 12', false)![1]).toBe('abc');
    expect(match('(\\w+)\\s(\\d+)$', 'ñu\u00a0١٢')).toEqual(['ñu\u00a0١٢', 'ñu', '١٢']);
  });
});

describe('patterns Python rejects, and constructs with no JavaScript form', () => {
  it.each([
    ['\\q', /bad escape \\q/],
    ['(a', /missing \), unterminated subpattern/],
    ['a)', /unbalanced parenthesis/],
    ['*a', /nothing to repeat/],
    ['a**', /multiple repeat/],
    ['[b-a]', /bad character range/],
    ['(?P<1a>x)', /bad character in group name '1a'/],
    ['(?P=zz)', /unknown group name 'zz'/],
    ['x{3,2}', /min repeat greater than max repeat/],
    ['\\1(a)', /invalid group reference 1/],
  ])('%s', (pattern, message) => {
    expect(() => new PyRegex(pattern)).toThrow(PyRegexError);
    expect(() => new PyRegex(pattern)).toThrow(message);
  });

  it('names what is unsupported: conditional groups, \\N{...}, the L flag', () => {
    expect(() => new PyRegex('(a)?(?(1)b|c)')).toThrow(/conditional groups .* not supported/);
    expect(() => new PyRegex('\\N{DIGIT ONE}')).toThrow(/\\N\{\.\.\.\}\) are not supported/);
    expect(() => new PyRegex('(?L)a')).toThrow(/L \(locale\) flag is not supported/);
  });

  it('a bad rule regex is a template error naming the template line', () => {
    let error: unknown;
    try {
      compileTemplate('Value A (\\d+)\n\nStart\n  ^ok\n  ^${A}(?(1)x|y) -> Record\n');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TextFsmTemplateError);
    expect((error as TextFsmTemplateError).line).toBe(5);
    expect((error as Error).message).toMatch(/conditional groups .*\(template line 5\)$/);
  });
});
