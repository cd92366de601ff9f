/**
 * A persistent CLI session with one device: one SSH connection and one pty shell, kept open across
 * polls (a poller that logged in for every poll would spend its CPU on key exchanges). Commands are
 * queued and run one at a time; each resolves with its output (echo and prompt stripped, LF line
 * ends) or rejects with a SessionError whose code says what happened.
 *
 * Lifecycle: idle → connecting (connect slot, login, prompt, paging off) → ready. A lost connection,
 * a timed-out command or an oversized output (after which the byte stream cannot be trusted) tears
 * the connection down and reconnects: at once after the first failure, then with exponential
 * backoff and jitter (backoff.ts) while failures follow one another; a command answered resets the
 * streak. While backing off, commands fail fast with `not_connected` rather than pile up. close()
 * ends everything and rejects whatever is queued with `closed`.
 */
import { SystemClock, type Clock, type TimerHandle } from '../../protocol/transport/clock';
import { backoffDelay, checkBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { ConnectGate, Release } from './connect-gate';
import { SessionError, type SessionErrorCode } from './errors';
import { LiveShell } from './live-shell';
import { cleanOutput, rejectionOf } from './output-clean';
import { platformCli, type PlatformCli, type PlatformId } from './platforms';
import { copyCounters, newCounters, TransitionLog, type SessionCounters, type SessionState, type StateTransition } from './session-stats';
import type { ShellConnector } from './shell-connector';
import { sshConnector } from './ssh-connector';
import type { SshTarget } from './ssh-target';

export interface CliSessionOptions {
  /** The device's name: in every error and log line. */
  name: string;
  platform: PlatformId;
  /** Where to log in; or give `connector` (tests, other transports). */
  target?: SshTarget;
  connector?: ShellConnector;
  clock?: Clock;
  /** Uniform in [0, 1), for backoff jitter. */
  random?: () => number;
  /** TCP + SSH handshake + login + shell open. Default 15 s. */
  connectTimeoutMs?: number;
  /** Learning the prompt, and each paging command. Default 10 s. */
  promptTimeoutMs?: number;
  /** Default for run(). Default 30 s. */
  commandTimeoutMs?: number;
  /** Per command, echo included. Default 8 MiB. */
  maxOutputBytes?: number;
  /** Commands waiting (the one running excluded). Default 64. */
  maxQueue?: number;
  /** Give up (state closed, code `gave_up`) after this many failures in a row. Default: never. */
  maxConsecutiveFailures?: number;
  backoff?: Partial<BackoffOptions>;
  /** Shared by the sessions of a pool, to bound concurrent logins. */
  gate?: ConnectGate;
  onStateChange?: (transition: StateTransition) => void;
}

export interface RunOptions {
  timeoutMs?: number;
}

export interface SessionInfo {
  name: string;
  platform: PlatformId;
  state: SessionState;
  /** The prompt learned on the current (or last) connection. */
  prompt: string | undefined;
  /** Paging commands the device refused (the pager is then answered with spaces). */
  setupRefused: readonly string[];
  lastError: SessionError | undefined;
  counters: SessionCounters;
  transitions: readonly StateTransition[];
}

interface Job {
  command: string;
  timeoutMs: number;
  resolve(output: string): void;
  reject(error: SessionError): void;
}

const MAX_COMMAND_LENGTH = 1024;

export class CliSession {
  readonly name: string;
  readonly platform: PlatformId;
  private readonly cli: PlatformCli;
  private readonly connector: ShellConnector;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly connectTimeoutMs: number;
  private readonly promptTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly maxQueue: number;
  private readonly maxFailures: number;
  private readonly counters = newCounters();
  private readonly log = new TransitionLog();
  private current: SessionState = 'idle';
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private live: LiveShell | undefined;
  private connecting: Promise<void> | undefined;
  private abortAttempt: AbortController | undefined;
  private backoffTimer: TimerHandle | undefined;
  private backoffUntil = 0;
  private streak = 0;
  private everReady = false;
  private lastError: SessionError | undefined;
  private closedError: SessionError | undefined;
  private prompt: string | undefined;
  private setupRefused: string[] = [];

  constructor(private readonly options: CliSessionOptions) {
    this.name = options.name;
    this.platform = options.platform;
    this.cli = platformCli(options.platform);
    if (!this.cli) throw new TypeError(`unknown platform ${JSON.stringify(options.platform)}`);
    if (options.connector) this.connector = options.connector;
    else if (options.target) this.connector = sshConnector(options.target, { device: options.name });
    else throw new TypeError('a CLI session needs a target or a connector');
    this.clock = options.clock ?? new SystemClock();
    this.random = options.random ?? Math.random;
    this.backoff = checkBackoff({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.connectTimeoutMs = positive(options.connectTimeoutMs ?? 15_000, 'connectTimeoutMs');
    this.promptTimeoutMs = positive(options.promptTimeoutMs ?? 10_000, 'promptTimeoutMs');
    this.commandTimeoutMs = positive(options.commandTimeoutMs ?? 30_000, 'commandTimeoutMs');
    this.maxOutputBytes = positive(options.maxOutputBytes ?? 8 * 1024 * 1024, 'maxOutputBytes');
    this.maxQueue = positive(options.maxQueue ?? 64, 'maxQueue');
    this.maxFailures = positive(options.maxConsecutiveFailures ?? Infinity, 'maxConsecutiveFailures');
  }

  get state(): SessionState {
    return this.current;
  }

  /** Commands waiting, plus the one running. */
  get backlog(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  info(): SessionInfo {
    return {
      name: this.name,
      platform: this.platform,
      state: this.current,
      prompt: this.prompt,
      setupRefused: [...this.setupRefused],
      lastError: this.lastError,
      counters: copyCounters(this.counters),
      transitions: this.log.list(),
    };
  }

  /**
   * Connects now (commands also connect on demand). Resolves once ready; rejects with the
   * attempt's error. While backing off, it skips the wait and tries at once.
   */
  connect(): Promise<void> {
    if (this.current === 'closed') return Promise.reject(this.closedError!);
    if (this.current === 'ready') return Promise.resolve();
    return this.startAttempt('connect() called');
  }

  /** Runs one command; resolves with its output once the prompt is back. */
  run(command: string, options: RunOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    const invalid = checkCommand(command, timeoutMs);
    if (invalid !== undefined) return this.refuse('invalid_command', invalid, String(command));
    if (this.current === 'closed') return this.refuse(this.closedError!.code, this.closedError!.detail, command, this.closedError);
    if (this.current === 'backing_off') {
      const wait = Math.max(0, Math.round(this.backoffUntil - this.clock.now()));
      const last = this.lastError;
      return this.refuse('not_connected', `backing off after ${this.streak} failures (last: ${last?.code ?? 'none'}); next attempt in ${wait} ms`, command, last);
    }
    if (this.queue.length >= this.maxQueue) return this.refuse('queue_full', `${this.queue.length} commands already waiting`, command);
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ command, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  /** Ends the connection and rejects every queued command with `closed`. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.shutDown(new SessionError('closed', 'the session was closed', { device: this.name }), 'close() called', 'graceful');
  }

  // ---- commands ----------------------------------------------------------------------------------

  private pump(): void {
    if (this.running || this.current === 'closed' || this.queue.length === 0) return;
    const live = this.live;
    if (this.current !== 'ready' || !live) {
      if (this.current === 'idle') this.startAttempt('command queued').catch(() => undefined);
      return;
    }
    const job = this.queue.shift()!;
    this.running = job;
    live
      .exchange(job.command, job.timeoutMs, this.maxOutputBytes)
      .then(
        (answer) => {
          // The device answered: the connection works, whatever the answer says.
          this.streak = 0;
          const output = cleanOutput(answer.body, this.cli, answer.pages > 0);
          const refusal = rejectionOf(output, this.cli);
          if (refusal === undefined) {
            this.counters.commands += 1;
            job.resolve(output);
          } else job.reject(this.record(new SessionError('command_rejected', refusal, { device: this.name, command: job.command, output })));
        },
        (error: SessionError) => {
          job.reject(this.record(error));
          // A lost connection was dealt with when it was lost (onLost); `closed` is ours.
          if (error.code === 'command_timeout' || error.code === 'output_too_large') {
            this.dropLive(live, error);
            this.failed(error, `${error.code} on ${JSON.stringify(job.command)}`);
          }
        },
      )
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }

  private refuse(code: SessionErrorCode, message: string, command: string, cause?: unknown): Promise<never> {
    return Promise.reject(this.record(new SessionError(code, message, { device: this.name, command, cause })));
  }

  private record(error: SessionError): SessionError {
    this.counters.failures[error.code] += 1;
    return error;
  }

  // ---- connecting --------------------------------------------------------------------------------

  private startAttempt(reason: string): Promise<void> {
    if (this.connecting) return this.connecting;
    this.clearBackoff();
    const attempt = this.attempt(reason);
    this.connecting = attempt;
    return attempt;
  }

  private async attempt(reason: string): Promise<void> {
    this.setState('connecting', reason);
    const abort = new AbortController();
    this.abortAttempt = abort;
    let release: Release | undefined;
    const live = new LiveShell({
      device: this.name,
      cli: this.cli,
      clock: this.clock,
      counters: this.counters,
      onLost: (shell, error, waited) => this.onLost(shell, error, waited),
    });
    try {
      // Yield once so that `connecting` is set before anything below can fail.
      await Promise.resolve();
      if (this.options.gate) release = await this.options.gate.acquire(abort.signal);
      this.counters.connectAttempts += 1;
      const channel = await this.deadline(this.connector.connect(live.events, abort.signal), abort);
      live.attach(channel);
      if (live.gone) throw live.gone;
      if (this.current === 'closed') throw this.closedError;
      this.live = live;
      this.prompt = await live.learnPrompt(this.promptTimeoutMs);
      this.setupRefused = [];
      for (const command of this.cli.setupCommands) {
        const answer = await live.exchange(command, this.promptTimeoutMs, this.maxOutputBytes);
        if (rejectionOf(cleanOutput(answer.body, this.cli, answer.pages > 0), this.cli) !== undefined) this.setupRefused.push(command);
      }
    } catch (thrown) {
      release?.();
      this.connecting = undefined;
      this.abortAttempt = undefined;
      const error = thrown instanceof SessionError ? thrown : new SessionError('connect_failed', String(thrown), { device: this.name, cause: thrown });
      if (this.current === 'closed') {
        live.close('abort', this.closedError!);
        throw this.closedError!;
      }
      this.dropLive(live, error);
      this.record(error);
      // Callers waiting for this connection learn why it failed; later ones get a new attempt.
      this.rejectQueue(error);
      this.failed(error, `connect failed: ${error.code}`);
      throw error;
    }
    release?.();
    this.connecting = undefined;
    this.abortAttempt = undefined;
    this.counters.connects += 1;
    if (this.everReady) this.counters.reconnects += 1;
    this.everReady = true;
    this.setState('ready', `prompt ${JSON.stringify(this.prompt)}`);
    this.pump();
  }

  /** The connector's promise, or `connect_timeout` once connectTimeoutMs has passed (the attempt is aborted). */
  private deadline<T extends { close(mode: 'abort'): void }>(pending: Promise<T>, abort: AbortController): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let late = false;
      const timer = this.clock.setTimer(this.connectTimeoutMs, () => {
        late = true;
        abort.abort();
        reject(new SessionError('connect_timeout', `no shell within ${this.connectTimeoutMs} ms`, { device: this.name }));
      });
      pending.then(
        (value) => {
          this.clock.clearTimer(timer);
          if (late) value.close('abort');
          else resolve(value);
        },
        (error: unknown) => {
          this.clock.clearTimer(timer);
          if (!late) reject(error);
        },
      );
    });
  }

  /** A connection ended by itself. */
  private onLost(shell: LiveShell, error: SessionError, waited: boolean): void {
    if (this.live !== shell) return; // still connecting: the attempt's own catch deals with it
    this.live = undefined;
    if (this.current !== 'ready') return;
    // With a command waiting, that command reports the loss (counted there).
    if (!waited) this.record(error);
    this.failed(error, `lost: ${error.detail}`);
  }

  /** One more failure in a row: retry at once, back off, or give up. */
  private failed(error: SessionError, reason: string): void {
    if (this.current === 'closed') return;
    this.streak += 1;
    this.lastError = error;
    if (this.streak >= this.maxFailures) {
      const gaveUp = new SessionError('gave_up', `gave up after ${this.streak} failures in a row (last: ${error.code})`, { device: this.name, cause: error });
      this.shutDown(gaveUp, gaveUp.detail, 'abort');
      return;
    }
    const delay = backoffDelay(this.streak, this.backoff, this.random);
    if (delay <= 0) {
      this.startAttempt(`${reason}; retrying at once`).catch(() => undefined);
      return;
    }
    this.setState('backing_off', `${reason}; next attempt in ${Math.round(delay)} ms`);
    // Commands fail fast while backing off; those already queued (a loss while ready) too.
    if (this.queue.length > 0) {
      this.rejectQueue(new SessionError('not_connected', `backing off after ${this.streak} failures (last: ${error.code})`, { device: this.name, cause: error }));
    }
    this.backoffUntil = this.clock.now() + delay;
    this.backoffTimer = this.clock.setTimer(delay, () => {
      this.backoffTimer = undefined;
      this.startAttempt('backoff over').catch(() => undefined);
    });
  }

  private dropLive(live: LiveShell, error: SessionError): void {
    if (this.live === live) this.live = undefined;
    live.close('abort', error);
  }

  private clearBackoff(): void {
    if (this.backoffTimer) this.clock.clearTimer(this.backoffTimer);
    this.backoffTimer = undefined;
  }

  private rejectQueue(error: SessionError): void {
    const jobs = this.queue.splice(0);
    for (const job of jobs) job.reject(this.record(new SessionError(error.code, error.detail, { device: this.name, command: job.command, cause: error })));
  }

  private shutDown(error: SessionError, reason: string, mode: 'graceful' | 'abort'): void {
    this.closedError = error;
    this.setState('closed', reason);
    this.clearBackoff();
    this.abortAttempt?.abort();
    const live = this.live;
    this.live = undefined;
    // The running command (if any) fails through its exchange; the queued ones here.
    live?.close(mode, error);
    this.rejectQueue(error);
  }

  private setState(to: SessionState, reason: string): void {
    const from = this.current;
    if (from === to && to !== 'connecting') return;
    this.current = to;
    const transition = { at: this.clock.now(), from, to, reason };
    this.log.add(transition);
    this.options.onStateChange?.(transition);
  }
}

function positive(value: number, name: string): number {
  if (!(typeof value === 'number' && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}

/** Why a command cannot be sent, or undefined. */
function checkCommand(command: unknown, timeoutMs: unknown): string | undefined {
  if (typeof command !== 'string') return 'a command must be a string';
  if (command.trim() === '') return 'the command is empty';
  if (command.length > MAX_COMMAND_LENGTH) return `the command is longer than ${MAX_COMMAND_LENGTH} characters`;
  // A line break would send two commands; other control characters edit the line on the device.
  if (/[\x00-\x1f\x7f]/.test(command)) return 'the command holds a line break or a control character';
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return 'timeoutMs must be a positive finite number';
  return undefined;
}
