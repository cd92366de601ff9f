/**
 * One worker's devices: the tasks its POLLER_ASSIGNs gave it, polled through a SessionPool. A
 * device's first good poll is confirmed (so the CMA stops its old holder); after that a command's
 * result is reported only when it changed (its content hash), failures included — no news is good
 * news. A task naming a credential this poller lacks, or a platform it cannot drive, is reported as
 * that failure instead of polled.
 */
import { readFileSync } from 'node:fs';
import type { PayloadOf } from '../../protocol/message-types';
import { POLL_FAILURE_CODES, isPollFailure } from '../../protocol/messages/poll-codes';
import { sha256Hex } from '../../common/hash';
import type { JsonValue } from '../../protocol/messages/common';
import { SessionPool, type PollResult } from '../session/session-pool';
import { isPlatformId } from '../session/platforms';
import { TemplateLibrary } from '../textfsm';
import type { WorkerConfig } from './worker-config';

type Task = PayloadOf<'POLLER_ASSIGN'>['start'][number];
export type WorkerReport =
  | { type: 'confirm'; payload: PayloadOf<'POLLER_CONFIRM'> }
  | { type: 'result'; payload: PayloadOf<'POLL_RESULT'> };

export class AssignedPool {
  private readonly pool: SessionPool;
  private readonly tasks = new Map<string, { task: Task; epoch: number; confirmed: boolean }>();
  /** device → command → hash of the last result reported. */
  private readonly lastHash = new Map<string, Map<string, string>>();

  constructor(
    private readonly index: number,
    private readonly config: WorkerConfig,
    private readonly report: (r: WorkerReport) => void,
  ) {
    this.pool = new SessionPool({
      intervalMs: config.pollIntervalSeconds * 1000,
      maxConcurrentConnects: config.maxConcurrentConnects,
      templates: new TemplateLibrary(config.templatesDir),
      onResult: (r) => this.onResult(r),
    });
  }

  async start(): Promise<void> {
    await this.pool.start();
  }

  async apply(assign: PayloadOf<'POLLER_ASSIGN'>): Promise<void> {
    for (const device of assign.stop) await this.drop(device);
    for (const task of assign.start) {
      const held = this.tasks.get(task.device);
      // The same task again (a replay, a resend after a CMA restart): keep the session as it is.
      if (held !== undefined && JSON.stringify(held.task) === JSON.stringify(task)) continue;
      await this.drop(task.device);
      this.add(task, assign.epoch);
    }
  }

  async stop(): Promise<void> {
    await this.pool.stop();
  }

  private add(task: Task, epoch: number): void {
    const credential = this.config.credentials[task.credential];
    if (credential === undefined) return this.failAll(task, 'unknown_credential', `no credential named ${task.credential}`);
    if (!isPlatformId(task.platform)) return this.failAll(task, 'no_template', `platform ${task.platform} is not one this poller drives`);
    this.tasks.set(task.device, { task, epoch, confirmed: false });
    this.pool.add({
      name: task.device,
      platform: task.platform,
      target: {
        host: task.address,
        port: task.port,
        username: credential.username,
        ...(credential.password === undefined ? {} : { password: credential.password }),
        ...(credential.privateKeyFile === undefined ? {} : { privateKey: readFileSync(credential.privateKeyFile, 'utf8') }),
        // A pinned key from the CMA; otherwise the first key seen is kept for later reconnects.
        hostKey: task.hostKeySha256 !== undefined ? { fingerprint: `SHA256:${task.hostKeySha256.replace(/=$/, '')}` } : { trustOnFirstUse: () => true },
      },
      commands: task.commands.map((c) => ({ command: c.command, parse: 'index' as const })),
    });
  }

  private async drop(device: string): Promise<void> {
    if (!this.tasks.delete(device)) return;
    await this.pool.remove(device);
    this.lastHash.delete(device);
  }

  private onResult(r: PollResult): void {
    const held = this.tasks.get(r.device);
    if (held === undefined) return;
    if (r.ok && !held.confirmed) {
      held.confirmed = true;
      this.report({ type: 'confirm', payload: { epoch: held.epoch, worker: this.index, device: r.device, firstPollAt: r.startedAt } });
    }
    const outcome: PayloadOf<'POLL_RESULT'>['outcome'] = r.ok
      ? r.records !== undefined
        ? // TextFSM values are strings and lists of them: JSON already, only declared readonly.
          { ok: true, records: r.records as unknown as Array<Record<string, JsonValue>> }
        : { ok: true, text: r.output.slice(0, 1024 * 1024) }
      : failure(r.error.code, r.error.message);
    this.send(r.device, r.command, r.startedAt, r.durationMs, outcome);
  }

  private failAll(task: Task, word: 'unknown_credential' | 'no_template', message: string): void {
    for (const c of task.commands) this.send(task.device, c.command, Date.now(), 0, failure(word, message));
  }

  private send(device: string, command: string, startedAt: number, durationMs: number, outcome: PayloadOf<'POLL_RESULT'>['outcome']): void {
    const contentHash = sha256Hex(JSON.stringify(outcome));
    const byCommand = this.lastHash.get(device) ?? new Map<string, string>();
    this.lastHash.set(device, byCommand);
    if (byCommand.get(command) === contentHash) return;
    byCommand.set(command, contentHash);
    this.report({ type: 'result', payload: { worker: this.index, device, command, contentHash, startedAt, durationMs: Math.round(durationMs), outcome } });
  }
}

function failure(word: string, message: string): PayloadOf<'POLL_RESULT'>['outcome'] {
  const code = isPollFailure(word) ? POLL_FAILURE_CODES[word] : POLL_FAILURE_CODES.connect_failed;
  return { ok: false, code, message: `${word}: ${message}`.slice(0, 1024) };
}
