/**
 * What the nanoprobe and its spawner helper (spawner-main.ts) say to each other over the IPC channel
 * (advanced serialization, so stdout travels as bytes). Both ends are this project's code, but the
 * channel is still an edge: what arrives is checked before it is used, and anything else is dropped.
 */
import type { ChildOutcome, ChildRunOptions } from './child-runner';

/** What may cross to the helper: everything but the callback. */
export type RemoteRunOptions = Omit<ChildRunOptions, 'onStarted'>;

export type RunRequestMessage = { type: 'run'; id: number; options: RemoteRunOptions };
export type RunOutcomeMessage = { type: 'outcome'; id: number; outcome: ChildOutcome };
/** Sent once when the helper is listening: runs sent before it are queued by the channel anyway. */
export type ReadyMessage = { type: 'ready'; pid: number };

const OUTCOME_KINDS = new Set(['exited', 'spawn_failed', 'timeout', 'output_too_large', 'invalid_options']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asRunRequest(m: unknown): RunRequestMessage | null {
  if (!isRecord(m) || m.type !== 'run' || !Number.isSafeInteger(m.id) || !isRecord(m.options)) return null;
  const o = m.options;
  if (typeof o.executable !== 'string' || !Array.isArray(o.args) || !o.args.every((a) => typeof a === 'string')) return null;
  return m as RunRequestMessage;
}

export function asRunOutcome(m: unknown): RunOutcomeMessage | ReadyMessage | null {
  if (!isRecord(m)) return null;
  if (m.type === 'ready' && Number.isSafeInteger(m.pid)) return m as ReadyMessage;
  if (m.type !== 'outcome' || !Number.isSafeInteger(m.id) || !isRecord(m.outcome)) return null;
  const o = m.outcome;
  if (typeof o.kind !== 'string' || !OUTCOME_KINDS.has(o.kind) || typeof o.durationMs !== 'number' || !isRecord(o.stderr)) return null;
  if (o.kind === 'exited') {
    // Structured clone turns a Buffer into a plain Uint8Array: give callers their Buffer back.
    if (!(o.stdout instanceof Uint8Array)) return null;
    o.stdout = Buffer.from(o.stdout.buffer, o.stdout.byteOffset, o.stdout.byteLength);
  }
  return m as RunOutcomeMessage;
}
