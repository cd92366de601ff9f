/**
 * The TextFSM state machine on small inline templates: Value options, rule actions, states, EOF and
 * the input caps. Expected results are what Google's TextFSM gives for the same template and text.
 */
import fc from 'fast-check';
import { compileTemplate, parseRows, parseText, TextFsmLimitError, TextFsmParseError, type Template } from '../../poller/textfsm';

/** A template from indented lines (the first line's indentation is removed from all). */
function tpl(text: string): Template {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = /^ */.exec(lines[0]!)![0].length;
  return compileTemplate(lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length))).join('\n'));
}

const rows = (t: Template, text: string): unknown => parseRows(t, text);

/** What `fn` throws, or undefined when it returns (so assertions on the error always run). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('records', () => {
  const t = tpl(`
    Value NAME (\\S+)
    Value MTU (\\d+)

    Start
      ^interface \${NAME}
      ^  mtu \${MTU} -> Record
  `);

  it('records on Record and clears the row afterwards', () => {
    expect(rows(t, 'interface e1\n  mtu 1500\ninterface e2\n  mtu 9000\n')).toEqual([
      ['e1', '1500'],
      ['e2', '9000'],
    ]);
  });

  it('makes a last record at end of input (implicit EOF), unset Values as empty strings', () => {
    expect(rows(t, 'interface e1\n  mtu 1500\ninterface e2\n')).toEqual([
      ['e1', '1500'],
      ['e2', ''],
    ]);
  });

  it('writes no record when every Value is unset', () => {
    expect(rows(t, 'nothing here\n')).toEqual([]);
    expect(rows(t, '')).toEqual([]);
  });

  it('gives records keyed by Value name', () => {
    expect(parseText(t, 'interface e1\n  mtu 1500\n')).toEqual([{ NAME: 'e1', MTU: '1500' }]);
  });

  it('treats an explicit, empty EOF state as "no record at end of input"', () => {
    const noEof = tpl(`
      Value NAME (\\S+)

      Start
        ^interface \${NAME}

      EOF
    `);
    expect(rows(noEof, 'interface e1\n')).toEqual([]);
  });

  it('records nothing more after End', () => {
    const end = tpl(`
      Value NAME (\\S+)

      Start
        ^interface \${NAME} -> Record
        ^stop -> End
    `);
    expect(rows(end, 'interface e1\nstop\ninterface e2\n')).toEqual([['e1']]);
  });

  it('makes the implicit record when a rule moves to EOF, and stops reading', () => {
    const eof = tpl(`
      Value NAME (\\S+)

      Start
        ^interface \${NAME}
        ^stop -> EOF
    `);
    expect(rows(eof, 'interface e1\nstop\ninterface e2\n')).toEqual([['e1']]);
  });

  it('can parse a stream in parts (eof: false) without the final record', () => {
    expect(parseRows(t, 'interface e1\n', { eof: false })).toEqual([]);
  });
});

describe('Value options', () => {
  it('Filldown keeps a value for later records; Clearall forgets it', () => {
    const t = tpl(`
      Value Filldown VRF (\\S+)
      Value ROUTE (\\S+)

      Start
        ^VRF \${VRF}
        ^route \${ROUTE} -> Record
        ^reset -> Clearall
    `);
    expect(rows(t, 'VRF red\nroute 10/8\nroute 11/8\nVRF blue\nroute 12/8\nreset\nroute 13/8\n')).toEqual([
      ['red', '10/8'],
      ['red', '11/8'],
      ['blue', '12/8'],
      ['', '13/8'],
    ]);
  });

  it('a filled-down value alone is enough for the implicit record at end of input', () => {
    const t = tpl(`
      Value Filldown VRF (\\S+)
      Value ROUTE (\\S+)

      Start
        ^VRF \${VRF}
        ^route \${ROUTE} -> Record
    `);
    // After the last Record, VRF is filled down again, so the implicit EOF record has it.
    expect(rows(t, 'VRF red\nroute 10/8\n')).toEqual([
      ['red', '10/8'],
      ['red', ''],
    ]);
  });

  it('Required drops a record whose value is empty (and clears it)', () => {
    const t = tpl(`
      Value Required NAME (\\S+)
      Value DESC (.+)

      Start
        ^name \${NAME}
        ^desc \${DESC}
        ^end -> Record
    `);
    expect(rows(t, 'desc orphan\nend\nname a\ndesc x\nend\n')).toEqual([['a', 'x']]);
  });

  it('List collects every match into a list, cleared per record', () => {
    const t = tpl(`
      Value NAME (\\S+)
      Value List MEMBER (\\S+)

      Start
        ^group \${NAME}
        ^  member \${MEMBER}
        ^end -> Record
    `);
    expect(rows(t, 'group a\n  member x\n  member y\nend\ngroup b\nend\n')).toEqual([
      ['a', ['x', 'y']],
      ['b', []],
    ]);
  });

  it('List with Filldown keeps its items across records', () => {
    const t = tpl(`
      Value Filldown,List TAG (\\S+)
      Value ITEM (\\S+)

      Start
        ^tag \${TAG}
        ^item \${ITEM} -> Record
    `);
    expect(rows(t, 'tag a\nitem 1\ntag b\nitem 2\n')).toEqual([
      [['a'], '1'],
      [['a', 'b'], '2'],
      [['a', 'b'], ''],
    ]);
  });

  it('List whose regex has named groups gives a list of dictionaries (None for a group not taking part)', () => {
    const t = tpl(`
      Value List NEIGHBOR ((?P<ip>\\d+\\.\\d+\\.\\d+\\.\\d+)(\\s+as\\s+(?P<as>\\d+))?)

      Start
        ^neighbor \${NEIGHBOR}
    `);
    expect(rows(t, 'neighbor 10.0.0.1 as 65001\nneighbor 10.0.0.2\n')).toEqual([
      [
        [
          { ip: '10.0.0.1', as: '65001' },
          { ip: '10.0.0.2', as: null },
        ],
      ],
    ]);
  });

  it('List whose regex has several groups but none named gives plain strings', () => {
    const t = tpl(`
      Value List PAIR ((\\d+)-(\\d+))

      Start
        ^\${PAIR}
    `);
    expect(rows(t, '1-2\n3-4\n')).toEqual([[['1-2', '3-4']]]);
  });

  it('Fillup copies a value up into earlier records, stopping at one that has it', () => {
    const t = tpl(`
      Value Fillup SLOT (\\d+)
      Value PORT (\\S+)

      Start
        ^port \${PORT} -> Record
        ^slot \${SLOT}
    `);
    expect(rows(t, 'port a\nport b\nslot 1\nport c\nslot 2\n')).toEqual([
      ['1', 'a'],
      ['1', 'b'],
      // SLOT is still set when c is recorded, so the 2 stops there.
      ['1', 'c'],
      ['2', ''],
    ]);
  });

  it('Key is reported on the template and does not change parsing', () => {
    const t = tpl(`
      Value Key NAME (\\S+)
      Value MTU (\\d+)

      Start
        ^\${NAME} \${MTU} -> Record
    `);
    expect(t.keys).toEqual(['NAME']);
    expect(rows(t, 'e1 1500\n')).toEqual([['e1', '1500']]);
  });

  it('a group that did not take part sets its Value to unset', () => {
    const t = tpl(`
      Value A (\\d+)
      Value B (\\d+)

      Start
        ^a \${A}(\\s+b \${B})? -> Continue
        ^.*x -> Record
    `);
    expect(rows(t, 'a 1 b 2 x\na 3 x\n')).toEqual([
      ['1', '2'],
      ['3', ''],
    ]);
  });
});

describe('rules and states', () => {
  it('Continue tries the following rules on the same line', () => {
    const t = tpl(`
      Value A (\\d+)
      Value B (\\d+)

      Start
        ^\${A} -> Continue
        ^\\d+ \${B} -> Record
    `);
    expect(rows(t, '1 2\n3 4\n')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('Continue.Record records and then goes on with the same line', () => {
    const t = tpl(`
      Value NAME (\\S+)

      Start
        ^interface -> Continue.Record
        ^interface \${NAME}
    `);
    expect(rows(t, 'interface a\ninterface b\n')).toEqual([['a'], ['b']]);
  });

  it('the first matching rule wins and Next takes the next line', () => {
    const t = tpl(`
      Value V (\\S+)

      Start
        ^x \${V} -> Next.Record
        ^x \${V} y -> Record
    `);
    expect(rows(t, 'x 1 y\n')).toEqual([['1']]);
  });

  it('moves between custom states; rules of other states do not apply', () => {
    const t = tpl(`
      Value SECTION (\\S+)
      Value ITEM (\\S+)

      Start
        ^begin \${SECTION} -> Body

      Body
        ^item \${ITEM} -> Record
        ^end -> Clearall Start
    `);
    expect(rows(t, 'item ignored\nbegin s1\nitem a\nend\nitem ignored\nbegin s2\nitem b\n')).toEqual([
      ['s1', 'a'],
      ['s2', 'b'],
    ]);
  });

  it('Clear empties the row but keeps Filldown values; NoRecord does nothing', () => {
    const t = tpl(`
      Value Filldown F (\\S+)
      Value V (\\S+)

      Start
        ^f \${F}
        ^v \${V}
        ^drop -> Clear
        ^keep -> NoRecord
        ^rec -> Record
    `);
    expect(rows(t, 'f 1\nv a\ndrop\nrec\nv b\nkeep\nrec\n')).toEqual([
      ['1', ''],
      ['1', 'b'],
      ['1', ''],
    ]);
  });

  it('Error stops the parse with the message, the state and the lines', () => {
    const t = tpl(`
      Value V (\\S+)

      Start
        ^ok \${V} -> Record
        ^. -> Error "unexpected line"
    `);
    expect(rows(t, 'ok 1\n\n')).toEqual([['1']]);
    const error = thrown(() => parseRows(t, 'ok 1\nbad\n'));
    expect(error).toBeInstanceOf(TextFsmParseError);
    const e = error as TextFsmParseError;
    expect(e.errorMessage).toBe('unexpected line');
    expect(e.state).toBe('Start');
    expect(e.ruleLine).toBe(5);
    expect(e.inputLine).toBe('bad');
    expect(e.inputLineNumber).toBe(2);
    expect(e.message).toContain('unexpected line');
  });

  it('Error without a message, and Error with a record action', () => {
    const t = tpl(`
      Value V (\\S+)

      Start
        ^\${V} -> Error.Record
    `);
    expect(() => parseRows(t, 'x\n')).toThrow(/State Error raised/);
  });

  it('substitutes ${NAME} and $NAME, and reads $$ as a literal $ (the end anchor)', () => {
    const t = tpl(`
      Value A (\\d+)
      Value B (\\d+)

      Start
        ^\${A}-$B$$ -> Record
    `);
    expect(rows(t, '1-2\n3-4 trailing\n')).toEqual([['1', '2']]);
  });

  it('ignores comment lines in the Value block and in states', () => {
    const t = tpl(`
      # a comment before the Values
      Value V (\\S+)
      # another

      Start
        # comment inside a state
        ^v \${V} -> Record
    `);
    expect(rows(t, 'v 1\n')).toEqual([['1']]);
  });

  it('splits input as Python does: \\r\\n, \\r and \\f are line breaks, a final break adds no line', () => {
    const t = tpl(`
      Value V (\\S+)

      Start
        ^v \${V}$$ -> Record
    `);
    expect(rows(t, 'v 1\r\nv 2\rv 3\fv 4\n')).toEqual([['1'], ['2'], ['3'], ['4']]);
  });
});

describe('caps and odd input', () => {
  const t = tpl(`
    Value V (\\S+)

    Start
      ^\${V} -> Record
  `);

  it('refuses input over maxInputBytes', () => {
    expect(() => parseRows(t, 'x'.repeat(2000), { maxInputBytes: 1000 })).toThrow(TextFsmLimitError);
    const err = thrown(() => parseRows(t, 'é'.repeat(600), { maxInputBytes: 1000 }));
    expect(err).toBeInstanceOf(TextFsmLimitError);
    expect((err as TextFsmLimitError).limit).toBe('maxInputBytes');
    expect((err as TextFsmLimitError).actual).toBe(1200);
  });

  it('refuses input with too many lines or too long a line', () => {
    expect(() => parseRows(t, 'a\nb\nc\n', { maxLines: 2 })).toThrow(/maxLines exceeded: 3 > 2/);
    expect(() => parseRows(t, 'a'.repeat(50), { maxLineLength: 10 })).toThrow(/maxLineLength/);
  });

  it('stops with a clear error past maxRows records', () => {
    expect(() => parseRows(t, 'a\nb\nc\n', { maxRows: 2 })).toThrow(/maxRows exceeded: 3 > 2/);
    expect(parseRows(t, 'a\nb\n', { maxRows: 2 })).toHaveLength(2);
  });

  it('defaults: 8 MiB of input and 100,000 records', () => {
    const many = 'x\n'.repeat(100_001);
    expect(() => parseRows(t, many)).toThrow(/maxRows/);
    expect(() => parseRows(t, 'x'.repeat(8 * 1024 * 1024 + 1))).toThrow(/maxInputBytes/);
  });

  it('never throws on arbitrary text with templates that have no Error rule', () => {
    const templates = [
      t,
      tpl(`
        Value Filldown,Required A (\\w+)
        Value List B ((?P<x>\\d)(?P<y>\\S*))
        Value Fillup C (.*)

        Start
          ^\${A}\\s+\${B} -> Continue.Record
          ^\\s*\${C}$$ -> Next
          ^--- -> Other

        Other
          ^\${B}.* -> Record Start
      `),
    ];
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        for (const template of templates) expect(Array.isArray(parseRows(template, text))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
