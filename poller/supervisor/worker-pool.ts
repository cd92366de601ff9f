/**
 * The poller's worker processes: one per core by default, each a Node process of its own (its own
 * event loop for thousands of SSH sessions, its own heap), started with its index. A worker that
 * ends unexpectedly is started again with the same index — its id `<poller>/<index>` is what the
 * CMA assigned devices to — after a backoff that doubles per crash in a row (capped), and reset once
 * a worker has stayed up for `stableAfterMs`.
 *
 * Messages go both ways over the IPC channel (advanced serialization); what a worker sends is
 * handed on as `unknown`: the caller validates it.
 */
import { fork, type ChildProcess } from 'node:child_process';

export type WorkerPoolOptions = {
  count: number;
  /** The worker's compiled entry point. */
  entry: string;
  /** Extra arguments; `--index <i>` is added. */
  args?: readonly string[];
  onMessage: (index: number, message: unknown) => void;
  /** A worker (re)started and is listening: the caller sends it what it must hold. */
  onStarted?: (index: number, restarts: number) => void;
  /** A worker ended; `restartInMs` null when the pool is stopping. */
  onExit?: (index: number, why: string, restartInMs: number | null) => void;
  backoff?: { initialMs: number; maxMs: number; stableAfterMs: number };
  now?: () => number;
};

type Slot = { index: number; child: ChildProcess | null; restarts: number; crashesInRow: number; startedAt: number; timer: NodeJS.Timeout | null };

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000, stableAfterMs: 60_000 };

export class WorkerPool {
  private readonly slots: Slot[];
  private stopped = false;
  private readonly backoff: { initialMs: number; maxMs: number; stableAfterMs: number };
  private readonly now: () => number;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.count) || options.count < 1 || options.count > 256) throw new Error('a poller runs 1 to 256 workers');
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? (() => performance.now());
    this.slots = Array.from({ length: options.count }, (_, index) => ({ index, child: null, restarts: 0, crashesInRow: 0, startedAt: 0, timer: null }));
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  /** Sends to a running worker; false when it is not running (the caller replays at its start). */
  send(index: number, message: unknown): boolean {
    const child = this.slots[index]?.child;
    if (child === null || child === undefined || !child.connected) return false;
    // A worker that died since the check: its exit handler restarts it and the caller replays.
    child.send(message as object, undefined, undefined, () => undefined);
    return true;
  }

  running(index: number): boolean {
    return this.slots[index]?.child?.connected === true;
  }

  pid(index: number): number | undefined {
    return this.slots[index]?.child?.pid;
  }

  /** `crashesInRow`: restarts since the worker last stayed up `stableAfterMs` (a crash loop grows it). */
  status(): Array<{ index: number; running: boolean; restarts: number; crashesInRow: number; pid: number | undefined }> {
    return this.slots.map((s) => ({ index: s.index, running: s.child?.connected === true, restarts: s.restarts, crashesInRow: s.crashesInRow, pid: s.child?.pid }));
  }

  /** Ends every worker (SIGTERM, then SIGKILL after `graceMs`) and restarts none. */
  async stop(graceMs = 3_000): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer !== null) clearTimeout(slot.timer);
        const child = slot.child;
        if (child === null || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(slot: Slot): void {
    slot.timer = null;
    if (this.stopped) return;
    // Not process.execArgv: flags given to the poller (inspectors, profilers) are not its workers'.
    const child = fork(this.options.entry, [...(this.options.args ?? []), '--index', String(slot.index)], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    slot.startedAt = this.now();
    child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') {
        this.options.onStarted?.(slot.index, slot.restarts);
        return;
      }
      this.options.onMessage(slot.index, m);
    });
    child.once('exit', (code, signal) => this.exited(slot, child, signal ?? `exit ${code}`));
    // A failed fork or a broken channel: the 'exit' that follows (or not) decides; never crash the poller.
    child.on('error', () => undefined);
  }

  private exited(slot: Slot, child: ChildProcess, why: string): void {
    if (slot.child !== child) return;
    slot.child = null;
    if (this.stopped) {
      this.options.onExit?.(slot.index, why, null);
      return;
    }
    // A worker that stayed up a while crashed once, not in a loop: start again from the short delay.
    if (this.now() - slot.startedAt >= this.backoff.stableAfterMs) slot.crashesInRow = 0;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** slot.crashesInRow);
    slot.crashesInRow += 1;
    slot.restarts += 1;
    this.options.onExit?.(slot.index, why, delay);
    slot.timer = setTimeout(() => this.spawn(slot), delay);
  }
}
