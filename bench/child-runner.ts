import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runChild } from '../nanoprobe/sandbox/child-runner';

/**
 * What running child programs costs the nanoprobe's event loop (heartbeats are sent from it): `n`
 * runs of a small real program through the sandbox, `concurrency` at a time, with the event loop's
 * delay measured all along. Spawning forks the process, which blocks the loop for the fork's length.
 *
 *   npm run bench -- child-runner [--n 200] [--concurrency 4] [--program /usr/lib/nagios/plugins/check_dummy]
 */
function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const n = Number(option(args, '--n', '200'));
  const concurrency = Number(option(args, '--concurrency', '4'));
  const program = option(args, '--program', '/usr/lib/nagios/plugins/check_dummy');
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  delay.enable();
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const outcome = await runChild({ executable: program, args: ['0', 'ok'], timeoutMs: 10_000 });
      if (outcome.kind !== 'exited') throw new Error(`run failed: ${outcome.kind}`);
      durations.push(outcome.durationMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  delay.disable();
  const elapsed = performance.now() - started;
  durations.sort((a, b) => a - b);
  return {
    bench: 'child-runner',
    program,
    runs: n,
    concurrency,
    runs_per_s: Math.round((n / elapsed) * 1000),
    run_ms_p50: durations[Math.floor(n / 2)],
    run_ms_p99: durations[Math.min(n - 1, Math.ceil(n * 0.99) - 1)],
    event_loop_delay_p99_ms: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
    event_loop_delay_max_ms: Math.round((delay.max / 1e6) * 10) / 10,
  };
}
