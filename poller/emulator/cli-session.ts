/**
 * One login on an emulated device, as its terminal sees it: banner and prompt, echo and line
 * editing, the `enable` password (not echoed), the pager, and the device's faults and latency on
 * the way out. Transport-free: the SSH layer hands in typed bytes and gets text to write, so the
 * state machine can be driven by any byte stream.
 *
 * Input is read one key at a time and only while the device waits at a prompt (or at the pager):
 * what a client sends while output is being written stays queued and is echoed when read, as on a
 * real device.
 */
import { CliInterpreter, type Response } from './cli-interpreter';
import type { CliMode } from './device-profile';
import type { EmulatedDevice } from './emulated-device';
import { KeyDecoder, type Key } from './key-decoder';

export interface SessionTransport {
  /** Terminal text, line ends already CR LF. */
  write(text: string): void;
  /** The session ended normally (logout, end of an exec command). */
  close(exitCode: number): void;
  /** A fault: the connection goes away without a goodbye. */
  drop(): void;
}

export interface SessionOptions {
  /** The login name (without a `%device` suffix). */
  username: string;
  privilege: 1 | 15;
  /** The client's address, for the banner. */
  from: string;
  /** Counts commands for the emulator's figures. */
  onCommand?: () => void;
  /** An unexpected error inside the session (the session is dropped). */
  onError?: (err: unknown) => void;
}

type InputState = 'line' | 'password' | 'pager' | 'busy' | 'dead';

class Dropped extends Error {}

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** A stalled device: a promise nothing resolves; it is collected with the session. */
const forever = (): Promise<never> => new Promise<never>(() => undefined);

export class CliSession {
  private readonly cli: CliInterpreter;
  private readonly keys = new KeyDecoder();
  private input: InputState = 'busy';
  private line = '';
  private pending = '';
  private enableTries = 0;
  private pagerWaiter: ((key: Key) => void) | undefined;

  constructor(
    private readonly device: EmulatedDevice,
    private readonly transport: SessionTransport,
    private readonly options: SessionOptions,
  ) {
    const profile = device.profile;
    const privileged = profile.loginMode === 'enable' || (options.privilege === 15 && profile.dialect === 'ios');
    this.cli = new CliInterpreter(device, {
      mode: privileged ? 'enable' : 'user',
      configPath: [],
      pageLength: device.pageLength,
      completeOnSpace: profile.completeOnSpace,
      username: options.username,
    });
  }

  get mode(): CliMode {
    return this.cli.state.mode;
  }

  get closed(): boolean {
    return this.input === 'dead';
  }

  /** An interactive shell: banner, prompt, then keys. */
  start(): void {
    if (this.device.faults?.take('stall', undefined, 'login')) return; // stays 'busy' for good
    const banner = this.device.profile.banner({ hostname: this.device.hostname, username: this.options.username, now: new Date(this.device.now()), from: this.options.from });
    this.out(crlf(banner));
    this.prompt();
    this.flush();
  }

  /** Bytes the client typed. */
  receive(data: string): void {
    if (this.input === 'dead') return;
    this.keys.push(data);
    this.pump();
  }

  /** The connection has gone: nothing more is written. */
  end(): void {
    this.input = 'dead';
    this.pending = '';
  }

  /** The exec channel (`ssh host 'show version'`): the output, no banner, prompt or pager, then close. */
  async exec(command: string): Promise<void> {
    if (this.device.faults?.take('stall', undefined, 'login')) return forever();
    this.options.onCommand?.();
    const response = this.cli.execute(command, 0);
    try {
      await this.deliver(response, false, command);
    } catch (err) {
      if (err instanceof Dropped) return;
      throw err;
    }
    this.flush();
    if (this.input !== 'dead') {
      this.input = 'dead';
      this.transport.close(response.error ? 1 : 0);
    }
  }

  // ---- input ------------------------------------------------------------------------------------

