import { MAX_TASKS_PER_ASSIGN } from '../../protocol/messages/poller';
import { assignMessages, type DeviceTask } from './assign-messages';
import { parseWorkerId, PollerBook, workerId } from './poller-book';

const A = '0123456789abcdef';

describe('poller book', () => {
  it('workers are hashing units with stable ids; draining ones weigh 0; a renewal alone is no change', () => {
    const book = new PollerBook(10_000);
    expect(book.report(A, 'p', { workers: [{ index: 1, capacity: 5, state: 'draining' }, { index: 0, capacity: 7, state: 'up' }] }, 0)).toBe(true);
    expect(book.workers()).toEqual([{ id: `${A}/0`, weight: 7 }, { id: `${A}/1`, weight: 0 }]);
    expect(book.report(A, 'p', { workers: [{ index: 0, capacity: 7, state: 'up' }, { index: 1, capacity: 5, state: 'draining' }] }, 5_000)).toBe(false);
    expect(book.expire(15_000)).toEqual([]);
    expect(book.expire(15_001)).toEqual([A]);
    expect(book.workers()).toEqual([]);
    expect(parseWorkerId(workerId(A, 12))).toEqual({ keyid: A, index: 12 });
    expect(parseWorkerId('not/a-worker')).toBeNull();
  });

  it('assignments are split into messages a POLLER_ASSIGN can hold, and stops for unknown tasks still go out', () => {
    const tasks = new Map<string, DeviceTask>();
    const commands = [];
    for (let i = 0; i < MAX_TASKS_PER_ASSIGN + 3; i++) {
      const device = `d${i}`;
      tasks.set(device, { device, address: 'x', port: 22, platform: 'cisco_ios', credential: 'c', commands: [{ command: 'show clock', intervalSeconds: 5 }] });
      commands.push({ kind: 'start' as const, device, worker: `${A}/0` });
    }
    commands.push({ kind: 'stop' as const, device: 'gone', worker: `${A}/1` });
    const messages = assignMessages(commands, tasks, 7);
    expect(messages.map((m) => [m.payload.worker, m.payload.start.length, m.payload.stop.length])).toEqual([
      [0, MAX_TASKS_PER_ASSIGN, 0],
      [0, 3, 0],
      [1, 0, 1],
    ]);
    expect(messages.every((m) => m.keyid === A && m.payload.epoch === 7)).toBe(true);
  });
});
