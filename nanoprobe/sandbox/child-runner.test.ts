import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChild } from './child-runner';

const CHECK_DUMMY = '/usr/lib/nagios/plugins/check_dummy';

describe('runChild (the nanoprobe sandbox)', () => {
  it('gives the caller the exit status as a result, with the arguments it chose (a real Nagios plugin)', async () => {
    if (!existsSync(CHECK_DUMMY)) {
      if (process.env.CI === 'true') throw new Error(`${CHECK_DUMMY} is missing: scripts/install-system-packages.sh installs monitoring-plugins-basic`);
      return;
    }
    const outcome = await runChild({ executable: CHECK_DUMMY, args: ['2', 'disk full'], nice: 5 });
    expect(outcome).toMatchObject({ kind: 'exited', exitCode: 2, signal: null });
    if (outcome.kind === 'exited') expect(outcome.stdout.toString().trim()).toBe('CRITICAL: disk full');
  });

  it('runs with a clean environment: a fixed PATH and locale, only the variables passed on or given', async () => {
    const outcome = await runChild({
      executable: '/bin/sh',
      args: ['-c', 'echo "$PATH|$LC_ALL|${SECRET:-none}|${KEEP:-none}|$GIVEN"'],
      baseEnv: { SECRET: 'leaked', KEEP: 'kept', PATH: '/nowhere' },
      passEnv: ['KEEP'],
      env: { GIVEN: 'yes' },
    });
    expect(outcome.kind).toBe('exited');
    if (outcome.kind === 'exited') expect(outcome.stdout.toString().trim()).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|C|none|kept|yes');
  });

  it('past its timeout kills the whole process group, helpers included', async () => {
    const pidFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'unimatrix-sandbox-')), 'helper.pid');
    const outcome = await runChild({ executable: '/bin/sh', args: ['-c', `sleep 30 & echo $! > ${pidFile}; sleep 30`], timeoutMs: 500 });
    expect(outcome.kind).toBe('timeout');
    const helper = Number(readFileSync(pidFile, 'utf8'));
    expect(helper).toBeGreaterThan(0);
    // Killed with its group: gone, or at most a zombie waiting for its reaper.
    const state = (() => {
      try {
        return readFileSync(`/proc/${helper}/stat`, 'utf8').split(') ')[1]?.[0];
      } catch {
        return 'gone';
      }
    })();
    expect(['gone', 'Z']).toContain(state);
  });

  it('stops a program that prints more than its cap, and keeps only a bounded stderr excerpt', async () => {
    const outcome = await runChild({ executable: '/bin/sh', args: ['-c', 'head -c 100000 /dev/zero; head -c 9000 /dev/zero >&2; sleep 30'], maxOutputBytes: 1000, maxStderrBytes: 64 });
    expect(outcome.kind).toBe('output_too_large');
    const spawnFailed = await runChild({ executable: '/no/such/program', args: [] });
    expect(spawnFailed.kind).toBe('spawn_failed');
    const bad = await runChild({ executable: '/bin/true', args: [], nice: 40 });
    expect(bad).toMatchObject({ kind: 'invalid_options', message: 'nice must be an integer from 0 to 19' });
  });
});
