/**
 * The scheduler driving real script runs (the clock is the test's; the processes are real):
 * an unchanged result is sent once, a failing script's error once, and a change again.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequestRunner } from '../../nanoprobe/discovery/run-request';
import { DiscoveryScheduler, type DiscoveryReport } from '../../nanoprobe/discovery/scheduler';
import { ManualClock } from './manual-clock';
import { SCRIPTS_DIR } from './run-discovery';

describe('scheduler with real scripts', () => {
  test('reports the first result, then only changes and new failures', async () => {
    // An operator's directory, searched first: it holds a script whose output the test changes.
    const siteDir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-site-scripts-'));
    const valueFile = path.join(siteDir, 'value');
    const script = path.join(siteDir, 'rack.sh');
    writeFileSync(
      script,
      '#!/bin/sh\nv=$(cat "$UNIMATRIX_PARAM_FILE")\n[ "$v" = broken ] && { echo "not json"; exit 0; }\n' +
        'printf \'{"discovertype":"rack","description":"site rack","host":"h","source":"site","data":{"rack":"%s"}}\' "$v"\n',
    );
    chmodSync(script, 0o755);
    writeFileSync(valueFile, 'B7');

    const clock = new ManualClock();
    const reports: DiscoveryReport[] = [];
    const scheduler = new DiscoveryScheduler({
      clock,
      run: createRequestRunner({ directories: [siteDir, SCRIPTS_DIR] }),
      onResult: (r) => reports.push(r),
    });
    scheduler.submit({ name: 'rack', intervalMs: 60_000, params: { file: valueFile } });
    scheduler.submit({ name: 'os', intervalMs: 60_000 });
    const tick = async () => {
      await scheduler.whenIdle();
      await clock.advance(60_000);
      await scheduler.whenIdle();
    };
    await scheduler.whenIdle();
    expect(reports.map((r) => r.requestId).sort()).toEqual(['os', 'rack']);

    await tick(); // nothing changed
    expect(reports).toHaveLength(2);

    writeFileSync(valueFile, 'broken');
    await tick();
    await tick(); // the same failure again: not repeated
    const failures = reports.filter((r) => !r.result.ok);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.result).toMatchObject({ ok: false, code: 'invalid_json' });

    writeFileSync(valueFile, 'C1');
    await tick();
    const last = reports[reports.length - 1];
    expect(last?.result.ok && last.result.document.data).toEqual({ rack: 'C1' });
    expect(reports).toHaveLength(4);
    expect(scheduler.list().every((s) => s.runs === 5)).toBe(true);
    scheduler.stop();
    rmSync(siteDir, { recursive: true, force: true });
  });
});
