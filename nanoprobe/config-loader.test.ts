import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NanoprobeConfigError, parseNanoprobeConfig } from './config';
import { loadNanoprobeConfig } from './config-loader';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nanoprobe-config-'));

describe('loadNanoprobeConfig', () => {
  it('fills in the defaults: multicast bootstrap 224.0.2.5:1984, any port, 0.5 s to 10 s backoff', () => {
    const { config, warnings } = loadNanoprobeConfig({ env: {} });
    expect(config.cma).toBeUndefined();
    expect(config.multicast).toEqual({ group: '224.0.2.5', port: 1984, ttl: 1 });
    expect(config.bind).toEqual({ host: '0.0.0.0', port: 0 });
    expect(config.announce).toEqual({ initialMs: 500, maxMs: 10_000, jitter: 0.25, refusedRetryMs: 30_000 });
    expect(config.leaveTimeoutMs).toBe(1_200);
    expect(warnings).toEqual([]);
  });

  it('layers file < environment < flags, parsing addresses, lists and ip:port', () => {
    const file = path.join(tmp, 'layers.yaml');
    writeFileSync(file, 'hostname: from-file\nbind:\n  port: 1111\nmulticast:\n  ttl: 4\ndiscovery:\n  dirs: [/from/file]\n');
    const { config } = loadNanoprobeConfig({
      file,
      env: { UNIMATRIX_NANOPROBE_HOSTNAME: 'from-env', UNIMATRIX_NANOPROBE_PORT: '2222', UNIMATRIX_NANOPROBE_ADDRESSES: '10.0.0.5/24, 192.0.2.1', UNIMATRIX_NANOPROBE_DISCOVERY_DIRS: '/a:/b' },
      flags: { 'bind.port': 3333, cma: '[::1]:1984', 'bind.host': '::' },
    });
    expect(config.hostname).toBe('from-env');
    expect(config.bind).toEqual({ host: '::', port: 3333 });
    expect(config.multicast.ttl).toBe(4);
    expect(config.addresses).toEqual([
      { ip: '10.0.0.5', prefixLength: 24 },
      { ip: '192.0.2.1', prefixLength: 32 },
    ]);
    expect(config.discovery.dirs).toEqual(['/a', '/b']);
    expect(config.cma).toEqual({ host: '::1', port: 1984 });
  });

  it('names the key, the value and its source in errors', () => {
    const attempt = () => loadNanoprobeConfig({ env: { UNIMATRIX_NANOPROBE_CMA: 'cma.example:1984' }, flags: { 'multicast.ttl': 300 } });
    expect(attempt).toThrow(NanoprobeConfigError);
    expect(attempt).toThrow(/config key "cma": expected ip:port .*from environment/);
    expect(attempt).toThrow(/config key "multicast.ttl".*got 300 from flags/);
  });

  it('refuses a non-number in a numeric variable, an unknown key in the file, and an impossible address', () => {
    expect(() => loadNanoprobeConfig({ env: { UNIMATRIX_NANOPROBE_PORT: 'eighty' } })).toThrow(/UNIMATRIX_NANOPROBE_PORT must be a number \(config key "bind.port"\)/);
    const file = path.join(tmp, 'unknown.yaml');
    writeFileSync(file, 'heartbeat: 5\n');
    expect(() => loadNanoprobeConfig({ file, env: {} })).toThrow(/config key "\(root\)": Unrecognized key: "heartbeat"/);
    expect(() => loadNanoprobeConfig({ env: {}, flags: { addresses: ['10.0.0.1/33'] } })).toThrow(/config key "addresses.0": expected ip\/prefix/);
    expect(() => loadNanoprobeConfig({ env: {}, flags: { cma: '10.0.0.1:1984', 'bind.host': '::' } })).toThrow(/config key "cma": .*address family/);
  });

  it('validates an already validated configuration to the same value (startNanoprobe re-checks what the CLI loaded)', () => {
    const { config } = loadNanoprobeConfig({ env: {}, flags: { cma: '10.0.0.1:1984', addresses: ['10.0.0.5/24', '2001:db8::1'] } });
    expect(parseNanoprobeConfig(config)).toEqual(config);
  });

  it('says what is wrong with the file itself', () => {
    expect(() => loadNanoprobeConfig({ file: path.join(tmp, 'missing.yaml'), env: {} })).toThrow(/cannot read config file/);
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'a: [1\n');
    expect(() => loadNanoprobeConfig({ file: bad, env: {} })).toThrow(/not valid YAML/);
    const list = path.join(tmp, 'list.yaml');
    writeFileSync(list, '- 1\n');
    expect(() => loadNanoprobeConfig({ file: list, env: {} })).toThrow(/mapping at the top/);
  });

  it('reads the file named by UNIMATRIX_NANOPROBE_CONFIG and warns about unknown UNIMATRIX_NANOPROBE_ variables', () => {
    const file = path.join(tmp, 'env-named.yaml');
    writeFileSync(file, 'leaveTimeoutMs: 800\n');
    const { config, warnings } = loadNanoprobeConfig({ env: { UNIMATRIX_NANOPROBE_CONFIG: file, UNIMATRIX_NANOPROBE_HOSTNAM: 'typo' } });
    expect(config.leaveTimeoutMs).toBe(800);
    expect(warnings).toEqual(['unknown environment variable UNIMATRIX_NANOPROBE_HOSTNAM ignored']);
  });
});
