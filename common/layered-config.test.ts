import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deepMerge, describeIssues, getPath, layerConfig, setPath, type EnvBinding } from './layered-config';

class TestConfigError extends Error {}
const makeError = (message: string): Error => new TestConfigError(message);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'layered-config-'));
function yamlFile(name: string, text: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

const ENVIRONMENT: EnvBinding[] = [
  ['T_HOST', ['api', 'host'], 'string'],
  ['T_PORT', ['api', 'port'], 'number'],
  ['T_TAGS', ['tags'], 'list'],
  ['T_DIRS', ['dirs'], 'pathList'],
];

describe('layerConfig', () => {
  test('file < environment < flags, merging mappings key by key and replacing lists whole', () => {
    const file = yamlFile('layers.yaml', 'api:\n  host: file-host\n  port: 1\n  tls: true\ntags: [a, b, c]\nname: from-file\n');
    const { merged, sourceOf } = layerConfig({
      file,
      env: { T_PORT: '2', T_TAGS: ' x , ,y ' },
      environment: ENVIRONMENT,
      flags: { 'api.port': 3, name: undefined },
      makeError,
    });
    expect(merged).toEqual({ api: { host: 'file-host', port: 3, tls: true }, tags: ['x', 'y'], name: 'from-file' });
    expect(sourceOf(['api', 'port'])).toBe('flags');
    expect(sourceOf(['api', 'host'])).toBe(`file ${file}`);
    expect(sourceOf(['tags', '1'])).toBe('environment');
    expect(sourceOf(['api', 'nothing'])).toBeUndefined();
    expect(sourceOf([])).toBeUndefined();
  });

  test('no file (absent or empty name), unset and empty variables: only what flags give', () => {
    const { merged, layers } = layerConfig({ file: '', env: { T_HOST: '' }, environment: ENVIRONMENT, flags: { 'a.b.c': 1 }, makeError });
    expect(merged).toEqual({ a: { b: { c: 1 } } });
    expect(layers.map((l) => l.source)).toEqual(['environment', 'flags']);
  });

  test('path lists split on the platform delimiter', () => {
    const { merged } = layerConfig({ env: { T_DIRS: ['/a', '', '/b'].join(path.delimiter) }, environment: ENVIRONMENT, makeError });
    expect(merged.dirs).toEqual(['/a', '/b']);
  });

  test.each(['eighty', '  ', 'Infinity'])('a numeric variable holding %j is refused with the daemon error naming variable and key', (raw) => {
    const attempt = () => layerConfig({ env: { T_PORT: raw }, environment: ENVIRONMENT, makeError });
    expect(attempt).toThrow(TestConfigError);
    expect(attempt).toThrow(`environment variable T_PORT must be a number (config key "api.port"), got ${JSON.stringify(raw)}`);
  });

  test('file problems are named: missing, not YAML, not a mapping; an empty file is an empty layer', () => {
    const missing = path.join(tmp, 'missing.yaml');
    const attempt = (file: string) => () => layerConfig({ file, env: {}, environment: [], makeError });
    expect(attempt(missing)).toThrow(TestConfigError);
    expect(attempt(missing)).toThrow(`cannot read config file ${missing}`);
    expect(attempt(yamlFile('bad.yaml', 'a: [1\n'))).toThrow(/config file .*bad\.yaml is not valid YAML/);
    expect(attempt(yamlFile('list.yaml', '- 1\n'))).toThrow(/config file .*list\.yaml must hold a mapping at the top/);
    expect(attempt(yamlFile('scalar.yaml', '42\n'))).toThrow(/must hold a mapping at the top/);
    expect(layerConfig({ file: yamlFile('empty.yaml', ''), env: {}, environment: [], makeError }).merged).toEqual({});
  });

  test('the YAML parser is loaded only when a file is read', () => {
    let loads = 0;
    jest.isolateModules(() => {
      jest.doMock('yaml', () => {
        loads++;
        return jest.requireActual('yaml');
      });
      const isolated = require('./layered-config') as typeof import('./layered-config');
      isolated.layerConfig({ env: { T_PORT: '1' }, environment: ENVIRONMENT, makeError });
      expect(loads).toBe(0);
      isolated.layerConfig({ file: yamlFile('lazy.yaml', 'a: 1\n'), env: {}, environment: [], makeError });
      expect(loads).toBe(1);
    });
    jest.dontMock('yaml');
  });
});

describe('describeIssues', () => {
  test('names the key, the value and the layer it came from; the root and absent values too', () => {
    const { merged, sourceOf } = layerConfig({ env: { T_PORT: '70000' }, environment: ENVIRONMENT, flags: { addresses: ['10.0.0.1/33'] }, makeError });
    const lines = describeIssues(
      [
        { path: ['api', 'port'], message: 'too big' },
        { path: ['addresses', 0], message: 'expected ip/prefix' },
        { path: [], message: 'Unrecognized key: "x"' },
        { path: ['api', 'host'], message: 'required' },
      ],
      merged,
      sourceOf,
    );
    expect(lines).toEqual([
      'config key "api.port": too big (got 70000 from environment)',
      'config key "addresses.0": expected ip/prefix (got "10.0.0.1/33" from flags)',
      'config key "(root)": Unrecognized key: "x" (got {"api":{"port":70000},"addresses":["10.0.0.1/33"]})',
      'config key "api.host": required',
    ]);
  });
});

describe('path helpers', () => {
  test('setPath creates mappings on the way, replacing a scalar in the way', () => {
    const target: Record<string, unknown> = { a: 1 };
    setPath(target, ['a', 'b'], 2);
    setPath(target, ['c'], 3);
    expect(target).toEqual({ a: { b: 2 }, c: 3 });
  });

  test('getPath walks mappings and lists, and is undefined past a scalar', () => {
    const source = { a: { list: [{ x: 1 }] }, s: 'text' };
    expect(getPath(source, ['a', 'list', '0', 'x'])).toBe(1);
    expect(getPath(source, ['s', 'length'])).toBeUndefined();
    expect(getPath(source, ['a', 'missing', 'x'])).toBeUndefined();
    expect(getPath(source, [])).toBe(source);
  });

  test('deepMerge leaves its inputs untouched', () => {
    const a = { m: { x: 1 } };
    const b = { m: { y: 2 } };
    expect(deepMerge(a, b)).toEqual({ m: { x: 1, y: 2 } });
    expect(a).toEqual({ m: { x: 1 } });
    expect(b).toEqual({ m: { y: 2 } });
  });
});
