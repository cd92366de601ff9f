import fc from 'fast-check';
import { FakeClock } from '../protocol/transport/fake-clock';
import { Announcer, baseDelay, type BackoffOptions } from './announcer';

const backoff: BackoffOptions = { initialMs: 500, maxMs: 10_000, jitter: 0.25, refusedRetryMs: 30_000 };

/** An announcer whose sends are recorded with the fake clock's time. */
function harness(random: () => number = () => 0.5) {
  const clock = new FakeClock();
  const sends: number[] = [];
  const announcer = new Announcer({ clock, backoff, random, send: () => sends.push(clock.now()) });
  return { clock, sends, announcer };
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe('Announcer', () => {
  it('announces at once, then doubles the delay from 0.5 s up to 10 s (no jitter at random = 0.5)', () => {
    const { clock, sends, announcer } = harness();
    announcer.start();
    expect(sends).toEqual([0]);
    clock.advance(60_000);
    expect(gaps(sends).slice(0, 8)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(announcer.state).toBe('announcing');
  });

  it('keeps every delay within ±25% of the un-jittered one, whatever the random source says', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), { minLength: 12, maxLength: 12 }), (randoms) => {
        let i = 0;
        const { clock, sends, announcer } = harness(() => randoms[i++ % randoms.length] ?? 0.5);
        announcer.start();
        clock.advance(120_000);
        gaps(sends)
          .slice(0, 10)
          .forEach((gap, n) => {
            const base = baseDelay(n, backoff);
            expect(gap).toBeGreaterThanOrEqual(base * 0.75 - 1e-9);
            expect(gap).toBeLessThanOrEqual(base * 1.25 + 1e-9);
          });
      }),
      { numRuns: 50 },
    );
  });

  it('spreads announcements of many hosts instead of sending them in lock-step', () => {
    const firstRetries = new Set<number>();
    let seed = 1;
    const lcg = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let host = 0; host < 20; host++) {
      const { clock, sends, announcer } = harness(lcg);
      announcer.start();
      clock.advance(600);
      firstRetries.add(Math.round(sends[1] ?? -1));
    }
    expect(firstRetries.size).toBeGreaterThan(10);
  });

  it('stops announcing once accepted, leaving no timer behind', () => {
    const { clock, sends, announcer } = harness();
    announcer.start();
    clock.advance(1_600); // three announcements: 0, 500, 1500
    announcer.accepted();
    const sent = sends.length;
    clock.advance(600_000);
    expect(sends.length).toBe(sent);
    expect(sent).toBe(3);
    expect(announcer.state).toBe('joined');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('after a refusal retries slowly (every ~30 s) until accepted', () => {
    const { clock, sends, announcer } = harness();
    announcer.start();
    announcer.refused();
    clock.advance(95_000);
    expect(gaps(sends)).toEqual([30_000, 30_000, 30_000]);
    expect(announcer.state).toBe('refused');
    announcer.accepted();
    clock.advance(100_000);
    expect(sends.length).toBe(4);
    expect(announcer.state).toBe('joined');
  });

  it('resumes announcing when the CMA is lost, first within the initial delay, then backing off from the start', () => {
    const { clock, sends, announcer } = harness(() => 0.5);
    announcer.start();
    clock.advance(5_000); // 0, 500, 1500, 3500
    announcer.accepted();
    const before = sends.length;
    clock.advance(100_000);
    announcer.lost('cma_restarted');
    expect(announcer.state).toBe('announcing');
    clock.advance(4_000);
    const again = sends.slice(before).map((t) => t - 105_000);
    expect(again[0]).toBeGreaterThanOrEqual(0);
    expect(again[0]).toBeLessThanOrEqual(500);
    expect(gaps(again).slice(0, 2)).toEqual([500, 1000]);
  });

  it('ignores lost() unless joined and accepted() unless announcing', () => {
    const { clock, sends, announcer } = harness();
    announcer.accepted();
    expect(announcer.state).toBe('idle');
    announcer.start();
    announcer.lost('cma_gave_up'); // still announcing: nothing changes
    clock.advance(600);
    expect(sends).toEqual([0, 500]);
  });

  it('hurry() brings a backed-off announcement forward to within the initial delay, then backs off from the start', () => {
    const { clock, sends, announcer } = harness(() => 0.5);
    announcer.start();
    clock.advance(30_000); // 0, 500, 1500, 3500, 7500, 15500, 25500: the next one is due at 35500
    const before = sends.length;
    announcer.hurry();
    clock.advance(250);
    expect(sends.slice(before)).toEqual([30_250]);
    clock.advance(1_600);
    expect(gaps(sends.slice(before))).toEqual([500, 1000]);
  });

  it('hurry() changes nothing when an announcement is due soon anyway, or when not announcing', () => {
    const { clock, sends, announcer } = harness(() => 0.5);
    announcer.start();
    clock.advance(300); // the next one is due at 500, sooner than a hurried one would be (550)
    announcer.hurry();
    clock.advance(200);
    expect(sends).toEqual([0, 500]);
    announcer.accepted();
    announcer.hurry();
    clock.advance(60_000);
    expect(sends).toEqual([0, 500]);
    expect(announcer.state).toBe('joined');
    announcer.refused();
    expect(announcer.state).toBe('joined');
  });

  it('keeps retrying when sending throws, reporting each error', () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let calls = 0;
    const announcer = new Announcer({
      clock,
      backoff,
      random: () => 0.5,
      send: () => {
        calls += 1;
        throw new Error('ENETUNREACH');
      },
      onSendError: (err) => errors.push(err),
    });
    announcer.start();
    clock.advance(3_600);
    expect(calls).toBe(4);
    expect(errors).toHaveLength(4);
  });

  it('stop() cancels everything', () => {
    const { clock, sends, announcer } = harness();
    announcer.start();
    announcer.stop();
    clock.advance(60_000);
    expect(sends).toEqual([0]);
    expect(announcer.state).toBe('stopped');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses a jitter of 1 or more (a delay could reach zero)', () => {
    expect(() => new Announcer({ clock: new FakeClock(), send: () => undefined, backoff: { jitter: 1 } })).toThrow(RangeError);
  });
});
