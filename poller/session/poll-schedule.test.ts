import { firstPollOffset, nextDue } from './poll-schedule';

describe('poll schedule', () => {
  it('spreads first polls over the interval, stably per name', () => {
    const offsets = Array.from({ length: 1000 }, (_, i) => firstPollOffset(`dev${i}`, 60_000));
    expect(offsets.every((o) => o >= 0 && o < 60_000)).toBe(true);
    expect(firstPollOffset('dev1', 60_000)).toBe(offsets[1]);
    // Evenly enough: every tenth of the interval gets between 5% and 15% of the devices.
    const buckets = new Array<number>(10).fill(0);
    for (const o of offsets) buckets[Math.floor(o / 6_000)]! += 1;
    expect(Math.min(...buckets)).toBeGreaterThan(50);
    expect(Math.max(...buckets)).toBeLessThan(150);
  });

  it('keeps a fixed rate, skipping the slots that passed while stalled', () => {
    expect(nextDue(1_000, 500, 1_100)).toEqual({ due: 1_500, skipped: 0 });
    expect(nextDue(1_000, 500, 1_500)).toEqual({ due: 2_000, skipped: 1 });
    expect(nextDue(1_000, 500, 2_700)).toEqual({ due: 3_000, skipped: 3 });
  });
});
