import { backoffDelay, checkBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';

const opts: BackoffOptions = { initialMs: 1_000, maxMs: 10_000, jitter: 0.25, immediateFirstRetry: true };
const mid = (): number => 0.5;

describe('backoffDelay', () => {
  it('retries the first failure at once, then doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, opts, mid))).toEqual([0, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(backoffDelay(10_000, opts, mid)).toBe(10_000);
  });

  it('without the immediate retry, starts at the initial delay', () => {
    expect(backoffDelay(1, { ...opts, immediateFirstRetry: false }, mid)).toBe(1_000);
  });

  it('jitters within [1 - jitter, 1 + jitter]', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(1_500);
    expect(backoffDelay(3, opts, () => 0.999999)).toBeCloseTo(2_500, 0);
    expect(backoffDelay(9, opts, () => 0.999999)).toBeLessThanOrEqual(12_500);
  });

  it('refuses nonsense', () => {
    expect(() => backoffDelay(0, opts, mid)).toThrow(RangeError);
    expect(() => checkBackoff({ ...DEFAULT_BACKOFF, jitter: 1 })).toThrow(RangeError);
    expect(() => checkBackoff({ ...DEFAULT_BACKOFF, initialMs: 0 })).toThrow(RangeError);
    expect(() => checkBackoff({ ...DEFAULT_BACKOFF, maxMs: 10 })).toThrow(RangeError);
  });
});
