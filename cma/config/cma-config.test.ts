import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadCmaConfig } from './cma-config';

function yamlFile(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-config-'));
  const file = path.join(dir, 'cma.yaml');
  writeFileSync(file, text);
  return file;
}

describe('CMA configuration', () => {
  test('defaults: local Neo4j, API on loopback 8080', () => {
    const config = loadCmaConfig({ env: {} });
    expect(config.neo4j.uri).toBeUndefined();
    expect(config.neo4j.database).toBe('neo4j');
    expect(config.api).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(path.isAbsolute(config.neo4j.local.home)).toBe(true);
  });

  test('file, then environment, then flags: each later source wins', () => {
    const file = yamlFile('api:\n  port: 9000\n  host: 0.0.0.0\nneo4j:\n  database: graph\n');
    const fromFile = loadCmaConfig({ file, env: {} });
    expect(fromFile.api).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(fromFile.neo4j.database).toBe('graph');

    const fromEnv = loadCmaConfig({ file, env: { UNIMATRIX_API_PORT: '9100', NEO4J_URI: 'neo4j://db.example:7687' } });
    expect(fromEnv.api.port).toBe(9100);
    expect(fromEnv.neo4j.uri).toBe('neo4j://db.example:7687');

    const fromFlags = loadCmaConfig({ file, env: { UNIMATRIX_API_PORT: '9100' }, flags: { 'api.port': 9200 } });
    expect(fromFlags.api.port).toBe(9200);
    expect(fromFlags.api.host).toBe('0.0.0.0');
  });

  test('a bad value is reported with its key, its value and its source', () => {
    const file = yamlFile('api:\n  port: 70000\n');
    expect(() => loadCmaConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadCmaConfig({ file, env: {} })).toThrow(/config key "api\.port".*70000.*from file/s);
  });

  test('membership timing is validated with the rest, strictly, and fully defaulted', () => {
    expect(loadCmaConfig({ env: {} }).membership.timing).toMatchObject({ heartbeatMs: 1000, warnMs: 2500, deadMs: 4500, probeTimeoutMs: 2000 });
    const typo = yamlFile('membership:\n  timing:\n    deadMS: 6000\n');
    expect(() => loadCmaConfig({ file: typo, env: {} })).toThrow(ConfigError);
    expect(() => loadCmaConfig({ file: typo, env: {} })).toThrow(/membership\.timing.*deadMS/s);
    const inverted = yamlFile('membership:\n  timing:\n    warnMs: 5000\n    deadMs: 4000\n');
    expect(() => loadCmaConfig({ file: inverted, env: {} })).toThrow(ConfigError);
    expect(() => loadCmaConfig({ file: inverted, env: {} })).toThrow(/heartbeatMs <= warnMs < deadMs/);
    const fine = yamlFile('membership:\n  timing:\n    deadMs: 6000\n');
    expect(loadCmaConfig({ file: fine, env: {} }).membership.timing).toMatchObject({ warnMs: 2500, deadMs: 6000 });
  });

  test('an unknown key is refused, not ignored', () => {
    const file = yamlFile('api:\n  prot: 9000\n');
    expect(() => loadCmaConfig({ file, env: {} })).toThrow(/api/);
  });

  test('a malformed environment number names the variable', () => {
    expect(() => loadCmaConfig({ env: { UNIMATRIX_API_PORT: 'eighty' } })).toThrow(/UNIMATRIX_API_PORT.*api\.port.*eighty/);
  });

  test('a bad Neo4j URI is refused', () => {
    expect(() => loadCmaConfig({ env: { NEO4J_URI: 'http://localhost:7474' } })).toThrow(/neo4j\.uri.*bolt/);
  });

  test('YAML that is not a mapping is refused with the file named', () => {
    const file = yamlFile('- just\n- a list\n');
    expect(() => loadCmaConfig({ file, env: {} })).toThrow(/must hold a mapping/);
  });
});
