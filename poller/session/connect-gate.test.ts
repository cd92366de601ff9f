import { ConnectGate } from './connect-gate';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ConnectGate', () => {
  it('lets `max` through, then serves waiters in order as slots free', async () => {
    const gate = new ConnectGate(2);
    const granted: number[] = [];
    const releases = new Map<number, () => void>();
    for (let i = 0; i < 5; i++) void gate.acquire().then((r) => (granted.push(i), releases.set(i, r)));
    await settle();
    expect(granted).toEqual([0, 1]);
    expect(gate.waiting).toBe(3);
    releases.get(1)!();
    releases.get(1)!(); // a second release of the same slot does nothing
    await settle();
    expect(granted).toEqual([0, 1, 2]);
    expect(gate.active).toBe(2);
    releases.get(0)!();
    releases.get(2)!();
    await settle();
    expect(granted).toEqual([0, 1, 2, 3, 4]);
    releases.get(3)!();
    releases.get(4)!();
    expect(gate.active).toBe(0);
  });

  it('drops an aborted waiter from the line', async () => {
    const gate = new ConnectGate(1);
    const first = await gate.acquire();
    const abort = new AbortController();
    const waiting = gate.acquire(abort.signal);
    const after = gate.acquire();
    abort.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    first();
    const r = await after;
    expect(gate.active).toBe(1);
    r();
    expect(gate.active).toBe(0);
  });

  it('refuses a bound below 1', () => {
    expect(() => new ConnectGate(0)).toThrow(RangeError);
  });
});
