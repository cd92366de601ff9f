/**
 * Thousands of CLI sessions in one process, each polled on a fixed interval. Logins go through one
 * ConnectGate, so that at most `maxConcurrentConnects` handshakes run at once (at start and on every
 * reconnect alike). Each device's polls are spread over the interval by a stable hash of its name
 * (poll-schedule.ts), so a fleet does not poll in bursts, and a poll that is still running when the
 * next is due makes that one skip (counted as an overrun) rather than queue up behind it.
 *
 * Each command's outcome goes to `onResult`: its output (and, when asked, the records TextFSM made of
 * it) or its SessionError, with when it started and how long it took.
 */
import { SystemClock, type Clock, type TimerHandle } from '../../protocol/transport/clock';
import { parseText, type FsmRecord, type Template, type TemplateLibrary } from '../textfsm';
import { CliSession, type CliSessionOptions } from './cli-session';
import { ConnectGate } from './connect-gate';
import { SessionError, zeroCounts, type SessionErrorCode } from './errors';
import { isPlatformId, type PlatformId } from './platforms';
import { firstPollOffset, nextDue } from './poll-schedule';
import type { SessionState } from './session-stats';
import type { ShellConnector } from './shell-connector';
import type { SshTarget } from './ssh-target';

export interface PollCommand {
  command: string;
  timeoutMs?: number;
  /**
   * `'index'`: look the template up in the pool's TemplateLibrary (ntc-templates style records, keys
   * lower case); a compiled Template: parse with it (keys as the template declares them).
   */
  parse?: 'index' | Template;
}

export interface PoolDevice {
  name: string;
  platform: PlatformId;
  target?: SshTarget;
  connector?: ShellConnector;
  commands: readonly PollCommand[];
}

interface ResultBase {
  device: string;
  platform: PlatformId;
  command: string;
  /** Wall-clock time (ms since the epoch) the command was queued. */
  startedAt: number;
  /** Queue wait included: what the poll cost in time. */
  durationMs: number;
}

export type PollResult =
  | (ResultBase & { ok: true; output: string; records?: FsmRecord[]; parseError?: Error })
  | (ResultBase & { ok: false; error: SessionError });

export type SessionDefaults = Omit<Partial<CliSessionOptions>, 'name' | 'platform' | 'target' | 'connector' | 'gate' | 'clock'>;

export interface SessionPoolOptions {
  intervalMs: number;
  onResult: (result: PollResult) => void;
  /** Logins at once, across the pool. Default 32. */
  maxConcurrentConnects?: number;
  templates?: TemplateLibrary;
  /** Timeouts, caps and backoff for every session. */
  session?: SessionDefaults;
  clock?: Clock;
  /** Wall clock for `startedAt`. Default Date.now. */
  now?: () => number;
  /** An onResult callback that throws is reported here (and counted), never allowed to stop polling. */
  onCallbackError?: (err: unknown) => void;
}

export interface OpenSummary {
  devices: number;
  ready: number;
  failed: number;
  failures: Partial<Record<SessionErrorCode, number>>;
}

export interface PoolStats {
  devices: number;
  states: Record<SessionState, number>;
  /** Poll rounds started (one per device per interval). */
  polls: number;
  /** Rounds skipped because the previous one was still running. */
  overruns: number;
  results: number;
  resultErrors: Record<SessionErrorCode, number>;
  parseErrors: number;
  callbackErrors: number;
}

