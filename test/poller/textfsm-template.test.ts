/**
 * Template syntax: what compiles, and for what does not, a TextFsmTemplateError with the template line.
 * Accept/reject decisions and line numbers follow Google's TextFSM (checked against textfsm 1.1);
 * where TextFSM gives no line, the line here is the most useful one (0 only for "no Start state").
 */
import { compileTemplate, parseRows, TextFsmLimitError, TextFsmTemplateError } from '../../poller/textfsm';

function templateError(text: string): TextFsmTemplateError {
  try {
    compileTemplate(text);
  } catch (err) {
    if (err instanceof TextFsmTemplateError) return err;
    throw err;
  }
  throw new Error('template compiled');
}

describe('malformed templates', () => {
  it.each([
    ['no Value line first', 'Foo\n\nStart\n  ^a\n', 1, /no Value definitions found/],
    ['no blank line after the Values', 'Value A (a)\nStart\n  ^a\n', 2, /expected blank line after last Value entry/],
    ['too few tokens', 'Value A\n\nStart\n  ^a\n', 1, /at least 3 tokens/],
    ['an unknown option', 'Value Foo A (a)\n\nStart\n  ^${A}\n', 1, /unknown Value option "Foo"/],
    ['a repeated option', 'Value List,List A (a)\n\nStart\n  ^${A}\n', 1, /duplicate Value option "List"/],
    ['a regex not in one () pair', 'Value A (a)b\n\nStart\n  ^${A}\n', 1, /must be contained within a '\(\)' pair/],
    ['unbalanced parentheses', 'Value A ((a)\n\nStart\n  ^${A}\n', 1, /must be contained within a '\(\)' pair/],
    ['a Value declared twice', 'Value A (a)\nValue A (b)\n\nStart\n  ^${A}\n', 2, /duplicate declarations for Value 'A'/],
    ['a name over 48 characters', `Value ${'N'.repeat(49)} (a)\n\nStart\n  ^a\n`, 1, /name too long/],
    ['a bad List regex (compiled where declared)', 'Value List A (a[)\n\nStart\n  ^${A}\n', 1, /unterminated character set/],
    ['no Start state', 'Value A (a)\n\nBegin\n  ^${A}\n', 0, /missing state 'Start'/],
    ['a rule without indentation', 'Value A (a)\n\nStart\n^${A}\n', 4, /missing white space or carat/],
    ['a rule indented three spaces', 'Value A (a)\n\nStart\n   ^${A}\n', 4, /missing white space or carat/],
    ['a bad state name', 'Value A (a)\n\nStart\n  ^${A}\n\nBad-Name\n  ^a\n', 6, /invalid state name: 'Bad-Name'/],
    ['a reserved word as state name', 'Value A (a)\n\nStart\n  ^${A}\n\nNext\n  ^a\n', 6, /invalid state name: 'Next'/],
    ['a state declared twice', 'Value A (a)\n\nStart\n  ^${A}\n\nStart\n  ^a\n', 6, /duplicate state name: 'Start'/],
    ['an unknown action', 'Value A (a)\n\nStart\n  ^${A} -> Bogus Thing\n', 4, /badly formatted rule/],
    ['Continue with a new state', 'Value A (a)\n\nStart\n  ^${A} -> Continue Other\n\nOther\n  ^a\n', 4, /'Continue' cannot change state/],
    ['a quoted state name', 'Value A (a)\n\nStart\n  ^${A} -> Record "Other"\n', 4, /alphanumeric characters only/],
    ['an undeclared target state', 'Value A (a)\n\nStart\n  ^a\n  ^${A} -> Nowhere\n', 5, /state 'Nowhere' not found, referenced in state 'Start'/],
    ['rules in End', 'Value A (a)\n\nStart\n  ^${A}\n\nEnd\n  ^a\n', 6, /non-empty 'End' state/],
    ['rules in EOF', 'Value A (a)\n\nStart\n  ^${A}\n\nEOF\n  ^a\n', 6, /non-empty 'EOF' state/],
    ['an undeclared Value', 'Value A (a)\n\nStart\n  ^${B}\n', 4, /unknown Value 'B'/],
    ['a bare $ (the end anchor is $$)', 'Value A (a)\n\nStart\n  ^${A}$\n', 4, /invalid placeholder/],
    ['a bad rule regex', 'Value A (a)\n\nStart\n  ^${A}(\n', 4, /invalid regular expression/],
    ['a bad Value regex, where a rule uses it', 'Value A (a[)\n\nStart\n  ^x\n  ^${A}\n', 5, /invalid regular expression/],
  ])('%s', (_what, text, line, message) => {
    const e = templateError(text);
    expect(e.line).toBe(line);
    expect(e.reason).toMatch(message);
    if (line > 0) expect(e.message).toMatch(new RegExp(`\\(template line ${line}\\)$`));
  });

  it('refuses a template over maxTemplateBytes', () => {
    expect(() => compileTemplate(`Value A (a)\n\nStart\n  ^${'a'.repeat(2000)}\n`, { maxTemplateBytes: 1000 })).toThrow(TextFsmLimitError);
  });
});

