/**
 * Collects one command's answer from the shell's byte stream: waits for the echo of the command,
 * then gathers output until the device's prompt is the last line, asking for a key press at each
 * pager prompt, and stops at a byte cap. Pure: the session feeds it text and acts on its verdicts.
 *
 * Why wait for the echo: whatever arrived before it belongs to earlier input (a prompt answering an
 * extra Enter, a late log line). Counting output from the echo on keeps one command's prompt from
 * ending the next one, which would shift every later answer by one command.
 */
import { lastLine, isPagerLine, MAX_PROMPT_LENGTH, type PromptMatcher } from './prompt';

export type CollectStatus = 'more' | 'pager' | 'done' | 'too_large';

export interface CollectorOptions {
  command: string;
  prompt: PromptMatcher;
  maxBytes: number;
}

/** Before the echo, at most this much text is kept (older text is not output anyway). */
const MAX_PRE_ECHO_CHARS = 64 * 1024;
const TAIL_CHARS = 4 * MAX_PROMPT_LENGTH;

/** A line as it looks on screen: CRs dropped, backspaces applied, blanks collapsed. */
export function screenText(line: string): string {
  return applyBackspaces(line.replace(/\r/g, '')).replace(/\s+/g, ' ').trim();
}

/** Each backspace removes the character before it on the same line. */
export function applyBackspaces(text: string): string {
  if (!text.includes('\b')) return text;
  const out: string[] = [];
  for (const c of text) {
    if (c === '\b') {
      if (out.length > 0 && out[out.length - 1] !== '\n') out.pop();
    } else out.push(c);
  }
  return out.join('');
}

export class OutputCollector {
  private readonly wanted: string;
  private head = '';
  /** Where the next complete line of `head` starts (lines before it were checked for the echo). */
  private scanFrom = 0;
  private echoSeen = false;
  private readonly chunks: string[] = [];
  private tail = '';
  private bytes = 0;
  private pageCount = 0;
  private finished: CollectStatus | undefined;

  constructor(private readonly options: CollectorOptions) {
    this.wanted = screenText(options.command);
  }

  get pages(): number {
    return this.pageCount;
  }

  get receivedBytes(): number {
    return this.bytes;
  }

  get sawEcho(): boolean {
    return this.echoSeen;
  }

  /** Feeds text (`bytes` long on the wire); says whether the answer is complete. */
  push(text: string, bytes: number): CollectStatus {
    if (this.finished !== undefined) return this.finished;
    this.bytes += bytes;
    if (this.bytes > this.options.maxBytes) return (this.finished = 'too_large');
    if (!this.echoSeen) {
      const rest = this.findEcho(text);
      if (rest === undefined) return 'more';
      text = rest;
    }
    if (text === '' && this.chunks.length > 0) return 'more';
    this.chunks.push(text);
    this.tail = (this.tail + text).slice(-TAIL_CHARS);
    const line = lastLine(this.tail);
    // The last line is the prompt only if a line break precedes it within the body (or the body
    // is just the prompt, right after the echo's line break).
    if (this.options.prompt.matches(line)) return (this.finished = 'done');
    if (isPagerLine(line)) {
      this.pageCount += 1;
      return 'pager';
    }
    return 'more';
  }

  /** The output between the echo line and the prompt, as received (CR LF, pager remnants and all). */
  body(): string {
    const full = this.chunks.join('');
    const at = full.lastIndexOf('\n');
    return at < 0 ? '' : full.slice(0, at + 1);
  }

  /** Appends to the pre-echo text; once a complete line ends with the command, returns what follows it. */
  private findEcho(text: string): string | undefined {
    this.head += text;
    for (;;) {
      const nl = this.head.indexOf('\n', this.scanFrom);
      if (nl < 0) break;
      const line = this.head.slice(this.scanFrom, nl);
      this.scanFrom = nl + 1;
      const shown = screenText(line);
      // endsWith, not equality: a stray prompt may precede the echo on its line (`host#show version`).
      if (shown.endsWith(this.wanted)) {
        this.echoSeen = true;
        const rest = this.head.slice(nl + 1);
        this.head = '';
        return rest;
      }
    }
    if (this.head.length > MAX_PRE_ECHO_CHARS) {
      const drop = this.head.length - MAX_PRE_ECHO_CHARS;
      this.head = this.head.slice(drop);
      this.scanFrom = Math.max(0, this.scanFrom - drop);
    }
    return undefined;
  }
}
