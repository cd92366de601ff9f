import neo4j from 'neo4j-driver';
import { QueryCatalog } from './query-catalog';
import { parseQueryFile } from './query-file';
import { checkParams, normaliseAddress } from './query-params';

const GOOD = `// Hosts listening on a port.
// Second line of the description.
//
// @param port: integer(1..65535) -- the TCP port
// @param prefix: string? -- only hosts whose name starts with this
// @param loopback: boolean = false
// @param label: string = "two words" -- a default with a space
MATCH (s:TCPService {port: $port}) WHERE $prefix IS NULL OR s.host STARTS WITH $prefix AND $loopback AND $label <> ''
RETURN s;
`;

describe('query files', () => {
  test('name from the file, description from the header, typed parameters, Cypher without the ;', () => {
    const q = parseQueryFile('/x/port-listeners.cypher', GOOD);
    expect(q.name).toBe('port-listeners');
    expect(q.description).toBe('Hosts listening on a port. Second line of the description.');
    expect(q.parameters).toEqual([
      { name: 'port', type: 'integer', required: true, default: null, description: 'the TCP port', min: 1, max: 65535 },
      { name: 'prefix', type: 'string', required: false, default: null, description: 'only hosts whose name starts with this' },
      { name: 'loopback', type: 'boolean', required: false, default: false, description: '' },
      { name: 'label', type: 'string', required: false, default: 'two words', description: 'a default with a space' },
    ]);
    expect(q.cypher.startsWith('MATCH (s:TCPService')).toBe(true);
    expect(q.cypher.endsWith('RETURN s')).toBe(true);
  });

  test.each([
    ['uses an undeclared parameter', GOOD.replace('$label', '$lable'), /uses \$lable, which no @param declares/],
    ['declares a parameter it never uses', GOOD.replace("AND $label <> ''", ''), /@param label is declared but the Cypher never uses \$label/],
    ['an unknown type', GOOD.replace('boolean = false', 'bool = false'), /:6: unknown type "bool"/],
    ['bounds on a string', GOOD.replace('prefix: string?', 'prefix: string(1..3)?'), /:5: expected "@param/],
    ['a default outside the bounds', GOOD.replace('integer(1..65535)', 'integer(1..65535) = 0'), /:4: default of port: .*1/],
    ['a default of the wrong type', GOOD.replace('boolean = false', 'boolean = maybe'), /:6: default of loopback: expected true or false/],
    ['a parameter declared twice', GOOD.replace('@param label: string', '@param port: string'), /port declared twice/],
    ['no description', GOOD.replace(/^\/\/ Hosts.*\n\/\/ Second.*\n/, ''), /starts with a comment describing it/],
    ['no Cypher', '// Nothing here.\n', /no Cypher after the header/],
  ])('refuses a file that %s', (_why, text, message) => {
    expect(() => parseQueryFile('/x/q.cypher', text)).toThrow(message);
  });

  test('refuses a file name that is not a query name', () => {
    expect(() => parseQueryFile('/x/Bad Name.cypher', GOOD)).toThrow(/query names are lower-case/);
  });

  test("the project's queries all load, and the ones the issue asks for are there", () => {
    const catalog = new QueryCatalog();
    expect(catalog.problems).toEqual([]);
    for (const name of ['host-inventory', 'address-owner', 'host-services', 'port-listeners', 'host-dependents', 'switch-hosts', 'unmonitored-services']) {
      expect(catalog.get(name)?.description.length).toBeGreaterThan(20);
    }
    // Every one is bounded.
    for (const q of catalog.list()) expect(q.parameters.find((p) => p.name === 'limit')).toMatchObject({ type: 'integer 1..10000', required: false });
  });
});

describe('query parameters', () => {
  const specs = parseQueryFile('/x/port-listeners.cypher', GOOD).parameters;

  test('text from a URL or a command line becomes typed values, defaults filled in', () => {
    const checked = checkParams(specs, { port: '8080', loopback: 'yes' });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(neo4j.isInt(checked.params.port)).toBe(true);
    expect(String(checked.params.port)).toBe('8080');
    expect(checked.params).toMatchObject({ prefix: null, loopback: true, label: 'two words' });
    // Programs may pass real numbers and booleans; an empty value means "not given".
    const typed = checkParams(specs, { port: 22, loopback: false, prefix: '' });
    expect(typed.ok && String(typed.params.port)).toBe('22');
    expect(typed.ok && typed.params.prefix).toBeNull();
  });

  test.each([
    [{}, 'port', /required parameter missing/],
    [{ port: 'eighty' }, 'port', /expected an integer/],
    [{ port: '70000' }, 'port', /integer 1\.\.65535/],
    [{ port: '1.5' }, 'port', /expected an integer/],
    [{ port: ['80', '81'] }, 'port', /given more than once/],
    [{ port: '80', loopback: 'perhaps' }, 'loopback', /expected true or false/],
    [{ port: '80', colour: 'red' }, 'colour', /unknown parameter \(this query takes: port, prefix, loopback, label\)/],
    [{ port: '80', prefix: 'x'.repeat(1001) }, 'prefix', /1000/],
  ])('%j is refused, naming %s', (raw, parameter, message) => {
    const checked = checkParams(specs, raw);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.parameter).toBe(parameter);
    expect(checked.message).toMatch(message);
  });

  test('addresses are normalised to the form the graph keys them by', () => {
    expect(normaliseAddress('FD00:0:0::0002')).toBe('fd00::2');
    expect(normaliseAddress('::ffff:192.0.2.2')).toBe('192.0.2.2');
    expect(normaliseAddress(' 02-FC-00-00-00-01 ')).toBe('02:fc:00:00:00:01');
    expect(normaliseAddress('02:fc:00-00:00:01')).toBeNull();
    expect(normaliseAddress('web1')).toBeNull();
    const spec = [{ name: 'address', type: 'address' as const, required: true, default: null, description: '' }];
    expect(checkParams(spec, { address: 'no-such' })).toMatchObject({ ok: false, parameter: 'address', message: expect.stringMatching(/IPv4\/IPv6 address or a MAC/) });
  });
});
