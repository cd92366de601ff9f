import { GraphHealth, GraphUnavailableError } from './graph-health';

describe('GraphHealth', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());
  const options = { everyMs: 1_000, timeoutMs: 3_000, slowChecks: 3 };

  it('a refused check marks Neo4j down at once: reads fail fast, waiting reads are let go, and it comes back', async () => {
    let answer: 'ok' | 'refused' = 'ok';
    const changes: boolean[] = [];
    const health = new GraphHealth(async () => {
      if (answer === 'refused') throw new Error('connect ECONNREFUSED');
    }, options, (up) => changes.push(up));
    try {
      let settle!: () => void;
      const waiting = health.run(() => new Promise<string>((r) => (settle = () => r('late'))), true);
      const write = health.run(() => new Promise<string>((r) => setTimeout(() => r('written'), 5_000)), false);
      answer = 'refused';
      await jest.advanceTimersByTimeAsync(1_000);
      expect(health.up).toBe(false);
      await expect(waiting).rejects.toBeInstanceOf(GraphUnavailableError);
      await expect(health.run(async () => 'x', true)).rejects.toThrow('Neo4j does not answer: connect ECONNREFUSED');
      await expect(health.run(async () => 'x', false)).rejects.toBeInstanceOf(GraphUnavailableError);
      await jest.advanceTimersByTimeAsync(5_000);
      await expect(write).resolves.toBe('written'); // a write already running is left to finish
      settle();
      answer = 'ok';
      await jest.advanceTimersByTimeAsync(1_000);
      expect(health.up).toBe(true);
      await expect(health.run(async () => 'x', true)).resolves.toBe('x');
      expect(changes).toEqual([false, true]);
    } finally {
      health.close();
    }
  });

  it('a slow check counts only after three in a row (a busy machine is not an outage)', async () => {
    let hang = true;
    const health = new GraphHealth(() => (hang ? new Promise<void>(() => undefined) : Promise.resolve()), options);
    try {
      await jest.advanceTimersByTimeAsync(1_000 + 3_000); // one check timed out
      expect(health.up).toBe(true);
      await jest.advanceTimersByTimeAsync(2 * (1_000 + 3_000)); // three in a row
      expect(health.up).toBe(false);
      hang = false;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(health.up).toBe(true);
    } finally {
      health.close();
    }
  });
});
