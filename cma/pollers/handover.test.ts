import { HandoverTable } from './handover';
import { ownerOf, type Worker } from './rendezvous';

const devices = Array.from({ length: 200 }, (_, i) => `sw${i}`);
const w = (ids: string[]): Worker[] => ids.map((id) => ({ id, weight: 1 }));

/** Confirms every start, as workers that polled successfully would. */
function confirmAll(table: HandoverTable, starts: Array<{ device: string; worker: string }>) {
  return starts.flatMap((s) => table.confirmed(s.device, s.worker));
}

describe('HandoverTable', () => {
  it('starts every device on its owner, and holds it once confirmed', () => {
    const table = new HandoverTable();
    const workers = w(['p/0', 'p/1']);
    const commands = table.plan(devices, workers);
    expect(commands.every((c) => c.kind === 'start' && c.worker === ownerOf(c.device, workers))).toBe(true);
    expect(commands).toHaveLength(devices.length);
    expect(confirmAll(table, commands)).toEqual([]);
    expect(table.entry('sw0')).toEqual({ holder: ownerOf('sw0', workers), incoming: null });
    expect(table.plan(devices, workers)).toEqual([]);
  });

  it('keeps the old holder polling until the new owner confirms, then stops it', () => {
    const table = new HandoverTable();
    const two = w(['p/0', 'p/1']);
    confirmAll(table, table.plan(devices, two));
    const three = w(['p/0', 'p/1', 'p/2']);
    const starts = table.plan(devices, three);
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((c) => c.kind === 'start' && c.worker === 'p/2')).toBe(true);
    const moving = starts[0]!.device;
    const oldHolder = table.entry(moving)!.holder;
    // Before the confirmation nothing is stopped: the device is still polled by its old holder.
    expect(table.entry(moving)).toEqual({ holder: oldHolder, incoming: 'p/2' });
    expect(table.plan(devices, three)).toEqual([]);
    expect(table.confirmed(moving, 'p/2')).toEqual([{ kind: 'stop', device: moving, worker: oldHolder }]);
    // A confirmation from a worker that is not taking the device over changes nothing.
    expect(table.confirmed(moving, 'p/0')).toEqual([]);
  });

  it('gives a dead holder\'s devices straight to their new owners', () => {
    const table = new HandoverTable();
    const two = w(['p/0', 'p/1']);
    confirmAll(table, table.plan(devices, two));
    const held = devices.filter((d) => table.entry(d)!.holder === 'p/1');
    const commands = table.plan(devices, w(['p/0']));
    expect(commands).toEqual(held.map((device) => ({ kind: 'start', device, worker: 'p/0' })));
    // No stop is sent to the dead worker, and confirming leaves nothing to stop.
    expect(confirmAll(table, commands)).toEqual([]);
  });

  it('calls a takeover off when the owner changes back before it was confirmed', () => {
    const table = new HandoverTable();
    const two = w(['p/0', 'p/1']);
    confirmAll(table, table.plan(devices, two));
    const starts = table.plan(devices, w(['p/0', 'p/1', 'p/2']));
    // p/2 drains (weight 0) before any of its takeovers was confirmed.
    const back = table.plan(devices, [...two, { id: 'p/2', weight: 0 }]);
    expect(back).toEqual(starts.map((s) => ({ kind: 'stop', device: s.device, worker: 'p/2' })));
    expect(table.confirmed(starts[0]!.device, 'p/2')).toEqual([]);
  });

  it('stops and forgets devices no longer listed, and resumes from a persisted table', () => {
    const table = new HandoverTable([['sw1', { holder: 'p/0', incoming: null }]]);
    expect(table.plan([], w(['p/0']))).toEqual([{ kind: 'stop', device: 'sw1', worker: 'p/0' }]);
    expect(table.entry('sw1')).toBeUndefined();
  });
});
