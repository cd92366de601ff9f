import { LocalSession, newSessionId, processSession, sessionIdToHex } from './session';

describe('session', () => {
  test('session ids are random, non-zero 64-bit values', () => {
    const ids = new Set<bigint>();
    for (let i = 0; i < 1000; i++) ids.add(newSessionId());
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id > 0n && id < 1n << 64n).toBe(true);
    }
    // With 1000 random ids some must use the top byte: a generator stuck at 32 bits would fail this.
    expect([...ids].some((id) => id >= 1n << 56n)).toBe(true);
  });

  test('counters start at 1 and only increase', () => {
    const session = new LocalSession(42n);
    expect(session.lastCounter).toBe(0n);
    expect([session.nextCounter(), session.nextCounter(), session.nextCounter()]).toEqual([1n, 2n, 3n]);
    expect(session.lastCounter).toBe(3n);
  });

  test('the process session is one object for the whole process', () => {
    expect(processSession()).toBe(processSession());
  });

  test('invalid session ids are refused', () => {
    expect(() => new LocalSession(0n)).toThrow(RangeError);
    expect(() => new LocalSession(1n << 64n)).toThrow(RangeError);
    expect(sessionIdToHex(255n)).toBe('00000000000000ff');
  });
});
