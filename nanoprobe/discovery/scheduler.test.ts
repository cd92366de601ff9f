import { DiscoveryScheduler, fingerprintOf, splayOffsetMs, type DiscoveryReport } from './scheduler';
import type { DiscoveryRequest } from './request';
import type { RunResult } from './run-result';
import { flush, ManualClock } from '../../test/discovery/manual-clock';

function ok(data: object): RunResult {
  return {
    ok: true,
    document: { discovertype: 'os', description: '', host: 'h1', source: 's', data },
    outputBytes: 10,
    script: '/x/os.js',
    durationMs: 5,
    exitCode: 0,
    signal: null,
    stderr: { text: '', truncated: false },
  };
}

function failed(code: 'timeout' | 'nonzero_exit', exitCode: number | null = null): RunResult {
  return {
    ok: false,
    code,
    message: `failed with ${code}`,
    script: '/x/os.js',
    durationMs: 5,
    exitCode,
    signal: null,
    stderr: { text: `at ${Math.random()}`, truncated: false },
  };
}

/** A run function whose runs the test finishes by hand, one by one. */
class ControlledRuns {
  started: DiscoveryRequest[] = [];
  private resolvers: Array<(r: RunResult) => void> = [];
  run = (request: DiscoveryRequest): Promise<RunResult> => {
    this.started.push(request);
    return new Promise((resolve) => this.resolvers.push(resolve));
  };
  get inFlight(): number {
    return this.resolvers.length;
  }
  async finishNext(result: RunResult): Promise<void> {
    const resolve = this.resolvers.shift();
    if (!resolve) throw new Error('no run in flight');
    resolve(result);
    await flush();
  }
}

function setup(maxConcurrent = 2) {
  const clock = new ManualClock();
  const runs = new ControlledRuns();
  const reports: DiscoveryReport[] = [];
  const scheduler = new DiscoveryScheduler({ clock, run: runs.run, onResult: (r) => reports.push(r), maxConcurrent });
  return { clock, runs, reports, scheduler };
}

const osEvery10s: DiscoveryRequest = { name: 'os', intervalMs: 10_000 };

