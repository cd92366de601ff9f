import { silentLogger } from './logger';
import { loadNews, LoadWatch } from './load-watch';

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

  it('tells the CMA of a slow window and of the first well one after it, and of nothing else', () => {
    const window = (p99: number) => ({ eventLoopDelayP50Ms: 1, eventLoopDelayP99Ms: p99, eventLoopDelayMaxMs: p99 * 2, heartbeatLatenessP99Ms: 40, heartbeatLatenessMaxMs: 90, heartbeatsMeasured: 240 });
    expect(loadNews(window(12), false, 60_000)).toBeNull(); // well, and was well: no news
    expect(loadNews(window(450), false, 60_000)).toEqual({ windowMs: 60_000, slow: true, eventLoopDelayP99Ms: 450, eventLoopDelayMaxMs: 900, heartbeatLatenessP99Ms: 40 });
    expect(loadNews(window(450), true, 60_000)?.slow).toBe(true); // still slow: said again
    expect(loadNews(window(12), true, 60_000)?.slow).toBe(false); // well again: said once
  });
});
