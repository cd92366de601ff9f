import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScript } from '../../nanoprobe/discovery/runner';
import type { RunResult } from '../../nanoprobe/discovery/run-result';
import { isGone, readPids, waitGone } from './process-helpers';

const FIXTURES = path.join(__dirname, 'fixtures', 'scripts');
const fixture = (name: string) => path.join(FIXTURES, name);

const tmpDirs: string[] = [];
function tmpFile(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-runner-'));
  tmpDirs.push(dir);
  return path.join(dir, name);
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function expectError(result: RunResult, code: string): asserts result is Extract<RunResult, { ok: false }> {
  if (result.ok) throw new Error(`expected ${code}, got ok`);
  expect(result.code).toBe(code);
}

describe('discovery script runner', () => {
  test('runs a good script with "discover", its parameters, a clean environment and the nice level', async () => {
    const result = await runScript({
      script: fixture('echo-env.js'),
      params: { socket: '/run/lldpd-a.socket', Max_Args: '3' },
      nice: 7,
      baseEnv: { PATH: process.env.PATH, HOME: '/root', SECRET_TOKEN: 'must-not-leak' },
    });
    if (!result.ok) throw new Error(`${result.code}: ${result.message} ${result.stderr.text}`);
    expect(result.document.discovertype).toBe('echo-env');
    const data = result.document.data as {
      argv: string[];
      env: Record<string, string>;
      nice: number;
      pgid: number;
      pid: number;
      cwd: string;
    };
    expect(data.argv).toEqual(['discover']);
    expect(data.env.UNIMATRIX_PARAM_SOCKET).toBe('/run/lldpd-a.socket');
    expect(data.env.UNIMATRIX_PARAM_MAX_ARGS).toBe('3');
    expect(data.env.UNIMATRIX_RUNNER_PID).toBe(String(process.pid));
    expect(data.env.SECRET_TOKEN).toBeUndefined();
    expect(data.env.HOME).toBe('/root');
    expect(data.env.LC_ALL).toBe('C');
    expect(data.nice).toBe(7);
    // Its own process group, led by itself: what lets the runner kill everything it started.
    expect(data.pgid).toBe(data.pid);
    expect(data.cwd).toBe('/');
    expect(result.exitCode).toBe(0);
    expect(result.outputBytes).toBeGreaterThan(0);
  });

  test('invalid JSON on stdout is invalid_json', async () => {
    const result = await runScript({ script: fixture('invalid-json.sh') });
    expectError(result, 'invalid_json');
    expect(result.exitCode).toBe(0);
  });

  test('JSON that is not a discovery document is wrong_shape, naming what is wrong', async () => {
    const result = await runScript({ script: fixture('wrong-shape.sh') });
    expectError(result, 'wrong_shape');
    expect(result.message).toMatch(/host/);
    expect(result.message).toMatch(/data/);
    expect(result.message).toMatch(/discovertype/);
  });

  test('a non-zero exit is nonzero_exit with the status and the start of stderr, even with valid JSON', async () => {
    const result = await runScript({ script: fixture('nonzero.sh') });
    expectError(result, 'nonzero_exit');
    expect(result.exitCode).toBe(3);
    expect(result.stderr.text).toContain('something went wrong');
    expect(result.stderr.truncated).toBe(false);
  });

  test('stderr is kept only up to its cap', async () => {
    const result = await runScript({ script: fixture('stderr-flood.sh'), maxStderrBytes: 1000 });
    expectError(result, 'nonzero_exit');
    expect(Buffer.byteLength(result.stderr.text)).toBeLessThanOrEqual(1000);
    expect(result.stderr.text.startsWith('line 0 of a long error report')).toBe(true);
    expect(result.stderr.truncated).toBe(true);
  });

  test('output past the cap is output_too_large, and the script and its child are killed', async () => {
    const pidfile = tmpFile('pids');
    const result = await runScript({ script: fixture('floods.sh'), maxOutputBytes: 64 * 1024, params: { pidfile } });
    expectError(result, 'output_too_large');
    const pids = readPids(pidfile);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await waitGone(pid)).toBe(true);
  });

  test('a script that never exits is timeout, and its whole process group is gone', async () => {
    const pidfile = tmpFile('pids');
    const result = await runScript({ script: fixture('hangs.sh'), timeoutMs: 1500, params: { pidfile } });
    expectError(result, 'timeout');
    expect(result.signal).toBe('SIGKILL');
    const pids = readPids(pidfile);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await waitGone(pid)).toBe(true);
  });

  test('helpers a successful script leaves behind are killed, and the result still counts', async () => {
    const pidfile = tmpFile('pids');
    const result = await runScript({ script: fixture('leaves-child.sh'), params: { pidfile } });
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    expect(result.document.data).toEqual({ ok: true });
    const [, helper] = readPids(pidfile);
    expect(helper).toBeDefined();
    expect(await waitGone(helper as number)).toBe(true);
  });

  test('a helper that escaped the process group cannot make the runner hang', async () => {
    const pidfile = tmpFile('pids');
    let escaped: number | undefined;
    try {
      const result = await runScript({
        script: fixture('escapes-group.sh'),
        timeoutMs: 3000,
        killGraceMs: 300,
        params: { pidfile },
      });
      expectError(result, 'timeout');
      if (existsSync(`${pidfile}.escaped`)) escaped = readPids(`${pidfile}.escaped`)[0];
      const [main] = readPids(pidfile);
      expect(await waitGone(main as number)).toBe(true);
      // It really did escape: still running after the group was killed.
      expect(escaped).toBeDefined();
      expect(isGone(escaped as number)).toBe(false);
    } finally {
      if (escaped !== undefined) process.kill(escaped, 'SIGKILL');
    }
  });

  test('a file that cannot be executed is spawn_failed', async () => {
    const notExec = await runScript({ script: fixture('not-executable.sh') });
    expectError(notExec, 'spawn_failed');
    expect(notExec.message).toMatch(/EACCES/);
    const missing = await runScript({ script: fixture('no-such-script') });
    expectError(missing, 'spawn_failed');
    expect(missing.message).toMatch(/ENOENT/);
  });

  test('a bad parameter name or limit is invalid_request and starts nothing', async () => {
    expectError(await runScript({ script: fixture('echo-env.js'), params: { 'a-b': 'x' } }), 'invalid_request');
    expectError(await runScript({ script: fixture('echo-env.js'), params: { PATH: 'x', '1x': 'y' } }), 'invalid_request');
    expectError(await runScript({ script: fixture('echo-env.js'), nice: 25 }), 'invalid_request');
    expectError(await runScript({ script: fixture('echo-env.js'), timeoutMs: 0 }), 'invalid_request');
  });

  test('bad scripts running side by side do not disturb a good one', async () => {
    const pidfile = tmpFile('pids');
    const [bad1, bad2, good] = await Promise.all([
      runScript({ script: fixture('invalid-json.sh') }),
      runScript({ script: fixture('hangs.sh'), timeoutMs: 1500, params: { pidfile } }),
      runScript({ script: fixture('echo-env.js') }),
    ]);
    expectError(bad1, 'invalid_json');
    expectError(bad2, 'timeout');
    expect(good.ok).toBe(true);
    for (const pid of readPids(pidfile)) expect(await waitGone(pid)).toBe(true);
  });
});
