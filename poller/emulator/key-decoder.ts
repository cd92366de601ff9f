/**
 * Bytes typed into the shell → keys. Clients end lines differently (OpenSSH's pty sends CR, the ssh2
 * client and Netmiko LF, telnet-minded tools CR LF or CR NUL): each is one Enter. Escape sequences
 * (arrow keys) are swallowed whole. Keys are taken one at a time, so what a client types while
 * output is still being written stays queued until the device reads it, as type-ahead does.
 */

export type Key =
  | { kind: 'char'; char: string }
  | { kind: 'enter' }
  | { kind: 'backspace' }
  | { kind: 'tab' }
  /** Ctrl-C, Ctrl-U, Ctrl-Z as their letter. */
  | { kind: 'control'; letter: 'C' | 'U' | 'Z' };

export class KeyDecoder {
  private buffer = '';
  private at = 0;
  private afterCr = false;

  push(data: string): void {
    this.buffer = this.at < this.buffer.length ? this.buffer.slice(this.at) + data : data;
    this.at = 0;
  }

  get pending(): boolean {
    return this.at < this.buffer.length;
  }

  /** The next key, or undefined when the queue is empty (or holds only half an escape sequence). */
  next(): Key | undefined {
    while (this.at < this.buffer.length) {
      const c = this.buffer[this.at]!;
      const wasCr = this.afterCr;
      this.afterCr = false;
      if (c === '\x1b') {
        const len = escapeLength(this.buffer, this.at);
        if (len === 0) return undefined; // wait for the rest of the sequence
        this.at += len;
        continue;
      }
      this.at += 1;
      if ((c === '\n' || c === '\0') && wasCr) continue;
      if (c === '\r' || c === '\n') {
        this.afterCr = c === '\r';
        return { kind: 'enter' };
      }
      if (c === '\x7f' || c === '\b') return { kind: 'backspace' };
      if (c === '\t') return { kind: 'tab' };
      if (c === '\x03') return { kind: 'control', letter: 'C' };
      if (c === '\x15') return { kind: 'control', letter: 'U' };
      if (c === '\x1a') return { kind: 'control', letter: 'Z' };
      if (c < ' ') continue; // other control characters do nothing at a device prompt
      return { kind: 'char', char: c };
    }
    return undefined;
  }
}

/** Length of the escape sequence at `at` (ESC [ params final, or ESC x); 0 when it is cut short. */
function escapeLength(s: string, at: number): number {
  if (at + 1 >= s.length) return 0;
  if (s[at + 1] !== '[' && s[at + 1] !== 'O') return 2;
  for (let i = at + 2; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0x40 && code <= 0x7e) return i - at + 1;
  }
  return 0;
}
