/**
 * The poller's worker processes (poller/supervisor/worker-pool.ts) as real child processes: started
 * with their index, messages routed by index, a crashed worker started again under the same index
 * (then given its devices back from the WorkerBook), and nothing restarted once the pool stops.
 */
import path from 'node:path';
import { WorkerBook } from '../../poller/supervisor/worker-book';
import { WorkerPool } from '../../poller/supervisor/worker-pool';
import { waitFor } from '../support/wait-for';

const ENTRY = path.join(__dirname, 'fixtures', 'ipc-worker.js');
type Echo = { type: 'echo'; index: number; pid: number; got: unknown };

describe('poller worker pool', () => {
  test('workers by index; a crashed one comes back under its index and gets its devices replayed; stop restarts nothing', async () => {
    const echoes: Echo[] = [];
    const started: Array<[number, number]> = [];
    const exits: Array<[number, string, number | null]> = [];
    const book = new WorkerBook();
    book.apply({ epoch: 5, worker: 1, start: [{ device: 'sw1', address: 'a', port: 22, platform: 'cisco_ios', credential: 'c', commands: [{ command: 'show version', intervalSeconds: 60 }] }], stop: [] });
    const pool: WorkerPool = new WorkerPool({
      count: 2,
      entry: ENTRY,
      backoff: { initialMs: 50, maxMs: 200, stableAfterMs: 60_000 },
      onMessage: (_i, m) => echoes.push(m as Echo),
      onStarted: (index, restarts) => {
        started.push([index, restarts]);
        if (restarts > 0) pool.send(index, { type: 'assign', payload: book.replay(index, 6) });
      },
      onExit: (index, why, restartInMs) => exits.push([index, why, restartInMs]),
    });
    pool.start();
    try {
      await waitFor(() => started.length, (n) => n >= 2, 20_000);
      expect(started.map(([i]) => i).sort()).toEqual([0, 1]);
      expect(pool.send(0, { hello: 0 })).toBe(true);
      expect(pool.send(1, { hello: 1 })).toBe(true);
      await waitFor(() => echoes.length, (n) => n >= 2, 10_000);
      expect(echoes.map((e) => [e.index, e.got]).sort()).toEqual([[0, { hello: 0 }], [1, { hello: 1 }]]);
      const firstPid = pool.pid(1);

      pool.send(1, { type: 'crash' });
      await waitFor(() => started.filter(([i, r]) => i === 1 && r === 1).length, (n) => n === 1, 20_000);
      expect(exits).toEqual([[1, 'exit 3', 50]]);
      expect(pool.pid(1)).not.toBe(firstPid);
      const replayed = await waitFor(() => echoes.filter((e) => e.index === 1 && (e.got as { type?: string }).type === 'assign'), (r) => r.length === 1, 10_000);
      expect((replayed[0]?.got as { payload: { start: Array<{ device: string }> } }).payload.start.map((t) => t.device)).toEqual(['sw1']);
      expect(pool.status().map((s) => [s.index, s.running, s.restarts, s.crashesInRow])).toEqual([[0, true, 0, 0], [1, true, 1, 1]]);
    } finally {
      await pool.stop();
    }
    expect(pool.status().every((s) => !s.running)).toBe(true);
    expect(exits.filter(([, , restart]) => restart === null)).toHaveLength(2);
    expect(pool.send(0, { late: true })).toBe(false);
  }, 60_000);

  test('the book keeps what each worker holds across assignments', () => {
    const book = new WorkerBook();
    const task = (device: string) => ({ device, address: 'a', port: 22, platform: 'arista_eos', credential: 'c', commands: [{ command: 'show version', intervalSeconds: 60 }] });
    book.apply({ epoch: 1, worker: 0, start: [task('a'), task('b')], stop: [] });
    book.apply({ epoch: 2, worker: 0, start: [task('c')], stop: ['a'] });
    book.apply({ epoch: 2, worker: 1, start: [task('a')], stop: [] });
    expect(book.devices(0)).toEqual(['b', 'c']);
    expect(book.devices(1)).toEqual(['a']);
    expect(book.replay(0, 9)).toMatchObject({ epoch: 9, worker: 0, stop: [] });
    expect(book.replay(3, 9).start).toEqual([]);
  });
});
