import { assign, movesBetween, ownerOf, score, type Worker } from './rendezvous';

const devices = Array.from({ length: 6000 }, (_, i) => `switch-${i}.example.net`);
const workers = (n: number, weight = 1): Worker[] => Array.from({ length: n }, (_, i) => ({ id: `poller-a/${i}`, weight }));

function counts(assignment: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of assignment.values()) out.set(w, (out.get(w) ?? 0) + 1);
  return out;
}

describe('weighted rendezvous hashing', () => {
  it('is a pure function of the device and the workers, whatever their order', () => {
    const w = workers(5);
    const reversed = [...w].reverse();
    for (const d of devices.slice(0, 200)) expect(ownerOf(d, reversed)).toBe(ownerOf(d, w));
  });

  it('spreads devices evenly over workers of equal weight', () => {
    const byWorker = counts(assign(devices, workers(6)));
    expect(byWorker.size).toBe(6);
    // 1,000 expected each; a binomial spread keeps each within about ±10% (here: 4 standard deviations).
    for (const n of byWorker.values()) expect(Math.abs(n - 1000)).toBeLessThan(120);
  });

  it('gives a worker of double weight about twice the devices', () => {
    const w: Worker[] = [...workers(3), { id: 'poller-b/0', weight: 2 }];
    const byWorker = counts(assign(devices, w));
    // weights 1,1,1,2 of 5: 1,200 devices per unit of weight
    expect(Math.abs((byWorker.get('poller-b/0') ?? 0) - 2400)).toBeLessThan(200);
    for (const x of workers(3)) expect(Math.abs((byWorker.get(x.id) ?? 0) - 1200)).toBeLessThan(150);
  });

  it('moves only the devices the new worker wins when one joins (about 1/N), all to it', () => {
    const before = assign(devices, workers(5));
    const joined = [...workers(5), { id: 'poller-c/0', weight: 1 }];
    const moves = movesBetween(before, assign(devices, joined));
    expect(moves.every((m) => m.to === 'poller-c/0')).toBe(true);
    expect(Math.abs(moves.length - devices.length / 6)).toBeLessThan(120);
  });

  it('moves only the leaving worker\'s devices when one leaves, spread over the others', () => {
    const all = workers(5);
    const before = assign(devices, all);
    const gone = all[2]!.id;
    const moves = movesBetween(before, assign(devices, all.filter((w) => w.id !== gone)));
    expect(moves.length).toBe([...before.values()].filter((w) => w === gone).length);
    expect(moves.every((m) => m.from === gone && m.to !== null && m.to !== gone)).toBe(true);
    expect(new Set(moves.map((m) => m.to)).size).toBe(4);
  });

  it('gives no device to a worker of weight 0, and none at all without workers', () => {
    const w: Worker[] = [{ id: 'drained/0', weight: 0 }, { id: 'poller-a/0', weight: 1 }];
    expect(score('x', w[0]!)).toBe(-Infinity);
    expect(new Set(assign(devices.slice(0, 100), w).values())).toEqual(new Set(['poller-a/0']));
    expect(ownerOf('x', [])).toBeNull();
    expect(assign(['x'], [{ id: 'drained/0', weight: 0 }]).size).toBe(0);
  });

  it('lists removals when a device has no worker left', () => {
    const before = new Map([['d1', 'w1'], ['d2', 'w1']]);
    const after = new Map([['d1', 'w2']]);
    expect(movesBetween(before, after)).toEqual([
      { device: 'd1', from: 'w1', to: 'w2' },
      { device: 'd2', from: 'w1', to: null },
    ]);
  });
});
