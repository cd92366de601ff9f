/**
 * `unimatrix poller`'s main process: the CMA link (poller-agent.ts) on one side, the worker
 * processes (worker-pool.ts) on the other. It routes each POLLER_ASSIGN to its worker and keeps what
 * every worker holds (worker-book.ts), so a restarted worker is given its devices back at once; it
 * sends the workers' confirms and results to the CMA, keeping those not yet acknowledged
 * (pending-reports.ts).
 *
 * A worker speaks only for itself: the index on its confirms and results is the one it was started
 * with, whatever it wrote. Workers are reported to the CMA while they run or restart; one caught in a
 * crash loop (more than `maxCrashesInRow` restarts without staying up) is left out, so its devices
 * move to workers that can poll them.
 */
import type { Logger } from '../../common/logger';
import type { PayloadOf } from '../../protocol/message-types';
import type { RunningPollerAgent, StartPollerAgentOptions } from '../agent/start-poller-agent';
import { PendingReports } from './pending-reports';
import { WorkerBook } from './worker-book';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool';
import { fromWorker, type ToWorker } from './worker-wire';

export type PollerSupervisorOptions = {
  workers: number;
  /** Sessions one worker holds: its weight in the CMA's rendezvous hashing. */
  capacityPerWorker: number;
  entry: string;
  workerArgs?: readonly string[];
  startAgent: (hooks: Pick<StartPollerAgentOptions, 'workers' | 'onAssign' | 'onJoined'>) => Promise<RunningPollerAgent>;
  log: Logger;
  maxCrashesInRow?: number;
  backoff?: WorkerPoolOptions['backoff'];
};

export class PollerSupervisor {
  private readonly book = new WorkerBook();
  private pool: WorkerPool | undefined;
  private agent: RunningPollerAgent | undefined;
  private pending: PendingReports | undefined;
  private epoch = 0;
  private invalid = 0;

  constructor(private readonly options: PollerSupervisorOptions) {}

  async start(): Promise<void> {
    const log = this.options.log;
    this.pool = new WorkerPool({
      count: this.options.workers,
      entry: this.options.entry,
      ...(this.options.workerArgs === undefined ? {} : { args: this.options.workerArgs }),
      ...(this.options.backoff === undefined ? {} : { backoff: this.options.backoff }),
      onMessage: (index, m) => this.fromWorker(index, m),
      onStarted: (index, restarts) => {
        if (restarts > 0) log.info({ worker: index, restarts }, 'worker started again; its devices replayed');
        this.toWorker(index, { type: 'assign', payload: this.book.replay(index, this.epoch) });
        this.agent?.agent.workersChanged();
      },
      onExit: (index, why, restartInMs) => {
        if (restartInMs !== null) log.warn({ worker: index, why, restartInMs }, 'worker ended; starting it again');
        this.agent?.agent.workersChanged();
      },
    });
    this.agent = await this.options.startAgent({
      workers: () => this.workerStates(),
      onAssign: (a) => {
        this.epoch = Math.max(this.epoch, a.epoch);
        this.book.apply(a);
        // A worker not running now gets it with its replay when it starts.
        this.toWorker(a.worker, { type: 'assign', payload: a });
      },
      onJoined: () => this.pending?.rejoined(),
    });
    const agent = this.agent.agent;
    this.pending = new PendingReports({
      confirm: (c) => agent.confirm(c),
      result: (r) => agent.result(r),
      canSend: () => agent.joined,
    });
    this.pool.start();
  }

  get keyId(): string | undefined {
    return this.agent?.keyId;
  }

  status(): { workers: ReturnType<WorkerPool['status']>; devices: Record<number, string[]>; waiting: number; invalidFromWorkers: number } {
    const workers = this.pool?.status() ?? [];
    return {
      workers,
      devices: Object.fromEntries(workers.map((w) => [w.index, this.book.devices(w.index)])),
      waiting: this.pending?.waiting ?? 0,
      invalidFromWorkers: this.invalid,
    };
  }

  async stop(): Promise<void> {
    await this.pool?.stop();
    await this.agent?.close();
  }

  private workerStates(): PayloadOf<'POLLER_WORKERS'>['workers'] {
    const max = this.options.maxCrashesInRow ?? 3;
    return (this.pool?.status() ?? [])
      .filter((w) => w.running || w.crashesInRow <= max)
      .map((w) => ({ index: w.index, capacity: this.options.capacityPerWorker, state: 'up' as const }));
  }

  private toWorker(index: number, message: ToWorker): void {
    this.pool?.send(index, message);
  }

  private fromWorker(index: number, m: unknown): void {
    const report = fromWorker(m);
    if (report === null) {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'stats') return;
      this.invalid += 1;
      return;
    }
    if (report.type === 'confirm') this.pending?.confirm({ ...report.payload, worker: index });
    else this.pending?.result({ ...report.payload, worker: index });
  }
}
