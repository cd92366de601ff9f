import { CounterSet, dropCounterName, dropCounterNames } from './counters';

describe('CounterSet', () => {
  test('counts per name, and snapshots are complete, plain and detached', () => {
    const c = new CounterSet(['received', ...dropCounterNames(['replay', 'bad_auth'])]);
    c.add('received');
    c.add('received', 4);
    c.add(dropCounterName('replay'));
    const snap = c.snapshot();
    expect(snap).toEqual({ received: 5, dropped_replay: 1, dropped_bad_auth: 0 });
    c.add('received');
    expect(snap.received).toBe(5);
    expect(c.get('received')).toBe(6);
    expect(c.names()).toEqual(['received', 'dropped_replay', 'dropped_bad_auth']);
  });

  test('refuses negative amounts and unknown names at run time', () => {
    const c = new CounterSet(['a']);
    expect(() => c.add('a', -1)).toThrow(RangeError);
    expect(() => c.add('b' as 'a')).toThrow(RangeError);
    expect(c.get('a')).toBe(0);
  });
});
