/**
 * Discovery on the nanoprobe: DISCOVERY_REQUESTs from the CMA go to the scheduler
 * (nanoprobe/discovery/scheduler.ts, which runs scripts and hands on only changed results), and each
 * changed result goes back to the CMA as a reliable DISCOVERY_RESULT (large ones are fragmented by the
 * transport, never split here).
 *
 * Nothing is lost while the CMA is away: the latest result per request waits until it was
 * acknowledged, and whatever could not be delivered (no CMA, or the transport gave up) is sent again
 * after the next (re-)join. Only the latest result of a request is kept: an older one is obsolete.
 */
import { isUnimatrixError } from '../protocol/errors';
import { createRequestRunner } from './discovery/run-request';
import type { ChildRun } from './discovery/runner';
import type { DiscoveryRequest } from './discovery/request';
import type { RunResult } from './discovery/run-result';
import { DiscoveryScheduler, type DiscoveryReport, type RequestStatus, type SchedulerClock } from './discovery/scheduler';
import {
  invalidRequestResult,
  requestFromWire,
  resultToWire,
  tooLargeResult,
  type DiscoveryRequestPayload,
  type DiscoveryResultPayload,
} from './discovery-wire';
import type { Logger } from './logger';

export type DiscoveryBridgeOptions = {
  /** Script directories, searched in order. */
  directories: readonly string[];
  maxConcurrent: number;
  /** Spreads first runs (scheduler.ts); the seed is this host's identity. */
  firstRunSplay?: { maxMs: number; seed: string };
  /** Sends one result reliably; resolves once the CMA acknowledged it. */
  send: (result: DiscoveryResultPayload) => Promise<void>;
  /** Whether a CMA is there to send to (joined). */
  canSend: () => boolean;
  log: Logger;
  /** Epoch milliseconds (results carry wall-clock times). */
  epochNow?: () => number;
  clock?: SchedulerClock;
  /** Replaces the real script runner (tests). */
  run?: (request: DiscoveryRequest) => Promise<RunResult>;
  /** How the real runner starts scripts (the spawner helper); ignored when `run` is given. */
  runChild?: ChildRun;
  /** Called on stop, after the scheduler stopped (ends the spawner helper). */
  onStop?: () => void;
};

type Pending = { payload: DiscoveryResultPayload; inFlight: boolean };

export type DiscoveryBridgeStatus = {
  requests: RequestStatus[];
  /** Request ids whose latest result is not acknowledged yet. */
  pending: string[];
  resultsSent: number;
  sendFailures: number;
  invalidRequests: number;
};

export class DiscoveryBridge {
  private readonly scheduler: DiscoveryScheduler;
  private readonly pending = new Map<string, Pending>();
  private readonly epochNow: () => number;
  private sent = 0;
  private failures = 0;
  private invalid = 0;
  private stopped = false;

  constructor(private readonly options: DiscoveryBridgeOptions) {
    this.epochNow = options.epochNow ?? Date.now;
    const schedulerOptions = {
      run: options.run ?? createRequestRunner({ directories: options.directories, ...(options.runChild === undefined ? {} : { runChild: options.runChild }) }),
      onResult: (report: DiscoveryReport) => this.queue(report.requestId, resultToWire(report)),
      maxConcurrent: options.maxConcurrent,
      ...(options.firstRunSplay === undefined ? {} : { firstRunSplay: options.firstRunSplay }),
      onCallbackError: (err: unknown) => options.log.error({ err }, 'discovery result could not be queued'),
    };
    this.scheduler = new DiscoveryScheduler(options.clock === undefined ? schedulerOptions : { ...schedulerOptions, clock: options.clock });
  }

  /** A DISCOVERY_REQUEST from the CMA: scheduled, or answered at once with an invalid_request result. */
  request(wire: DiscoveryRequestPayload): void {
    if (this.stopped) return;
    const converted = requestFromWire(wire);
    if (!converted.ok) {
      this.invalid += 1;
      this.options.log.warn({ discovery: wire.name, problem: converted.message }, 'discovery request refused');
      this.queue(wire.name, invalidRequestResult(wire.name, converted.message, this.epochNow()));
      return;
    }
    this.options.log.debug({ discovery: wire.name, repeatSeconds: wire.repeatSeconds }, 'discovery request scheduled');
    this.scheduler.submit(converted.request);
  }

  /** Joined (again): send whatever the CMA has not acknowledged. */
  rejoined(): void {
    for (const id of this.pending.keys()) this.trySend(id);
  }

  stop(): void {
    this.stopped = true;
    this.scheduler.stop();
    this.options.onStop?.();
  }

  /** Resolves when no script is running (orderly shutdown, tests). */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  status(): DiscoveryBridgeStatus {
    return {
      requests: this.scheduler.list(),
      pending: [...this.pending.keys()],
      resultsSent: this.sent,
      sendFailures: this.failures,
      invalidRequests: this.invalid,
    };
  }

  private queue(id: string, payload: DiscoveryResultPayload): void {
    if (this.stopped) return;
    this.pending.set(id, { payload, inFlight: false });
    this.trySend(id);
  }

  private trySend(id: string): void {
    const entry = this.pending.get(id);
    if (entry === undefined || entry.inFlight || this.stopped || !this.options.canSend()) return;
    entry.inFlight = true;
    let sending: Promise<void>;
    try {
      sending = this.options.send(entry.payload);
    } catch (err) {
      sending = Promise.reject(err);
    }
    sending.then(
      () => {
        this.sent += 1;
        if (this.pending.get(id) === entry) this.pending.delete(id);
      },
      (err: unknown) => {
        entry.inFlight = false;
        if (isUnimatrixError(err, 'UNI_PROTO_010') && entry.payload.outcome.ok) {
          // The document does not fit in a message: tell the CMA that, instead of retrying forever.
          this.options.log.warn({ discovery: entry.payload.name, err: err.message }, 'discovery result too large to send');
          if (this.pending.get(id) === entry) this.queue(id, tooLargeResult(entry.payload, err.message.slice(0, 300)));
          return;
        }
        this.failures += 1;
        this.options.log.debug({ discovery: entry.payload.name, err: String(err) }, 'discovery result not delivered; resent after the next join');
      },
    );
  }
}
