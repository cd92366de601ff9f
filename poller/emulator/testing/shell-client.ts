/**
 * An SSH client for driving emulated devices from tests and benches: connect, open a shell (pty) or
 * run an exec command, and wait for text to appear. Waits are for outcomes (a prompt, a pager
 * prompt, the connection closing) with a generous deadline, never for a length of time.
 */
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

export interface ConnectOptions {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  /** Default 20 s: shared CI machines are slow. */
  timeoutMs?: number;
}

export function connect(options: ConnectOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const config: ConnectConfig = {
      host: options.host,
      port: options.port,
      username: options.username,
      readyTimeout: options.timeoutMs ?? 20_000,
      // Only what the test gives; no agent, no keyboard-interactive fallback surprises.
      tryKeyboard: false,
    };
    if (options.password !== undefined) config.password = options.password;
    if (options.privateKey !== undefined) config.privateKey = options.privateKey;
    client.once('ready', () => resolve(client));
    // Errors after login (a dropped connection, the emulator stopping) end the client; the session
    // sees the close. Without a listener Node would throw them.
    client.on('error', (err) => reject(err));
    client.connect(config);
  });
}

export class ShellSession {
  /** Everything received so far. */
  text = '';
  closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly client: Client,
    readonly channel: ClientChannel,
  ) {
    channel.on('data', (d: Buffer) => this.arrived(d.toString('utf8')));
    channel.stderr.on('data', (d: Buffer) => this.arrived(d.toString('utf8')));
    const onClose = (): void => {
      this.closed = true;
      this.wake();
    };
    channel.on('close', onClose);
    client.on('close', onClose);
    client.on('error', onClose);
  }

  static async open(client: Client, pty = true): Promise<ShellSession> {
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell(pty ? { term: 'vt100', rows: 24, cols: 200 } : false, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    return new ShellSession(client, channel);
  }

  send(text: string): void {
    this.channel.write(text);
  }

  /**
   * Resolves with the text received from `from` up to and including the first match of `pattern`
   * (searched from `from`); rejects with what arrived if the deadline or the end of the connection
   * comes first.
   */
  async waitFor(pattern: RegExp | string, from = 0, timeoutMs = 20_000): Promise<{ text: string; end: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(from);
      const m = typeof pattern === 'string' ? indexMatch(rest, pattern) : pattern.exec(rest);
      if (m) {
        const end = from + m.index + m[0].length;
        return { text: this.text.slice(from, end), end };
      }
      if (this.closed) throw new Error(`connection closed before ${String(pattern)}; got ${JSON.stringify(rest.slice(-500))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(rest.slice(-500))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(() => done());
      });
    }
  }

  /** Sends `line` + Enter and waits for `prompt` after it; returns what came between (echo included). */
  async command(line: string, prompt: RegExp | string, timeoutMs?: number): Promise<string> {
    const from = this.text.length;
    this.send(`${line}\n`);
    return (await this.waitFor(prompt, from + 0, timeoutMs)).text;
  }

  async waitClosed(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the connection to close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  end(): void {
    this.client.end();
  }

  private arrived(chunk: string): void {
    this.text += chunk;
    this.wake();
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }
}

function indexMatch(text: string, needle: string): { index: number; 0: string } | null {
  const i = text.indexOf(needle);
  return i < 0 ? null : { index: i, 0: needle };
}

/** Runs one command on the exec channel; resolves with its output and exit code. */
export function execCommand(client: Client, command: string): Promise<{ output: string; code: number | undefined }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      let output = '';
      let code: number | undefined;
      channel.on('data', (d: Buffer) => (output += d.toString('utf8')));
      channel.on('exit', (c: number | null) => (code = c ?? undefined));
      channel.on('close', () => resolve({ output, code }));
    });
  });
}
