/**
 * The ntc-templates index (CliTable format): parsing, command completion, lookup, and the join of
 * several templates named by one row. Expected results are CliTable's for the same files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandCompletion, TemplateIndex, TemplateLibrary, TextFsmIndexError, TextFsmNoTemplateError, TextFsmTemplateError } from '../../poller/textfsm';
import { pyReprString, pyStrItem } from '../../poller/textfsm/python-repr';

const INDEX = `# First line is the header fields for columns and is mandatory.
# abc[[xyz]] is expanded to abc(x(y(z)?)?)?
Template, Hostname, Platform, Command

a.textfsm:b.textfsm, .*, cisco_ios, sh[[ow]] mod[[ule]]
c.textfsm, .*, cisco_ios, sh[[ow]] ver[[sion]]
nokey1.textfsm:nokey2.textfsm, .*, cisco_ios, sh[[ow]] zz
c_nx.textfsm, .*, cisco_nxos, sh[[ow]] ver[[sion]]$
a line, with, the wrong, number, of commas
# a comment
bad.textfsm, .*, cisco_ios, sh[[ow]] bad
`;

describe('TemplateIndex', () => {
  const index = TemplateIndex.parse(INDEX);

  it('expands [[...]] completion into nested optional groups', () => {
    expect(expandCompletion('sh[[ow]] ver[[sion]]')).toBe('sh(o(w)?)? ver(s(i(o(n)?)?)?)?');
    expect(expandCompletion('show vlan')).toBe('show vlan');
  });

  it('reads the header, skips comments, blank lines and rows with the wrong number of fields', () => {
    expect(index.header).toEqual(['Template', 'Hostname', 'Platform', 'Command']);
    expect(index.rows.map((r) => r.templates)).toEqual([['a.textfsm', 'b.textfsm'], ['c.textfsm'], ['nokey1.textfsm', 'nokey2.textfsm'], ['c_nx.textfsm'], ['bad.textfsm']]);
    expect(index.rows[1]!.line).toBe(6);
    expect(index.rows[1]!.cells['Command']).toBe('sh[[ow]] ver[[sion]]');
  });

  it('finds the first row whose Platform and Command regexes match at the start', () => {
    expect(index.findTemplate('cisco_ios', 'show version').templates).toEqual(['c.textfsm']);
    expect(index.findTemplate('cisco_ios', 'sh ver').templates).toEqual(['c.textfsm']);
    // re.match anchors only at the start: without a trailing $ in the row, longer commands match too.
    expect(index.findTemplate('cisco_ios', 'show versions').templates).toEqual(['c.textfsm']);
    expect(index.findTemplate('cisco_nxos', 'show ver').templates).toEqual(['c_nx.textfsm']);
    expect(() => index.findTemplate('cisco_nxos', 'show versions')).toThrow(TextFsmNoTemplateError);
  });

  it('reports no template for an unknown command, platform or a too-short abbreviation', () => {
    for (const [platform, command] of [
      ['cisco_ios', 'show v'],
      ['cisco_ios', 'SHOW VERSION'],
      ['juniper_junos', 'show version'],
    ] as const) {
      expect(() => index.findTemplate(platform, command)).toThrow(TextFsmNoTemplateError);
    }
    try {
      index.findTemplate('cisco_ios', 'show v');
    } catch (err) {
      expect((err as TextFsmNoTemplateError).attributes).toEqual({ Platform: 'cisco_ios', Command: 'show v' });
      expect((err as Error).message).toBe('no template in the index for Platform "cisco_ios", Command "show v"');
    }
  });

  it('matches only the attributes given (Hostname is not tested) and nothing for none', () => {
    expect(index.match({ Platform: 'cisco_ios' })?.templates).toEqual(['a.textfsm', 'b.textfsm']);
    expect(index.match({})).toBeUndefined();
  });

  it('rejects an index without a header or with an invalid regex cell, naming the line', () => {
    expect(() => TemplateIndex.parse('# only comments\n\n')).toThrow(TextFsmIndexError);
    expect(() => TemplateIndex.parse('Template, Command\nx.textfsm, sh[[ow]] (\n')).toThrow(/invalid Command regex .*\(index line 2\)/);
    expect(() => TemplateIndex.parse('Command, Platform\nshow, x\n')).toThrow(/no 'Template' column/);
  });
});

describe('TemplateLibrary', () => {
  let dir: string;
  let library: TemplateLibrary;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'textfsm-index-'));
    const files: Record<string, string> = {
      index: INDEX,
      'a.textfsm': 'Value Key MOD (\\d+)\nValue NAME (\\S+)\n\nStart\n  ^mod ${MOD} name ${NAME} -> Record\n',
      'b.textfsm': 'Value Key MOD (\\d+)\nValue SERIAL (\\S+)\nValue List X (\\d)\n\nStart\n  ^ser ${MOD} ${SERIAL} -> Record\n',
      'c.textfsm': 'Value Version (\\S+)\n\nStart\n  ^v ${Version} -> Record\n',
      'nokey1.textfsm': 'Value A (\\S+)\n\nStart\n  ^a ${A} -> Record\n',
      'nokey2.textfsm': 'Value B (\\S+)\n\nStart\n  ^b ${B} -> Record\n',
      'bad.textfsm': 'Value A (\\S+)\n\nStart\n  ^${B}\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    library = new TemplateLibrary(dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses output into ntc-style records (lowercase keys)', () => {
    expect(library.parseOutput('cisco_ios', 'sh ver', 'v 15.2\n')).toEqual([{ version: '15.2' }]);
    expect(library.parseTable('cisco_ios', 'sh ver', 'v 15.2\n').header).toEqual(['Version']);
  });

  it('joins the tables of a multi-template row on Key values; unmatched rows get empty columns', () => {
    const text = 'mod 1 name sup\nmod 2 name lc\nmod 3 name x\nser 2 S2\nser 1 S1\n';
    expect(library.parseTable('cisco_ios', 'show module', text)).toEqual({
      header: ['MOD', 'NAME', 'SERIAL', 'X'],
      rows: [
        ['1', 'sup', 'S1', []],
        ['2', 'lc', 'S2', []],
        ['3', 'x', '', ''],
      ],
    });
  });

  it('joins row by row when no template has a Key', () => {
    expect(library.parseTable('cisco_ios', 'sh zz', 'a 1\na 2\nb x\n').rows).toEqual([
      ['1', 'x'],
      ['2', ''],
    ]);
  });

  it('names the template file in a template error', () => {
    expect(() => library.parseOutput('cisco_ios', 'sh bad', 'x')).toThrow(TextFsmTemplateError);
    expect(() => library.parseOutput('cisco_ios', 'sh bad', 'x')).toThrow(/^bad\.textfsm: .*unknown Value 'B'.*\(template line 4\)$/);
  });

  it('compiles each template once', () => {
    expect(library.template('c.textfsm')).toBe(library.template('c.textfsm'));
    expect(() => library.template('../index')).toThrow(/plain file name/);
  });
});

describe("CliTable's text form of list items", () => {
  it('is str() in Python: None, strings, dictionaries', () => {
    expect(pyStrItem(null)).toBe('None');
    expect(pyStrItem('Eth1')).toBe('Eth1');
    expect(pyStrItem({ ip: '10.0.0.1', as: null })).toBe("{'ip': '10.0.0.1', 'as': None}");
  });

  it("quotes as Python's repr does", () => {
    expect(pyReprString("it's")).toBe('"it\'s"');
    expect(pyReprString('say "hi" it\'s')).toBe("'say \"hi\" it\\'s'");
    expect(pyReprString('a\\b\tc\u0001é')).toBe("'a\\\\b\\tc\\x01é'");
  });
});