describe('discovery scheduler', () => {
  test('runs at once, then every interval; reports only results whose content changed', async () => {
    const { clock, runs, reports, scheduler } = setup();
    scheduler.submit(osEvery10s);
    await flush();
    expect(runs.started).toHaveLength(1);
    await runs.finishNext(ok({ kernel: '6.1', b: 1, a: 2 }));
    expect(reports).toHaveLength(1);

    await clock.advance(9_999);
    expect(runs.started).toHaveLength(1);
    await clock.advance(1);
    expect(runs.started).toHaveLength(2);
    // Same content, keys in another order: same canonical hash, not reported again.
    await runs.finishNext(ok({ a: 2, kernel: '6.1', b: 1 }));
    expect(reports).toHaveLength(1);

    await clock.advance(10_000);
    await runs.finishNext(ok({ kernel: '6.2', a: 2, b: 1 }));
    expect(reports).toHaveLength(2);
    expect((reports[1]?.result as Extract<RunResult, { ok: true }>).document.data).toEqual({ kernel: '6.2', a: 2, b: 1 });
    expect(reports[1]?.fingerprint).toMatch(/^ok:[0-9a-f]{64}$/);
  });

  test('never overlaps two runs of one request: a slow run delays the next instead', async () => {
    const { clock, runs, scheduler } = setup();
    scheduler.submit(osEvery10s);
    await flush();
    await clock.advance(35_000); // three intervals pass while the first run is still going
    expect(runs.started).toHaveLength(1);
    expect(runs.inFlight).toBe(1);
    await runs.finishNext(ok({}));
    // Overdue: the next run starts at once, once; not three catch-up runs.
    expect(runs.started).toHaveLength(2);
    expect(runs.inFlight).toBe(1);
    await runs.finishNext(ok({}));
    await clock.advance(9_999);
    expect(runs.started).toHaveLength(2);
    await clock.advance(1);
    expect(runs.started).toHaveLength(3);
  });

  test('failures are reported when they start, when they change, and when they end', async () => {
    const { clock, runs, reports, scheduler } = setup();
    scheduler.submit(osEvery10s);
    await flush();
    await runs.finishNext(ok({ x: 1 }));
    await clock.advance(10_000);
    await runs.finishNext(failed('timeout'));
    await clock.advance(10_000);
    await runs.finishNext(failed('timeout')); // same failure (stderr differs): not reported again
    await clock.advance(10_000);
    await runs.finishNext(failed('nonzero_exit', 1));
    await clock.advance(10_000);
    await runs.finishNext(failed('nonzero_exit', 2)); // another exit status: reported
    await clock.advance(10_000);
    await runs.finishNext(ok({ x: 1 })); // recovered, same content as before the failures: reported
    expect(reports.map((r) => r.fingerprint.split(':').slice(0, 3).join(':'))).toEqual([
      expect.stringMatching(/^ok:/),
      'error:timeout:',
      'error:nonzero_exit:1',
      'error:nonzero_exit:2',
      expect.stringMatching(/^ok:/),
    ]);
    expect(reports[0]?.fingerprint).toBe(reports[4]?.fingerprint);
  });

  test('replacing a request while it runs: the old run is not reported, the new one runs right after', async () => {
    const { runs, reports, scheduler } = setup();
    scheduler.submit({ name: 'lldp', id: 'lldp-a', intervalMs: 60_000, params: { socket: '/run/a' } });
    await flush();
    scheduler.submit({ name: 'lldp', id: 'lldp-a', intervalMs: 60_000, params: { socket: '/run/b' } });
    await flush();
    expect(runs.inFlight).toBe(1); // still no overlap
    await runs.finishNext(ok({ from: 'a' }));
    expect(reports).toHaveLength(0);
    expect(runs.started.map((r) => r.params?.socket)).toEqual(['/run/a', '/run/b']);
    await runs.finishNext(ok({ from: 'b' }));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.request.params?.socket).toBe('/run/b');
  });

  test('a replaced request reports its next result even when unchanged', async () => {
    const { runs, reports, scheduler } = setup();
    scheduler.submit(osEvery10s);
    await flush();
    await runs.finishNext(ok({ same: true }));
    scheduler.submit({ ...osEvery10s, timeoutMs: 5_000 });
    await flush();
    await runs.finishNext(ok({ same: true }));
    expect(reports).toHaveLength(2);
  });

  test('cancel stops the timer and drops a run in progress', async () => {
    const { clock, runs, reports, scheduler } = setup();
    scheduler.submit(osEvery10s);
    await flush();
    await runs.finishNext(ok({}));
    expect(clock.pending()).toBe(1);
    expect(scheduler.cancel('os')).toBe(true);
    expect(clock.pending()).toBe(0);
    await clock.advance(60_000);
    expect(runs.started).toHaveLength(1);

    scheduler.submit({ name: 'cpu', intervalMs: 10_000 });
    await flush();
    scheduler.cancel('cpu');
    await runs.finishNext(ok({ late: true }));
    expect(reports).toHaveLength(1);
    expect(clock.pending()).toBe(0);
    expect(scheduler.cancel('nothing')).toBe(false);
  });

  test('at most maxConcurrent scripts run at once; the others wait their turn', async () => {
    const { runs, reports, scheduler } = setup(2);
    for (const name of ['a', 'b', 'c', 'd']) scheduler.submit({ name, intervalMs: 0 });
    await flush();
    expect(runs.started.map((r) => r.name)).toEqual(['a', 'b']);
    await runs.finishNext(ok({}));
    expect(runs.started.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    await runs.finishNext(ok({}));
    await runs.finishNext(ok({}));
    await runs.finishNext(ok({}));
    expect(runs.started.map((r) => r.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(reports.map((r) => r.requestId).sort()).toEqual(['a', 'b', 'c', 'd']);
    await scheduler.whenIdle();
  });

  test('a one-shot request (interval 0) runs once; runNow runs it again', async () => {
    const { clock, runs, scheduler } = setup();
    scheduler.submit({ name: 'packages', intervalMs: 0 });
    await flush();
    await runs.finishNext(ok({}));
    await clock.advance(1_000_000);
    expect(runs.started).toHaveLength(1);
    expect(scheduler.runNow('packages')).toBe(true);
    await flush();
    expect(runs.started).toHaveLength(2);
    // Asked again while running: one more run after this one, never two at once.
    scheduler.runNow('packages');
    scheduler.runNow('packages');
    await flush();
    expect(runs.inFlight).toBe(1);
    await runs.finishNext(ok({}));
    expect(runs.started).toHaveLength(3);
    await runs.finishNext(ok({}));
    expect(runs.started).toHaveLength(3);
  });

  test('resend makes the next unchanged result go out again', async () => {
    const { clock, runs, reports, scheduler } = setup();
    scheduler.submit(osEvery10s);
    await flush();
    await runs.finishNext(ok({ v: 1 }));
    scheduler.resend();
    await clock.advance(10_000);
    await runs.finishNext(ok({ v: 1 }));
    expect(reports).toHaveLength(2);
  });

  test('a throwing callback or a throwing run does not stop the scheduler', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const errors: unknown[] = [];
    let call = 0;
    const scheduler = new DiscoveryScheduler({
      clock,
      run: async () => {
        call++;
        if (call === 2) throw new Error('runner bug');
        return ok({ call });
      },
      onResult: (r) => {
        seen.push(r.fingerprint.slice(0, 20));
        if (seen.length === 1) throw new Error('send failed');
      },
      onCallbackError: (err) => errors.push(err),
    });
    scheduler.submit(osEvery10s);
    await flush();
    await clock.advance(10_000);
    await clock.advance(10_000);
    expect(call).toBe(3);
    expect(seen).toHaveLength(3);
    expect(seen[1]).toMatch(/^error:spawn_failed/);
    expect(errors).toHaveLength(1);
    scheduler.stop();
    expect(clock.pending()).toBe(0);
  });

  test('fingerprints ignore stderr and messages but not exit status', () => {
    expect(fingerprintOf(failed('timeout'))).toBe(fingerprintOf(failed('timeout')));
    expect(fingerprintOf(failed('nonzero_exit', 1))).not.toBe(fingerprintOf(failed('nonzero_exit', 2)));
  });

  test('first runs are spread over the splay window at offsets fixed by host and request; replacements and runNow are not delayed', async () => {
    const clock = new ManualClock();
    const runs = new ControlledRuns();
    const scheduler = new DiscoveryScheduler({
      clock,
      run: runs.run,
      onResult: () => undefined,
      maxConcurrent: 16,
      firstRunSplay: { maxMs: 10_000, seed: 'host-a' },
    });
    const names = ['os', 'netconfig', 'processes', 'packages', 'tcp', 'filesystems', 'sshd', 'lldp'];
    for (const name of names) scheduler.submit({ name, intervalMs: 600_000 });
    const offsets = new Map(names.map((n) => [n, splayOffsetMs('host-a', n, 10_000, 600_000)]));
    expect(new Set(offsets.values()).size).toBeGreaterThan(1); // spread, not one instant
    for (const offset of offsets.values()) expect(offset).toBeGreaterThanOrEqual(0);
    for (const offset of offsets.values()) expect(offset).toBeLessThan(10_000);
    await flush();
    expect(runs.started.map((r) => r.name)).toEqual(names.filter((n) => offsets.get(n) === 0));
    // Each request starts exactly at its own offset, in offset order.
    const byOffset = [...offsets.entries()].sort((a, b) => a[1] - b[1]);
    let at = 0;
    for (const [name, offset] of byOffset) {
      if (offset > at) {
        await clock.advance(offset - 1 - at);
        expect(runs.started.map((r) => r.name)).not.toContain(name);
        await clock.advance(1);
        at = offset;
      }
      expect(runs.started.map((r) => r.name)).toContain(name);
    }
    expect(runs.started).toHaveLength(names.length);

    // A second host gets other offsets; a short interval caps the window.
    expect(names.map((n) => splayOffsetMs('host-b', n, 10_000, 600_000))).not.toEqual(names.map((n) => offsets.get(n)));
    expect(splayOffsetMs('host-a', 'os', 10_000, 1_000)).toBeLessThan(1_000);
    expect(splayOffsetMs('host-a', 'os', 0, 600_000)).toBe(0);

    // A new request run at once by runNow starts without waiting for its offset.
    const late = { name: 'late', intervalMs: 600_000 };
    scheduler.submit(late);
    await flush();
    expect(runs.started.filter((r) => r.name === 'late')).toHaveLength(splayOffsetMs('host-a', 'late', 10_000, 600_000) === 0 ? 1 : 0);
    scheduler.runNow('late');
    await flush();
    expect(runs.started.filter((r) => r.name === 'late')).toHaveLength(1);
    scheduler.stop();
  });
});