  private pump(): void {
    while (this.input === 'line' || this.input === 'password' || this.input === 'pager') {
      const key = this.keys.next();
      if (!key) break;
      if (this.input === 'pager') {
        const waiter = this.pagerWaiter;
        this.pagerWaiter = undefined;
        this.input = 'busy';
        waiter?.(key);
      } else if (this.input === 'password') this.passwordKey(key);
      else this.lineKey(key);
    }
    // While a command runs its echo waits to go out with its output and prompt: one write, so a
    // client reading up to the prompt never sees the output without it (Netmiko stops at the
    // hostname otherwise, and `show version` names the host before the end).
    if (this.input !== 'busy') this.flush();
  }

  private lineKey(key: Key): void {
    switch (key.kind) {
      case 'char':
        if (key.char === ' ' && this.cli.state.completeOnSpace) this.complete(false);
        this.line += key.char;
        this.out(key.char);
        return;
      case 'tab':
        this.complete(true);
        return;
      case 'backspace':
        if (this.line.length === 0) return;
        this.line = this.line.slice(0, -1);
        this.out('\b \b');
        return;
      case 'control':
        if (key.letter === 'U') {
          this.out('\b \b'.repeat(this.line.length));
          this.line = '';
          return;
        }
        // Ctrl-C abandons the line; Ctrl-Z also leaves configuration mode (IOS `end`).
        this.out(key.letter === 'Z' ? '^Z\r\n' : '^C\r\n');
        this.line = '';
        if (key.letter === 'Z' && this.cli.state.mode === 'config' && this.device.profile.dialect === 'ios') this.run('end', false);
        else this.prompt();
        return;
      case 'enter': {
        this.out('\r\n');
        const line = this.line;
        this.line = '';
        this.run(line, true);
        return;
      }
    }
  }

  /** Completes the last word if exactly one keyword fits (Tab everywhere, space on Junos). */
  private complete(addSpace: boolean): void {
    const words = this.line.split(/\s+/);
    const partial = words.pop() ?? '';
    if (partial === '' || /\s$/.test(this.line)) return;
    const full = this.device.commandTrees()[this.cli.state.mode].complete(words.filter((w) => w !== ''), partial);
    if (full === undefined) return;
    const rest = full.slice(partial.length) + (addSpace ? ' ' : '');
    this.line += rest;
    this.out(rest);
  }

  private passwordKey(key: Key): void {
    if (key.kind === 'char') this.line += key.char;
    else if (key.kind === 'backspace') this.line = this.line.slice(0, -1);
    else if (key.kind === 'enter') {
      const secret = this.line;
      this.line = '';
      this.out('\r\n');
      this.checkSecret(secret);
    }
  }

  private checkSecret(secret: string): void {
    const enable = this.device.profile.enable;
    if (secret === this.device.enableSecret) {
      this.cli.state.mode = 'enable';
      this.prompt();
      return;
    }
    this.enableTries += 1;
    if (!enable || this.enableTries >= enable.attempts) {
      this.out(crlf(enable?.failure ?? ''));
      this.prompt();
      return;
    }
    this.out(enable.passwordPrompt);
    this.input = 'password';
  }

  // ---- output -----------------------------------------------------------------------------------

  /** Runs a line and, once its output is out, prompts and reads on. */
  private run(line: string, countIt: boolean): void {
    this.input = 'busy';
    if (countIt && line.trim() !== '') this.options.onCommand?.();
    const column = this.promptText().split('\n').pop()!.length;
    const response = this.cli.execute(line, column);
    this.deliver(response, true, line).then(
      () => this.afterResponse(response, line),
      (err: unknown) => {
        if (err instanceof Dropped) return;
        // A bug in the emulator: end this session like a crashed device, keep the others going.
        this.options.onError?.(err);
        this.input = 'dead';
        this.transport.drop();
      },
    );
  }

  private afterResponse(response: Response, line: string): void {
    if (this.input === 'dead') return;
    if (response.after === 'close') {
      this.flush();
      this.input = 'dead';
      this.transport.close(0);
      return;
    }
    if (response.after === 'password' && this.device.profile.enable) {
      this.enableTries = 0;
      this.out(this.device.profile.enable.passwordPrompt);
      this.input = 'password';
    } else {
      if (this.device.profile.blankLineBeforePrompt && line.trim() !== '') this.out('\r\n');
      this.prompt();
    }
    this.pump();
  }

