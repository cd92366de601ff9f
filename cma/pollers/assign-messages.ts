/**
 * Handover commands (handover.ts) as the POLLER_ASSIGN messages that carry them:
 * one message per worker per round (more when a round moves more devices than a message holds), each
 * with the round's epoch, so a poller can ignore a late, older one.
 */
import type { Command } from './handover';
import type { PayloadOf } from '../../protocol/message-types';
import { MAX_TASKS_PER_ASSIGN } from '../../protocol/messages/poller';
import { parseWorkerId } from './poller-book';

export type AssignPayload = PayloadOf<'POLLER_ASSIGN'>;
export type DeviceTask = AssignPayload['start'][number];
export type AssignMessage = { keyid: string; payload: AssignPayload };

export function assignMessages(commands: readonly Command[], tasks: ReadonlyMap<string, DeviceTask>, epoch: number): AssignMessage[] {
  const byWorker = new Map<string, { start: DeviceTask[]; stop: string[] }>();
  for (const c of commands) {
    const entry = byWorker.get(c.worker) ?? { start: [], stop: [] };
    byWorker.set(c.worker, entry);
    if (c.kind === 'stop') {
      entry.stop.push(c.device);
      continue;
    }
    // A device without a task was removed from the inventory in the same round: nothing to start.
    const task = tasks.get(c.device);
    if (task !== undefined) entry.start.push(task);
  }
  const out: AssignMessage[] = [];
  for (const [worker, { start, stop }] of [...byWorker].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const id = parseWorkerId(worker);
    if (id === null) continue;
    for (let i = 0; i === 0 || i < Math.max(start.length, stop.length); i += MAX_TASKS_PER_ASSIGN) {
      const chunk = { start: start.slice(i, i + MAX_TASKS_PER_ASSIGN), stop: stop.slice(i, i + MAX_TASKS_PER_ASSIGN) };
      if (chunk.start.length === 0 && chunk.stop.length === 0) break;
      out.push({ keyid: id.keyid, payload: { epoch, worker: id.index, ...chunk } });
    }
  }
  return out;
}
