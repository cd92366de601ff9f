import { Limiter } from './limiter';

/** A job the test finishes by hand. */
function job() {
  let finish!: (ok: boolean) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (ok) => (ok ? resolve() : reject(new Error('job failed')))));
  return { run: () => done, finish };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('Limiter', () => {
  test('runs at most `limit` jobs at once, the others in arrival order', async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const jobs = [0, 1, 2, 3].map(() => job());
    const runs = jobs.map((j, i) => limiter.run(() => (started.push(i), j.run())));
    await settle();
    expect(started).toEqual([0, 1]);
    expect(limiter.load).toEqual({ running: 2, waiting: 2 });
    jobs[1]!.finish(true);
    await settle();
    expect(started).toEqual([0, 1, 2]);
    jobs[0]!.finish(false);
    await expect(runs[0]).rejects.toThrow('job failed');
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    jobs[2]!.finish(true);
    jobs[3]!.finish(true);
    await Promise.all(runs.slice(1));
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  test('a freed slot goes to the first waiter, not to a job that arrives at that moment', async () => {
    const limiter = new Limiter(1);
    const first = job();
    const order: string[] = [];
    const a = limiter.run(() => (order.push('first'), first.run()));
    const b = limiter.run(async () => void order.push('waiter'));
    await settle();
    first.finish(true);
    const c = limiter.run(async () => {
      order.push('newcomer');
      expect(limiter.load.running).toBe(1);
    });
    await Promise.all([a, b, c]);
    expect(order).toEqual(['first', 'waiter', 'newcomer']);
  });

  test('refuses a limit that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow('positive integer');
    expect(() => new Limiter(1.5)).toThrow('positive integer');
  });
});
