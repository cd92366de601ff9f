/**
 * What each worker was assigned, as the CMA's POLLER_ASSIGNs left it: the devices it must poll and
 * their tasks. The supervisor keeps it so that a restarted worker is given its devices back at once,
 * without waiting for the CMA (which still believes the worker holds them: it does, by id).
 */
import type { PayloadOf } from '../../protocol/message-types';

type Task = PayloadOf<'POLLER_ASSIGN'>['start'][number];

export class WorkerBook {
  private readonly byWorker = new Map<number, Map<string, Task>>();

  apply(assign: PayloadOf<'POLLER_ASSIGN'>): void {
    const tasks = this.byWorker.get(assign.worker) ?? new Map<string, Task>();
    this.byWorker.set(assign.worker, tasks);
    for (const device of assign.stop) tasks.delete(device);
    for (const task of assign.start) tasks.set(task.device, task);
  }

  /** The worker's devices, as one assignment to replay into a restarted worker. */
  replay(worker: number, epoch: number): PayloadOf<'POLLER_ASSIGN'> {
    return { epoch, worker, start: [...(this.byWorker.get(worker)?.values() ?? [])], stop: [] };
  }

  devices(worker: number): string[] {
    return [...(this.byWorker.get(worker)?.keys() ?? [])].sort();
  }
}
