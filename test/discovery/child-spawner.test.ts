/**
 * Scripts started through the spawner helper (nanoprobe/sandbox/child-spawner.ts): the same sandbox
 * as in-process runs, but the program is the helper's child, not the nanoprobe's, so starting it
 * never blocks the nanoprobe's event loop. Real processes; needs `npm run build` (pretest does it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScript } from '../../nanoprobe/discovery/runner';
import { ChildSpawner } from '../../nanoprobe/sandbox/child-spawner';
import { isGone, readPids, waitGone } from './process-helpers';

const fixture = (name: string) => path.join(__dirname, 'fixtures', 'scripts', name);
const dirs: string[] = [];
const spawners: ChildSpawner[] = [];
afterAll(() => {
  for (const s of spawners) s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function pidfile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-spawner-'));
  dirs.push(dir);
  return path.join(dir, 'pids');
}
function spawner(options: ConstructorParameters<typeof ChildSpawner>[0] = {}): ChildSpawner {
  const s = new ChildSpawner(options);
  spawners.push(s);
  return s;
}
/** Waits for the hangs.sh fixture to have started both its processes (an outcome, not a delay). */
async function started(file: string): Promise<number[]> {
  for (;;) {
    if (existsSync(file) && readPids(file).length === 2) return readPids(file);
    await new Promise((r) => setTimeout(r, 20));
  }
}
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe('spawner helper', () => {
  test('runs a script with the same sandbox, as a child of the helper and not of this process', async () => {
    const s = spawner();
    const result = await runScript({ script: fixture('echo-env.js'), params: { socket: '/run/x' }, nice: 7 }, s.run);
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    const data = result.document.data as { env: Record<string, string>; nice: number; pgid: number; pid: number; ppid: number };
    expect(s.helperPid).toBeDefined();
    expect(data.ppid).toBe(s.helperPid);
    expect(parentOf(s.helperPid as number)).toBe(process.pid);
    expect(data.env.UNIMATRIX_PARAM_SOCKET).toBe('/run/x');
    // The processes discovery leaves out the runner's descendants: the helper and its scripts are ours.
    expect(data.env.UNIMATRIX_RUNNER_PID).toBe(String(process.pid));
    expect(data.nice).toBe(7);
    expect(data.pgid).toBe(data.pid);
  });

  test('a timeout still kills the whole group, and stdout comes back as bytes', async () => {
    const s = spawner();
    const file = pidfile();
    const result = await runScript({ script: fixture('hangs.sh'), timeoutMs: 1500, params: { pidfile: file } }, s.run);
    expect(result.ok ? 'ok' : result.code).toBe('timeout');
    for (const pid of readPids(file)) expect(await waitGone(pid)).toBe(true);
    const echoed = await s.run({ executable: '/bin/echo', args: ['hello'] });
    expect(echoed.kind).toBe('exited');
    if (echoed.kind === 'exited') {
      expect(Buffer.isBuffer(echoed.stdout)).toBe(true);
      expect(echoed.stdout.toString()).toBe('hello\n');
    }
  });

  test('a helper that dies fails the runs in flight, and is started again (not sooner than its cooldown)', async () => {
    let now = 0;
    const problems: string[] = [];
    const s = spawner({ now: () => now, restartCooldownMs: 5_000, onHelperProblem: (m) => problems.push(m) });
    const file = pidfile();
    const inFlight = runScript({ script: fixture('hangs.sh'), timeoutMs: 60_000, params: { pidfile: file } }, s.run);
    await started(file);
    process.kill(s.helperPid as number, 'SIGKILL');
    const failed = await inFlight;
    expect(failed.ok ? 'ok' : failed.code).toBe('spawn_failed');
    expect(failed.ok ? '' : failed.message).toMatch(/spawner helper ended \(SIGKILL\)/);
    expect(problems).toHaveLength(1);
    // Orphaned by the helper's death: not ours to wait for, so clean them up here.
    for (const pid of readPids(file)) if (!isGone(pid)) process.kill(pid, 'SIGKILL');

    const tooSoon = await s.run({ executable: '/bin/echo', args: ['x'] });
    expect(tooSoon.kind).toBe('spawn_failed');
    expect(s.starts).toBe(1);
    now = 5_000;
    const again = await s.run({ executable: '/bin/echo', args: ['x'] });
    expect(again.kind).toBe('exited');
    expect(s.starts).toBe(2);
  });

  test('stop ends the helper and kills what it was running', async () => {
    const s = spawner();
    const file = pidfile();
    const inFlight = s.run({ executable: fixture('hangs.sh'), args: [], env: { UNIMATRIX_PARAM_PIDFILE: file }, timeoutMs: 60_000 });
    const pids = await started(file);
    const helper = s.helperPid as number;
    s.stop();
    expect((await inFlight).kind).toBe('spawn_failed');
    expect(await waitGone(helper)).toBe(true);
    for (const pid of pids) expect(await waitGone(pid)).toBe(true);
    expect((await s.run({ executable: '/bin/echo', args: ['x'] })).kind).toBe('spawn_failed');
  });

  test('a missing helper is a clear error at start', () => {
    expect(() => new ChildSpawner({ helperPath: '/nonexistent/spawner-main.js' })).toThrow(/spawner helper .* is missing: run npm run build/);
  });
});
