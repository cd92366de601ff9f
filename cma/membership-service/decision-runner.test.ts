import type { Decision } from '../membership/decisions';
import { DecisionRunner, type DecisionRunnerDeps } from './decision-runner';

describe('DecisionRunner: the death judge\'s slow-host counters', () => {
  it('counts slow_host_graces and late_probe_answers (they reach /api/metrics with the other membership counters)', async () => {
    const counts = new Map<string, number>();
    const noop = (): void => undefined;
    // Only what these two decisions touch: names for the log, the log, the counters.
    const deps = {
      peers: { nameOf: (h: string) => `host-${h}` },
      log: { info: noop, warn: noop, debug: noop },
      count: (what: string) => void counts.set(what, (counts.get(what) ?? 0) + 1),
    } as unknown as DecisionRunnerDeps;
    const decisions: Decision[] = [
      { type: 'slow_host_grace', host: 'a', graceMs: 1500, at: 1 },
      { type: 'late_probe_answer', host: 'a', probeId: 3, declared: false, at: 2 },
      { type: 'late_probe_answer', host: 'b', probeId: 4, declared: true, at: 3 },
    ];
    await new DecisionRunner(deps).run(decisions);
    expect(counts.get('slow_host_graces')).toBe(1);
    expect(counts.get('late_probe_answers')).toBe(2);
  });
});
