/**
 * One open shell on a device: the bytes in and out of it, and the two exchanges a session makes on
 * it — learning the prompt after login, and running one command up to the prompt. At most one
 * exchange waits at a time (the session serialises them). When the connection ends, the waiting
 * exchange fails with the reason; an end while nothing waits is reported to the session.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Clock } from '../../protocol/transport/clock';
import { SessionError, type SessionErrorCode } from './errors';
import { OutputCollector } from './output-collector';
import type { PlatformCli } from './platforms';
import { PromptLearner, PromptMatcher } from './prompt';
import type { SessionCounters } from './session-stats';
import type { ShellChannel, ShellEvents } from './shell-connector';

export interface LiveShellContext {
  device: string;
  cli: PlatformCli;
  clock: Clock;
  counters: SessionCounters;
  /** The connection ended by itself; `waited` says whether an exchange was waiting (it fails too). */
  onLost(shell: LiveShell, error: SessionError, waited: boolean): void;
}

export interface Answer {
  /** Between the echo line and the prompt, as received. */
  body: string;
  pages: number;
}

/** Text kept from before any exchange waits (banner, log lines); older text is dropped. */
const MAX_PENDING_CHARS = 64 * 1024;

export class LiveShell {
  prompt: PromptMatcher | undefined;
  /** Set once the connection has ended (by itself or by close()). */
  gone: SessionError | undefined;
  private channel: ShellChannel | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private pendingBytes = 0;
  private reader: ((text: string, bytes: number) => void) | undefined;
  private waiterFail: ((error: SessionError) => void) | undefined;

  constructor(private readonly ctx: LiveShellContext) {}

  /** Handed to the connector: bytes and the end of the connection land here. */
  readonly events: ShellEvents = {
    data: (chunk) => this.received(chunk),
    closed: (error) => this.ended(error ?? this.error('disconnected', 'the connection closed')),
  };

  attach(channel: ShellChannel): void {
    this.channel = channel;
  }

  /** Our own close: the waiting exchange (if any) fails with `error`; nothing is reported as lost. */
  close(mode: 'graceful' | 'abort', error: SessionError): void {
    if (this.gone) return;
    this.gone = error;
    this.channel?.close(mode);
    this.failWaiter(error);
  }

  /** Types Enter and learns the prompt (prompt.ts); rejects with `prompt_not_found` after `timeoutMs`. */
  learnPrompt(timeoutMs: number): Promise<string> {
    const learner = new PromptLearner(this.ctx.cli);
    return this.wait<string>(timeoutMs, () => this.error('prompt_not_found', `no prompt within ${timeoutMs} ms; last received ${JSON.stringify(learner.lastSeen())}`), (finish) => {
      this.reader = (text) => {
        const step = learner.push(text);
        if (step.kind === 'send-newline') this.write('\n');
        else if (step.kind === 'learned') {
          this.prompt = new PromptMatcher(step.prompt, this.ctx.cli);
          finish(undefined, step.prompt);
        } else if (step.kind === 'failed') finish(this.error('prompt_not_found', step.reason));
      };
      this.write('\n');
      // The banner and first prompt usually arrived before we started listening.
      const early = this.takePending();
      if (early.text !== '') this.reader(early.text, early.bytes);
    });
  }

  /** Sends one command line; resolves with its answer once the prompt is back. */
  exchange(command: string, timeoutMs: number, maxBytes: number): Promise<Answer> {
    const prompt = this.prompt;
    if (!prompt) return Promise.reject(this.error('prompt_not_found', 'no prompt learned yet', command));
    const collector = new OutputCollector({ command, prompt, maxBytes });
    const timeout = (): SessionError => {
      const got = collector.sawEcho ? `${collector.receivedBytes} bytes received` : 'not even the echo came back';
      return this.error('command_timeout', `no prompt within ${timeoutMs} ms (${got})`, command);
    };
    return this.wait<Answer>(timeoutMs, timeout, (finish) => {
      this.reader = (text, bytes) => {
        const status = collector.push(text, bytes);
        if (status === 'pager') {
          this.ctx.counters.pagerPrompts += 1;
          this.write(' ');
        } else if (status === 'done') finish(undefined, { body: collector.body(), pages: collector.pages });
        else if (status === 'too_large') finish(this.error('output_too_large', `output passed ${maxBytes} bytes`, command));
      };
      // Whatever came while no one listened is not this command's output.
      this.ctx.counters.strayBytes += this.takePending().bytes;
      this.write(`${command}\n`);
    }, command);
  }

  private error(code: SessionErrorCode, message: string, command?: string, cause?: unknown): SessionError {
    return new SessionError(code, message, { device: this.ctx.device, command, cause });
  }

  /** Runs `start` with a deadline; `finish` settles once, clearing the timer and the reader. */
  private wait<T>(timeoutMs: number, onTimeout: () => SessionError, start: (finish: (error: SessionError | undefined, value?: T) => void) => void, command?: string): Promise<T> {
    if (this.gone) {
      const gone = this.gone;
      return Promise.reject(command === undefined ? gone : this.error(gone.code, gone.detail, command, gone));
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (error: SessionError | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        this.ctx.clock.clearTimer(timer);
        this.reader = undefined;
        this.waiterFail = undefined;
        if (error) reject(error);
        else resolve(value as T);
      };
      const timer = this.ctx.clock.setTimer(timeoutMs, () => finish(onTimeout()));
      this.waiterFail = (error) => finish(command === undefined || error.command !== undefined ? error : this.error(error.code, error.detail, command, error));
      start(finish);
    });
  }

  private write(text: string): void {
    if (this.gone || !this.channel) return;
    this.ctx.counters.bytesOut += Buffer.byteLength(text);
    this.channel.write(text);
  }

  private received(chunk: Buffer): void {
    if (this.gone) return;
    this.ctx.counters.bytesIn += chunk.length;
    const text = this.decoder.write(chunk);
    if (this.reader) {
      this.reader(text, chunk.length);
      return;
    }
    this.pending += text;
    this.pendingBytes += chunk.length;
    if (this.pending.length > MAX_PENDING_CHARS) this.pending = this.pending.slice(-MAX_PENDING_CHARS);
  }

  private takePending(): { text: string; bytes: number } {
    const taken = { text: this.pending, bytes: this.pendingBytes };
    this.pending = '';
    this.pendingBytes = 0;
    return taken;
  }

  private ended(error: SessionError): void {
    if (this.gone) return;
    this.gone = error;
    const waited = this.waiterFail !== undefined;
    this.ctx.onLost(this, error, waited);
    this.failWaiter(error);
  }

  private failWaiter(error: SessionError): void {
    const fail = this.waiterFail;
    this.waiterFail = undefined;
    fail?.(error);
  }
}

