/**
 * SystemClock in a fresh process, where nothing but an idle socket keeps the event loop alive (as an
 * endpoint waiting for ACKs): inside jest, other activity would wake the loop and hide the problem.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SystemClock } from '../../protocol/transport/clock';

// The only other event is a guard timer 4 s away; with the bug the zero-delay timer waits for it.
const script = `
const dgram = require('node:dgram');
const { SystemClock } = require(${JSON.stringify(path.join(__dirname, '../../protocol/transport/clock.ts'))});
const socket = dgram.createSocket('udp4');
socket.bind(0, '127.0.0.1', () => {
  // With the regression, the poll phase blocks until this unrelated timer is due, and it runs first.
  let guardFired = false;
  const guard = setTimeout(() => { guardFired = true; }, 4000);
  // Scheduled from a timer callback, as the transport's timers do: the check phase is then behind a
  // poll phase that blocks unless something keeps it from blocking.
  setTimeout(() => {
    new SystemClock().setTimer(0, () => {
      console.log(JSON.stringify({ guardFired }));
      clearTimeout(guard);
      socket.close();
    });
  }, 10);
});
`;

describe('SystemClock', () => {
  it('runs a zero-delay timer promptly on an otherwise idle event loop', () => {
    // A regression: an unref'd setImmediate let the poll phase block until some other event came.
    const result = spawnSync(process.execPath, ['-r', path.join(__dirname, 'ts-require-hook.js'), '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    // Promptly means "before the unrelated guard timer": an order, not an elapsed time.
    expect(JSON.parse(result.stdout.trim())).toEqual({ guardFired: false });
  });

  it('cancels timers of both kinds and measures time monotonically', async () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    clock.clearTimer(clock.setTimer(0, () => fired.push('immediate')));
    clock.clearTimer(clock.setTimer(5, () => fired.push('delayed')));
    const t0 = clock.now();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual([]);
    expect(clock.now()).toBeGreaterThan(t0);
  });
});
