/**
 * A CLI session without SSH: what the device writes is collected as text, keys go straight in. For
 * tests of the command language (abbreviations, errors, modes) that need no sockets.
 */
import { CliSession, type SessionOptions } from '../cli-session';
import type { EmulatedDevice } from '../emulated-device';

export class FakeTerminal {
  readonly session: CliSession;
  text = '';
  exitCode: number | undefined;
  dropped = false;
  private waiters: Array<() => void> = [];

  constructor(device: EmulatedDevice, options: Partial<SessionOptions> = {}) {
    this.session = new CliSession(
      device,
      {
        write: (t) => this.arrived(t),
        close: (code) => {
          this.exitCode = code;
          this.arrived('');
        },
        drop: () => {
          this.dropped = true;
          this.arrived('');
        },
      },
      { username: 'admin', privilege: 1, from: '192.0.2.1', ...options },
    );
  }

  get ended(): boolean {
    return this.exitCode !== undefined || this.dropped;
  }

  /** Types `line` and Enter; resolves with what the device wrote up to `until` (its prompt). */
  async command(line: string, until: RegExp | string, timeoutMs = 10_000): Promise<string> {
    const from = this.text.length;
    this.session.receive(`${line}\r`);
    return this.waitFor(until, from, timeoutMs);
  }

  /** The text written since `from` up to the first `pattern` after it. */
  async waitFor(pattern: RegExp | string, from = 0, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(from);
      const at = typeof pattern === 'string' ? (rest.includes(pattern) ? { i: rest.indexOf(pattern), n: pattern.length } : undefined) : matchAt(rest, pattern);
      if (at) return rest.slice(0, at.i + at.n);
      if (this.ended) throw new Error(`session ended before ${String(pattern)}: ${JSON.stringify(rest)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}: ${JSON.stringify(rest)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private arrived(t: string): void {
    this.text += t;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function matchAt(text: string, re: RegExp): { i: number; n: number } | undefined {
  const m = re.exec(text);
  return m ? { i: m.index, n: m[0].length } : undefined;
}
