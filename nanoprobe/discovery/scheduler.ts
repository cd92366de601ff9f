/**
 * The nanoprobe side of discovery requests. Runs each request now and then every `intervalMs`
 * (measured from the start of the previous run; a run that takes longer than the interval delays the
 * next one, it never overlaps it), at most `maxConcurrent` scripts at a time across requests, and
 * hands a result on only when it differs from the last one handed on for that request: different
 * content (SHA-256 of the canonical JSON), or a failure that differs in code or exit status.
 *
 * It knows nothing about processes or sockets: `run` starts a script (see run-request.ts) and
 * `onResult` sends the result (the daemon uses the reliable channel). Time comes from an injected
 * clock, so tests drive it.
 */
import { createHash } from 'node:crypto';
import { contentHash } from '../../protocol/messages/canonical-json';
import { requestId, type DiscoveryRequest } from './request';
import type { RunResult } from './run-result';

export type TimerHandle = unknown;

export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type DiscoveryReport = {
  requestId: string;
  request: DiscoveryRequest;
  result: RunResult;
  /** what was compared: "ok:<sha256>" or "error:<code>:<exit>:<signal>" */
  fingerprint: string;
  /** when the run started, by the scheduler's clock */
  startedAt: number;
};

export type SchedulerOptions = {
  clock?: SchedulerClock;
  run: (request: DiscoveryRequest) => Promise<RunResult>;
  onResult: (report: DiscoveryReport) => void;
  /** scripts running at once, over all requests (a nanoprobe must stay light on its host) */
  maxConcurrent?: number;
  /**
   * Spreads the first run of each new request over up to `maxMs` (never more than its interval), at
   * an offset fixed by `seed` (the host) and the request. A fleet that boots together, or a CMA that
   * asks every host for everything at once, would otherwise run every script on every host in the
   * same seconds — on shared machines that is when heartbeats go out late — and send the CMA its
   * heaviest ingest all at once. Replaced requests and `runNow` are not delayed.
   */
  firstRunSplay?: { maxMs: number; seed: string };
  /** told when onResult throws; the scheduler carries on either way */
  onCallbackError?: (err: unknown, report: DiscoveryReport) => void;
};

type Entry = {
  id: string;
  request: DiscoveryRequest;
  /** bumped on replace: a run started for an older version of the request is not reported */
  generation: number;
  running: boolean;
  queued: boolean;
  /** asked to run while running: run again as soon as this run ends */
  rerun: boolean;
  timer: TimerHandle | null;
  nextDueAt: number | null;
  lastFingerprint: string | null;
  runs: number;
  removed: boolean;
};

export type RequestStatus = {
  id: string;
  name: string;
  running: boolean;
  queued: boolean;
  nextDueAt: number | null;
  lastFingerprint: string | null;
  runs: number;
};

export function fingerprintOf(result: RunResult): string {
  return result.ok
    ? `ok:${contentHash(result.document)}`
    : `error:${result.code}:${result.exitCode ?? ''}:${result.signal ?? ''}`;
}

/** The first-run delay of `requestKey` on the host `seed`: uniform in [0, min(maxMs, intervalMs)). */
export function splayOffsetMs(seed: string, requestKey: string, maxMs: number, intervalMs: number): number {
  const window = intervalMs > 0 ? Math.min(maxMs, intervalMs) : maxMs;
  if (window <= 0) return 0;
  const fraction = createHash('sha256').update(seed).update('\0').update(requestKey).digest().readUInt32BE(0) / 2 ** 32;
  return Math.floor(fraction * window);
}