  /** Writes a response through the device's latency and faults, paging when interactive. */
  private async deliver(response: Response, interactive: boolean, line: string): Promise<void> {
    const faults = this.device.faults;
    const command = response.command;
    if (line.trim() !== '' && this.device.latencyMs > 0) {
      this.flush();
      await sleep(this.device.latencyMs);
      if (this.input === 'dead') return;
    }
    if (command !== undefined && faults?.take('stall', command)) {
      this.flush();
      await forever();
    }
    if (response.body === '') return;
    const body = crlf(response.body);
    const slow = command !== undefined ? faults?.take('slow', command) : undefined;
    const drop = command !== undefined ? faults?.take('drop', command) : undefined;
    const shaping: Shaping = {
      dropAfter: drop ? (drop.afterBytes ?? Math.floor(body.length / 2)) : undefined,
      slow,
      sent: 0,
    };
    const pageLength = this.cli.state.pageLength;
    if (!interactive || !response.pageable || pageLength <= 1) {
      await this.emit(body, shaping);
      return;
    }
    await this.page(body, pageLength - 1, shaping);
  }

  /** Shows `perPage` lines, then the pager prompt; space: a page more, Enter: a line, else stop. */
  private async page(body: string, perPage: number, shaping: Shaping): Promise<void> {
    const lines = body.split(/(?<=\r\n)/);
    const pager = this.device.profile.pager;
    let shown = 0;
    let next = perPage;
    while (shown < lines.length) {
      const end = Math.min(lines.length, shown + next);
      await this.emit(lines.slice(shown, end).join(''), shaping);
      shown = end;
      if (shown >= lines.length) return;
      const more = pager.prompt(Math.floor((shown * 100) / lines.length));
      this.out(more);
      const key = await this.waitKey();
      this.out(pager.erase(more));
      if (key.kind === 'char' && key.char === ' ') next = perPage;
      else if (key.kind === 'enter') next = 1;
      else return;
    }
  }

  private waitKey(): Promise<Key> {
    return new Promise<Key>((resolve) => {
      this.pagerWaiter = resolve;
      this.input = 'pager';
      this.pump();
    });
  }

  private async emit(text: string, shaping: Shaping): Promise<void> {
    if (this.input === 'dead') throw new Dropped();
    let chunk = text;
    let dropping = false;
    if (shaping.dropAfter !== undefined && shaping.sent + chunk.length >= shaping.dropAfter) {
      chunk = chunk.slice(0, Math.max(0, shaping.dropAfter - shaping.sent));
      dropping = true;
    }
    if (shaping.slow) {
      const { bytesPerChunk, intervalMs } = shaping.slow;
      for (let i = 0; i < chunk.length; i += bytesPerChunk) {
        this.out(chunk.slice(i, i + bytesPerChunk));
        this.flush();
        await sleep(intervalMs);
        if (this.closed) throw new Dropped();
      }
    } else this.out(chunk);
    shaping.sent += chunk.length;
    if (dropping) {
      this.flush();
      this.input = 'dead';
      this.transport.drop();
      throw new Dropped();
    }
  }

  private promptText(): string {
    const s = this.cli.state;
    return this.device.profile.prompt({ hostname: this.device.hostname, username: s.username, mode: s.mode, configPath: s.configPath });
  }

  private prompt(): void {
    this.out(crlf(this.promptText()));
    this.input = 'line';
  }

  private out(text: string): void {
    if (this.input !== 'dead') this.pending += text;
  }

  private flush(): void {
    if (this.pending === '' || this.input === 'dead') return;
    const text = this.pending;
    this.pending = '';
    this.transport.write(text);
  }
}

interface Shaping {
  dropAfter: number | undefined;
  slow: { bytesPerChunk: number; intervalMs: number } | undefined;
  sent: number;
}
