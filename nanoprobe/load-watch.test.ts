import { silentLogger } from './logger';
import { LoadWatch } from './load-watch';

describe('LoadWatch', () => {
  it('measures heartbeat gaps beyond the interval per partner, ignoring first heartbeats and long absences', () => {
    let now = 0;
    const watch = new LoadWatch(silentLogger, () => now);
    try {
      const at = (ms: number, partner = 'p1'): void => {
        now = ms;
        watch.heartbeat(partner, 1000);
      };
      at(0); // first: no gap yet
      at(1000); // on time
      at(2300); // 300 ms late
      at(2400, 'p2'); // another partner's first
      at(3300); // on time again
      at(60_000); // gone for a minute and back: an absence, not lateness
      const f = watch.figures();
      expect(f.heartbeatsMeasured).toBe(3);
      expect(f.heartbeatLatenessMaxMs).toBe(300);
      watch.forget('p1');
      at(61_000);
      expect(watch.figures().heartbeatsMeasured).toBe(3); // a new series after forget
    } finally {
      watch.stop();
    }
  });

  it('shows a blocked event loop in its delay figures', async () => {
    const watch = new LoadWatch(silentLogger, () => performance.now());
    try {
      await new Promise((r) => setTimeout(r, 50));
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // the event loop is blocked for 300 ms: every callback due meanwhile runs at least that late
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(watch.figures().eventLoopDelayMaxMs).toBeGreaterThanOrEqual(250);
    } finally {
      watch.stop();
    }
  });
});