export class DiscoveryScheduler {
  private readonly clock: SchedulerClock;
  private readonly maxConcurrent: number;
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private active = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.maxConcurrent = Math.max(1, Math.floor(options.maxConcurrent ?? 2));
  }

  /**
   * Adds a request, or replaces the one with the same id. A replaced request runs at once (after any
   * run of it still in progress) and its next result is always handed on.
   */
  submit(request: DiscoveryRequest): void {
    if (this.stopped) return;
    const id = requestId(request);
    const existing = this.entries.get(id);
    if (existing) {
      existing.request = request;
      existing.generation++;
      existing.lastFingerprint = null;
      this.clearTimer(existing);
      this.due(existing);
      return;
    }
    const entry: Entry = {
      id,
      request,
      generation: 0,
      running: false,
      queued: false,
      rerun: false,
      timer: null,
      nextDueAt: null,
      lastFingerprint: null,
      runs: 0,
      removed: false,
    };
    this.entries.set(id, entry);
    const splay = this.options.firstRunSplay;
    const offset = splay === undefined ? 0 : splayOffsetMs(splay.seed, id, splay.maxMs, request.intervalMs);
    if (offset > 0) this.schedule(entry, this.clock.now() + offset);
    else this.due(entry);
  }

  /** Stops a request. A run in progress finishes but is not reported. */
  cancel(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.removed = true;
    this.clearTimer(entry);
    this.entries.delete(id);
    return true;
  }

  /** Runs a request now (follow-up discoveries, an operator's "refresh"), keeping its interval. */
  runNow(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.clearTimer(entry);
    this.due(entry);
    return true;
  }

  /** Forgets what was last handed on, so the next result of each request (or of one) is reported
   * even if unchanged: for when the receiver lost its state (a restarted CMA). */
  resend(id?: string): void {
    for (const entry of this.entries.values()) if (id === undefined || entry.id === id) entry.lastFingerprint = null;
  }

  list(): RequestStatus[] {
    return [...this.entries.values()].map((e) => ({
      id: e.id,
      name: e.request.name,
      running: e.running,
      queued: e.queued,
      nextDueAt: e.nextDueAt,
      lastFingerprint: e.lastFingerprint,
      runs: e.runs,
    }));
  }

  /** Cancels everything; runs in progress finish unreported. */
  stop(): void {
    this.stopped = true;
    for (const id of [...this.entries.keys()]) this.cancel(id);
    this.queue.length = 0;
  }

  /** Resolves when no script is running or waiting (for orderly shutdown and tests). */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private clearTimer(entry: Entry): void {
    if (entry.timer !== null) this.clock.clearTimeout(entry.timer);
    entry.timer = null;
    entry.nextDueAt = null;
  }

  private due(entry: Entry): void {
    if (entry.removed) return;
    if (entry.running) {
      entry.rerun = true;
      return;
    }
    if (entry.queued) return;
    entry.queued = true;
    this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.maxConcurrent && this.queue.length > 0) {
      const entry = this.queue.shift() as Entry;
      entry.queued = false;
      if (entry.removed) continue;
      this.start(entry);
    }
    if (this.active === 0 && this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private start(entry: Entry): void {
    entry.running = true;
    entry.runs++;
    this.active++;
    const generation = entry.generation;
    const request = entry.request;
    const startedAt = this.clock.now();
    Promise.resolve()
      .then(() => this.options.run(request))
      .catch((err: unknown): RunResult => ({
        // The runner never throws; this guards against a replacement that does.
        ok: false,
        code: 'spawn_failed',
        message: `runner failed: ${String(err).slice(0, 200)}`,
        script: request.name,
        durationMs: 0,
        exitCode: null,
        signal: null,
        stderr: { text: '', truncated: false },
      }))
      .then((result) => this.complete(entry, generation, request, startedAt, result));
  }

  private complete(entry: Entry, generation: number, request: DiscoveryRequest, startedAt: number, result: RunResult): void {
    entry.running = false;
    this.active--;
    if (!entry.removed && generation === entry.generation) this.report(entry, request, startedAt, result);
    if (!entry.removed && !this.stopped) {
      if (entry.rerun) {
        entry.rerun = false;
        this.due(entry);
      } else if (entry.request.intervalMs > 0) {
        this.schedule(entry, Math.max(startedAt + entry.request.intervalMs, this.clock.now()));
      }
    }
    this.pump();
  }

  private report(entry: Entry, request: DiscoveryRequest, startedAt: number, result: RunResult): void {
    const fingerprint = fingerprintOf(result);
    if (fingerprint === entry.lastFingerprint) return;
    entry.lastFingerprint = fingerprint;
    const report: DiscoveryReport = { requestId: entry.id, request, result, fingerprint, startedAt };
    try {
      this.options.onResult(report);
    } catch (err) {
      this.options.onCallbackError?.(err, report);
    }
  }

  private schedule(entry: Entry, at: number): void {
    this.clearTimer(entry);
    if (at <= this.clock.now()) {
      this.due(entry); // overdue (the run took longer than the interval): once, right away
      return;
    }
    entry.nextDueAt = at;
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = null;
      entry.nextDueAt = null;
      this.due(entry);
    }, Math.max(0, at - this.clock.now()));
  }
}