describe('well-formed corners', () => {
  it('accepts rules indented by one or two spaces or a tab, and comments anywhere', () => {
    const t = compileTemplate('# c\nValue A (a)\n\n# c2\nStart\n  # c3\n  ^${A} -> Record\n \t# c4\n ^x\n\t^y\n');
    expect(t.states.get('Start')!.rules.map((r) => r.match)).toEqual(['^${A}', '^x', '^y']);
  });

  it('keeps whitespace before " ->" in the regex, as TextFSM does', () => {
    const t = compileTemplate('Value A (a)\n\nStart\n  ^${A}  -> Record\n');
    expect(t.states.get('Start')!.rules[0]!.pattern).toBe('^(?P<A>a) ');
    expect(parseRows(t, 'a\na \n')).toEqual([['a']]);
  });

  it('a template with no Values parses nothing and leaves $$ alone', () => {
    const t = compileTemplate('\nStart\n  ^a$$ -> Next\n');
    expect(t.header).toEqual([]);
    expect(t.states.get('Start')!.rules[0]!.pattern).toBe('^a$$');
    expect(parseRows(t, 'a\n')).toEqual([]);
  });

  it('accepts an unused Value with an invalid regex (TextFSM only checks it where used)', () => {
    expect(() => compileTemplate('Value A (a[)\nValue B (b)\n\nStart\n  ^${B} -> Record\n')).not.toThrow();
  });

  it('reads every rule part: line action, record action, new state, error message', () => {
    const t = compileTemplate(
      'Value A (a)\n\nStart\n  ^1 -> Continue.Record\n  ^2 -> Next.Clearall Other\n  ^3 -> Clear\n  ^4 -> Other\n  ^5 -> Error "bad: stop"\n  ^6 -> Error\n  ^7\n\nOther\n  ^x -> End\n',
    );
    const rules = t.states.get('Start')!.rules.map((r) => [r.lineAction, r.recordAction, r.newState, r.errorMessage]);
    expect(rules).toEqual([
      ['Continue', 'Record', undefined, undefined],
      ['Next', 'Clearall', 'Other', undefined],
      ['Next', 'Clear', undefined, undefined],
      ['Next', 'NoRecord', 'Other', undefined],
      ['Error', 'NoRecord', undefined, 'bad: stop'],
      ['Error', 'NoRecord', undefined, undefined],
      ['Next', 'NoRecord', undefined, undefined],
    ]);
  });

  it('exposes header, keys, options and states', () => {
    const t = compileTemplate('Value Key,Required NAME (\\S+)\nValue List,Filldown X (\\d+)\n\nStart\n  ^${NAME} ${X} -> Record\n\nEOF\n');
    expect(t.header).toEqual(['NAME', 'X']);
    expect(t.keys).toEqual(['NAME']);
    expect(t.values[1]!.options).toEqual(['List', 'Filldown']);
    expect([...t.states.keys()]).toEqual(['Start', 'EOF']);
    expect(t.hasEofState).toBe(true);
  });
});
