import fc from 'fast-check';
import { ReplayTracker } from './replay-tracker';
import { ReplayWindow } from './replay-window';

describe('ReplayWindow', () => {
  test('new, duplicate, out-of-order and too-old counters', () => {
    const w = new ReplayWindow(64);
    expect(w.accept(10n)).toBe('fresh');
    expect(w.accept(10n)).toBe('duplicate');
    expect(w.accept(8n)).toBe('fresh'); // late but inside the window
    expect(w.accept(8n)).toBe('duplicate');
    expect(w.accept(100n)).toBe('fresh');
    expect(w.check(37n)).toBe('fresh'); // 100 - 37 = 63 < 64: still inside
    expect(w.check(36n)).toBe('too_old');
    expect(w.accept(10n)).toBe('too_old');
    expect(w.highestAccepted).toBe(100n);
  });

  test('sliding forward forgets exactly the counters that left the window', () => {
    const w = new ReplayWindow(64);
    for (let c = 1n; c <= 64n; c++) expect(w.accept(c)).toBe('fresh');
    expect(w.accept(65n)).toBe('fresh');
    expect(w.check(1n)).toBe('too_old');
    expect(w.check(2n)).toBe('duplicate');
    expect(w.accept(65n + 64n + 10n)).toBe('fresh'); // a jump beyond the window clears everything
    expect(w.check(65n + 64n + 9n)).toBe('fresh');
  });

  test('matches a set-based model on random counter sequences (size 64 and 1024)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(64, 1024),
        fc.array(fc.bigInt({ min: 0n, max: 5000n }), { maxLength: 400 }),
        (size, counters) => {
          const w = new ReplayWindow(size);
          const seen = new Set<bigint>();
          let highest = -1n;
          for (const c of counters) {
            const expected = seen.has(c) ? (highest - c >= BigInt(size) ? 'too_old' : 'duplicate') : highest - c >= BigInt(size) ? 'too_old' : 'fresh';
            expect(w.accept(c)).toBe(expected);
            if (expected === 'fresh') {
              seen.add(c);
              if (c > highest) highest = c;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('rejects sizes that are too small or not word-aligned', () => {
    expect(() => new ReplayWindow(32)).toThrow(RangeError);
    expect(() => new ReplayWindow(100)).toThrow(RangeError);
  });
});

describe('ReplayTracker', () => {
  test('first sight, replays, restarts and stale sessions', () => {
    const t = new ReplayTracker({ windowSize: 64 });
    expect(t.commit('a', 1n, 1n)).toBe('new_sender');
    expect(t.commit('a', 1n, 2n)).toBe('fresh');
    expect(t.check('a', 1n, 2n)).toBe('replay');
    expect(t.commit('a', 1n, 2n)).toBe('replay');
    expect(t.commit('a', 2n, 1n)).toBe('new_session'); // restarted
    expect(t.currentSession('a')).toBe(2n);
    expect(t.check('a', 1n, 3n)).toBe('stale_session'); // the old process's packet, even a new counter
    expect(t.commit('a', 1n, 3n)).toBe('stale_session');
    expect(t.currentSession('a')).toBe(2n); // a stale packet never rolls the session back
    expect(t.commit('b', 1n, 1n)).toBe('new_sender'); // senders are independent
  });

  test('check never changes state', () => {
    const t = new ReplayTracker();
    expect(t.check('a', 1n, 1n)).toBe('new_sender');
    expect(t.check('a', 1n, 1n)).toBe('new_sender');
    expect(t.senderCount).toBe(0);
  });

  test('remembers a bounded number of retired sessions and senders', () => {
    const t = new ReplayTracker({ retiredSessions: 2, maxSenders: 3 });
    for (let s = 1n; s <= 4n; s++) t.commit('a', s, 1n);
    expect(t.check('a', 3n, 2n)).toBe('stale_session');
    expect(t.check('a', 2n, 2n)).toBe('stale_session');
    expect(t.check('a', 1n, 2n)).toBe('new_session'); // forgotten: documented limit
    t.commit('b', 1n, 1n);
    t.commit('c', 1n, 1n);
    t.commit('a', 4n, 2n); // 'a' becomes the most recently active
    t.commit('d', 1n, 1n); // evicts 'b', the least recently active
    expect(t.senderCount).toBe(3);
    expect(t.currentSession('b')).toBeUndefined();
    expect(t.currentSession('a')).toBe(4n);
  });
});