interface Entry {
  device: PoolDevice;
  session: CliSession;
  timer: TimerHandle | undefined;
  due: number;
  polling: boolean;
}

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly gate: ConnectGate;
  private readonly clock: Clock;
  private readonly now: () => number;
  private running = false;
  private startedAt = 0;
  private readonly counts = { polls: 0, overruns: 0, results: 0, parseErrors: 0, callbackErrors: 0 };
  private readonly resultErrors = zeroCounts();

  constructor(private readonly options: SessionPoolOptions) {
    if (!(options.intervalMs > 0 && Number.isFinite(options.intervalMs))) throw new RangeError('intervalMs must be a positive number');
    if (typeof options.onResult !== 'function') throw new TypeError('onResult must be a function');
    this.gate = new ConnectGate(options.maxConcurrentConnects ?? 32);
    this.clock = options.clock ?? new SystemClock();
    this.now = options.now ?? Date.now;
  }

  /** Adds a device (validated); in a running pool it connects and is scheduled at once. */
  add(device: PoolDevice): CliSession {
    checkDevice(device);
    if (this.entries.has(device.name)) throw new Error(`device ${device.name} is already in the pool`);
    if (device.commands.some((c) => c.parse === 'index') && !this.options.templates) throw new TypeError(`device ${device.name}: parse 'index' needs the pool's templates`);
    const session = new CliSession({
      ...this.options.session,
      name: device.name,
      platform: device.platform,
      ...(device.connector ? { connector: device.connector } : { target: device.target! }),
      gate: this.gate,
      clock: this.clock,
    });
    const entry: Entry = { device, session, timer: undefined, due: 0, polling: false };
    this.entries.set(device.name, entry);
    if (this.running) {
      session.connect().catch(() => undefined);
      this.schedule(entry, this.clock.now());
    }
    return session;
  }

  async remove(name: string): Promise<boolean> {
    const entry = this.entries.get(name);
    if (!entry) return false;
    this.entries.delete(name);
    if (entry.timer) this.clock.clearTimer(entry.timer);
    await entry.session.close();
    return true;
  }

  session(name: string): CliSession | undefined {
    return this.entries.get(name)?.session;
  }

  /**
   * Opens every session (bounded by the gate) and starts polling. Resolves once every first
   * connection attempt has settled; polls already run meanwhile (a poll waits for its session).
   */
  async start(): Promise<OpenSummary> {
    if (this.running) throw new Error('the pool is already running');
    this.running = true;
    this.startedAt = this.clock.now();
    const entries = [...this.entries.values()];
    for (const entry of entries) this.schedule(entry, this.startedAt);
    const outcomes = await Promise.allSettled(entries.map((e) => e.session.connect()));
    const failures: Partial<Record<SessionErrorCode, number>> = {};
    let ready = 0;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') ready += 1;
      else {
        const code: SessionErrorCode = o.reason instanceof SessionError ? o.reason.code : 'connect_failed';
        failures[code] = (failures[code] ?? 0) + 1;
      }
    }
    return { devices: entries.length, ready, failed: entries.length - ready, failures };
  }

  /** Stops polling and closes every session (their queued commands are rejected with `closed`). */
  async stop(): Promise<void> {
    this.running = false;
    const entries = [...this.entries.values()];
    for (const e of entries) {
      if (e.timer) this.clock.clearTimer(e.timer);
      e.timer = undefined;
    }
    await Promise.all(entries.map((e) => e.session.close()));
  }

  stats(): PoolStats {
    const states: Record<SessionState, number> = { idle: 0, connecting: 0, ready: 0, backing_off: 0, closed: 0 };
    for (const e of this.entries.values()) states[e.session.state] += 1;
    return { devices: this.entries.size, states, ...this.counts, resultErrors: { ...this.resultErrors } };
  }

  // ---- polling -----------------------------------------------------------------------------------

  /** Sets the device's first poll: its stable offset into the interval that starts at `from`. */
  private schedule(entry: Entry, from: number): void {
    entry.due = from + firstPollOffset(entry.device.name, this.options.intervalMs);
    this.arm(entry);
  }

  private arm(entry: Entry): void {
    entry.timer = this.clock.setTimer(Math.max(0, entry.due - this.clock.now()), () => this.fire(entry));
  }

  private fire(entry: Entry): void {
    entry.timer = undefined;
    if (!this.running || this.entries.get(entry.device.name) !== entry) return;
    const next = nextDue(entry.due, this.options.intervalMs, this.clock.now());
    // Slots that passed while the process was too busy to fire them count as overruns, too.
    this.counts.overruns += next.skipped;
    entry.due = next.due;
    this.arm(entry);
    if (entry.polling) {
      this.counts.overruns += 1;
      return;
    }
    this.counts.polls += 1;
    entry.polling = true;
    this.poll(entry).finally(() => {
      entry.polling = false;
    });
  }

  private async poll(entry: Entry): Promise<void> {
    const { device, session } = entry;
    for (const spec of device.commands) {
      if (!this.running) return;
      const startedAt = this.now();
      const t0 = this.clock.now();
      let result: PollResult;
      try {
        const output = await session.run(spec.command, spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs });
        result = { device: device.name, platform: device.platform, command: spec.command, startedAt, durationMs: this.clock.now() - t0, ok: true, output };
        if (spec.parse !== undefined) {
          try {
            result.records = spec.parse === 'index' ? this.options.templates!.parseOutput(device.platform, spec.command, output) : parseText(spec.parse, output);
          } catch (err) {
            this.counts.parseErrors += 1;
            result.parseError = err instanceof Error ? err : new Error(String(err));
          }
        }
      } catch (err) {
        const error = err instanceof SessionError ? err : new SessionError('disconnected', String(err), { device: device.name, command: spec.command, cause: err });
        this.resultErrors[error.code] += 1;
        result = { device: device.name, platform: device.platform, command: spec.command, startedAt, durationMs: this.clock.now() - t0, ok: false, error };
      }
      this.counts.results += 1;
      try {
        this.options.onResult(result);
      } catch (err) {
        this.counts.callbackErrors += 1;
        this.options.onCallbackError?.(err);
      }
    }
  }
}

function checkDevice(device: PoolDevice): void {
  const d = device as unknown as Record<string, unknown>;
  if (typeof d !== 'object' || d === null) throw new TypeError('a pool device must be an object');
  if (typeof d.name !== 'string' || d.name === '') throw new TypeError('a pool device needs a name');
  if (!isPlatformId(d.platform)) throw new TypeError(`device ${d.name}: unknown platform ${JSON.stringify(d.platform)}`);
  if (d.target === undefined && d.connector === undefined) throw new TypeError(`device ${d.name}: needs a target or a connector`);
  if (!Array.isArray(d.commands)) throw new TypeError(`device ${d.name}: commands must be an array`);
  for (const c of d.commands as unknown[]) {
    const cmd = c as Record<string, unknown> | null;
    if (typeof cmd !== 'object' || cmd === null || typeof cmd.command !== 'string' || cmd.command.trim() === '') throw new TypeError(`device ${d.name}: each command needs a command string`);
  }
}
