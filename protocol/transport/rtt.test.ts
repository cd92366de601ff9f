import { RttEstimator } from './rtt';

const options = { initialRtoMs: 333, minRtoMs: 20, maxRtoMs: 4000, granularityMs: 1 };

describe('RttEstimator (RFC 6298)', () => {
  it('starts at the initial timeout and follows the smoothing formulas', () => {
    const rtt = new RttEstimator(options);
    expect(rtt.rto()).toBe(333);
    rtt.addSample(100);
    expect(rtt.stats()).toMatchObject({ srttMs: 100, rttvarMs: 50, rtoMs: 300 });
    rtt.addSample(200);
    // rttvar = 3/4·50 + 1/4·|100−200| = 62.5; srtt = 7/8·100 + 1/8·200 = 112.5; rto = 112.5 + 4·62.5
    expect(rtt.stats()).toMatchObject({ srttMs: 112.5, rttvarMs: 62.5, rtoMs: 362.5 });
  });

  it('clamps to the minimum and maximum, and doubles per backoff step up to the cap', () => {
    const rtt = new RttEstimator(options);
    for (let i = 0; i < 50; i++) rtt.addSample(0.2);
    expect(rtt.rto()).toBe(20);
    expect([0, 1, 2, 3, 8].map((b) => rtt.backedOffRto(b))).toEqual([20, 40, 80, 160, 4000]);
    const slow = new RttEstimator(options);
    slow.addSample(10_000);
    expect(slow.rto()).toBe(4000);
  });

  it('ignores impossible samples', () => {
    const rtt = new RttEstimator(options);
    rtt.addSample(-1);
    rtt.addSample(Number.NaN);
    expect(rtt.stats().samples).toBe(0);
    expect(rtt.rto()).toBe(333);
  });
});
