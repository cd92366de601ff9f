/**
 * The CMA's side of the pollers: which worker polls which device. It keeps the pollers' workers
 * (poller-book.ts), the devices to poll (their tasks), and the handover table
 * (handover.ts), and turns every change — a poller's workers, a lease run out, a
 * confirmed first poll, a new inventory — into POLLER_ASSIGN messages (assign-messages.ts) and a
 * persisted table (`persist`, the graph: a restarted CMA resumes where it was).
 *
 * After a start, the persisted holders are believed for one lease: pollers that still run renew
 * within it, and are told again what they hold; only then are the devices of pollers that did not
 * come back moved. Without that wait, a CMA restart would move every device.
 */
import { HandoverTable, type Command, type DeviceEntry } from './handover';
import type { PayloadOf } from '../../protocol/message-types';
import { assignMessages, type AssignMessage, type DeviceTask } from './assign-messages';
import { parseWorkerId, PollerBook, workerId } from './poller-book';

export type PollerServiceDeps = {
  /** Sends one POLLER_ASSIGN reliably; a rejection is logged, the next round sends again. */
  send: (message: AssignMessage) => Promise<void>;
  /** Stores the entries of the devices that changed (and the removed ones, as null). */
  persist: (changes: ReadonlyArray<[string, DeviceEntry | null]>) => Promise<void>;
  now: () => number;
  leaseMs: number;
  /** The table as persisted (a restarted CMA). */
  initial?: Iterable<[string, DeviceEntry]>;
  onSendError?: (err: unknown, message: AssignMessage) => void;
};

export type PollerStatus = {
  pollers: ReturnType<PollerBook['list']>;
  devices: Array<{ device: string; holder: string | null; incoming: string | null }>;
  epoch: number;
};

export class PollerService {
  private readonly book: PollerBook;
  private readonly table: HandoverTable;
  private tasks = new Map<string, DeviceTask>();
  private epoch = 0;
  private readonly startedAt: number;
  private reconciledAfterGrace = false;
  /** Pollers a POLLER_ASSIGN could not reach: told everything again at their next renewal. */
  private readonly unsent = new Set<string>();

  constructor(private readonly deps: PollerServiceDeps) {
    this.book = new PollerBook(deps.leaseMs);
    this.table = new HandoverTable(deps.initial ?? []);
    this.startedAt = deps.now();
  }

  /** The devices to poll, and how (from configuration or the graph). */
  async setInventory(tasks: Iterable<DeviceTask>): Promise<void> {
    this.tasks = new Map([...tasks].map((t) => [t.device, t]));
    await this.reconcile();
  }

  /** A POLLER_WORKERS: a lease renewed, maybe workers changed. A poller new to this CMA is told all it holds. */
  async workersReported(keyid: string, hostname: string, payload: PayloadOf<'POLLER_WORKERS'>): Promise<void> {
    const known = this.book.hostnameOf(keyid) !== undefined && !this.unsent.has(keyid);
    this.unsent.delete(keyid);
    const changed = this.book.report(keyid, hostname, payload, this.deps.now());
    if (!known) await this.resendTo(keyid);
    if (changed) await this.reconcile();
  }

  /** A poller that left, or whose transport gave up: its devices move now. */
  async pollerGone(keyid: string): Promise<void> {
    if (this.book.remove(keyid)) await this.reconcile();
  }

  /** POLLER_CONFIRM: the new holder polled the device; the old one is told to stop. */
  async confirmed(keyid: string, payload: PayloadOf<'POLLER_CONFIRM'>): Promise<void> {
    const commands = this.table.confirmed(payload.device, workerId(keyid, payload.worker));
    await this.apply(commands);
  }

  /** Called on a timer: leases that ran out move their devices. */
  async tick(): Promise<void> {
    const gone = this.book.expire(this.deps.now());
    // The first tick past the start-up grace moves what nobody renewed; later ticks only when a
    // lease ran out (every other change reconciles where it happens).
    const graceJustEnded = !this.reconciledAfterGrace && !this.inGrace();
    if (gone.length === 0 && !graceJustEnded) return;
    await this.reconcile();
  }

  /** Whether `worker` is asked to poll `device` (holding it or taking it over): only its results count. */
  polls(device: string, worker: string): boolean {
    const e = this.table.entry(device);
    return e !== undefined && (e.holder === worker || e.incoming === worker);
  }

  status(): PollerStatus {
    return {
      pollers: this.book.list(),
      devices: this.table.all().map(([device, e]) => ({ device, ...e })),
      epoch: this.epoch,
    };
  }

  private inGrace(): boolean {
    return this.deps.now() - this.startedAt < this.deps.leaseMs;
  }

  private async reconcile(): Promise<void> {
    // In the grace after a start, a holder not heard from yet may still be running: leave it be.
    if (this.inGrace()) return;
    this.reconciledAfterGrace = true;
    await this.apply(this.table.plan(this.tasks.keys(), this.book.workers()));
  }

  /** Tells a poller again everything its workers hold or are taking over (a new process knows nothing). */
  private async resendTo(keyid: string): Promise<void> {
    const commands: Command[] = [];
    for (const [device, e] of this.table.all()) {
      for (const w of new Set([e.holder, e.incoming])) {
        if (w !== null && parseWorkerId(w)?.keyid === keyid) commands.push({ kind: 'start', device, worker: w });
      }
    }
    await this.apply(commands);
  }

  private async apply(commands: readonly Command[]): Promise<void> {
    await this.persistChanges();
    if (commands.length === 0) return;
    this.epoch = Math.max(this.epoch + 1, this.deps.now());
    const messages = assignMessages(commands, this.tasks, this.epoch);
    await Promise.all(
      messages.map((m) =>
        this.deps.send(m).catch((err: unknown) => {
          this.unsent.add(m.keyid);
          this.deps.onSendError?.(err, m);
        }),
      ),
    );
  }

  /** Writes what changed since the last write: the table is the truth a restarted CMA starts from. */
  private async persistChanges(): Promise<void> {
    const changes = this.table.takeChanges();
    if (changes.length === 0) return;
    try {
      await this.deps.persist(changes);
    } catch (err) {
      this.table.markChanged(changes.map(([device]) => device));
      throw err;
    }
  }
}
