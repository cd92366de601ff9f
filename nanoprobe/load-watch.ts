/**
 * How well this process keeps time under load: the event loop's delay (how late any callback runs:
 * a heartbeat due now goes out that much later) and the lateness of partners' heartbeats as we hear
 * them (the gap between two heartbeats beyond the interval: their process or ours was slow, or the
 * network lost one). Both are what turns a busy machine into a false "late" report, so they are
 * measured all the time and shown in the status and, once a minute, in the log (at info when the
 * p99 delay is over 200 ms, at debug otherwise). The CMA is told (AGENT_LOAD) only when a minute was
 * slow, and once when one is well again: no news is good news.
 */
import { createHistogram, monitorEventLoopDelay, type IntervalHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { PayloadOf } from '../protocol/message-types';
import type { Logger } from './logger';

export type LoadFigures = {
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Heartbeat gaps beyond the interval, over every partner. */
  heartbeatLatenessP99Ms: number;
  heartbeatLatenessMaxMs: number;
  heartbeatsMeasured: number;
};

const SLOW_P99_MS = 200;
const NS_PER_MS = 1e6;
/** The event-loop sampler's period: delays are measured as the lateness of a timer this often. */
const SAMPLE_MS = 50;

export class LoadWatch {
  private readonly loop: IntervalHistogram;
  private readonly lateness: RecordableHistogram = createHistogram();
  private readonly lastHeard = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private wasSlow = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly reportEveryMs = 60_000,
    /** Told of a slow window, and of the first well one after slow ones (for the CMA). */
    private readonly tell: (load: PayloadOf<'AGENT_LOAD'>) => void = () => undefined,
  ) {
    // One sampler, at 20 wake-ups a second: a nanoprobe at rest is measured by its CPU
    // (`npm run bench -- nanoprobe-idle`), and two samplers at 10 ms took it from 0.35 % to 0.63 %.
    this.loop = monitorEventLoopDelay({ resolution: SAMPLE_MS });
    this.loop.enable();
    this.timer = setInterval(() => this.report(), reportEveryMs);
    this.timer.unref();
  }

  /** A heartbeat from a partner expected every `intervalMs`. */
  heartbeat(partner: string, intervalMs: number): void {
    const now = this.now();
    const last = this.lastHeard.get(partner);
    this.lastHeard.set(partner, now);
    if (last === undefined) return;
    // Gaps of many intervals are a partner that was gone, not a late one: they say nothing about load.
    const late = now - last - intervalMs;
    if (late < 0 || late > 10 * intervalMs) return;
    this.lateness.record(Math.max(1, Math.round(late)));
  }

  /** Partners we no longer have: their next heartbeat starts a new series. */
  forget(partner: string): void {
    this.lastHeard.delete(partner);
  }

  /** Figures of the window in progress (it closes every `reportEveryMs`). */
  figures(): LoadFigures {
    return figuresOf(this.loop, this.lateness);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.loop.disable();
  }

  /** Closes the current window: logs it, and tells the CMA when it was slow or the first well one. */
  report(): void {
    const figures = figuresOf(this.loop, this.lateness);
    this.loop.reset();
    this.lateness.reset();
    const slow = figures.eventLoopDelayP99Ms > SLOW_P99_MS;
    if (slow) this.log.info(figures, 'event loop slow');
    else this.log.debug(figures, 'event loop');
    const news = loadNews(figures, this.wasSlow, this.reportEveryMs);
    if (news !== null) this.tell(news);
    this.wasSlow = slow;
  }
}

/** What the CMA hears of a window: a slow one, or the first well one after slow ones; else nothing. */
export function loadNews(figures: LoadFigures, wasSlow: boolean, windowMs: number): PayloadOf<'AGENT_LOAD'> | null {
  const slow = figures.eventLoopDelayP99Ms > SLOW_P99_MS;
  if (!slow && !wasSlow) return null;
  return {
    windowMs,
    slow,
    eventLoopDelayP99Ms: figures.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: figures.eventLoopDelayMaxMs,
    heartbeatLatenessP99Ms: figures.heartbeatLatenessP99Ms,
  };
}

function figuresOf(loop: IntervalHistogram, lateness: RecordableHistogram): LoadFigures {
  const measured = lateness.count;
  return {
    eventLoopDelayP50Ms: round(loop.percentile(50) / NS_PER_MS),
    eventLoopDelayP99Ms: round(loop.percentile(99) / NS_PER_MS),
    eventLoopDelayMaxMs: round(loop.max / NS_PER_MS),
    heartbeatLatenessP99Ms: measured === 0 ? 0 : lateness.percentile(99),
    heartbeatLatenessMaxMs: measured === 0 ? 0 : lateness.max,
    heartbeatsMeasured: measured,
  };
}

function round(ms: number): number {
  return Number.isFinite(ms) ? Math.round(ms * 10) / 10 : 0;
}
