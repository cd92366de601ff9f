/**
 * Prompts: what a prompt looks like before we know it, learning the device's own, and recognising it
 * (and its mode variants) at the end of an output. Pure functions over text.
 *
 * A prompt is always a whole last line: the device prints it after a line break and writes nothing
 * after it until we type. Checking only the last line of what has arrived, and only the whole line,
 * keeps an output line that merely contains `host#` from ending a command early. (A chunk boundary
 * that falls right after an output line equal to the prompt could still fool it; every
 * screen-scraper shares that limit.)
 */
import type { PlatformCli } from './platforms';

/** Longer lines are never prompts (and are not worth a regex). */
export const MAX_PROMPT_LENGTH = 160;

/** `host>`, `host#`, `host(config-if)#`, `host# ` (NX-OS): no blanks, one terminator, one optional trailing space. */
const IOS_SHAPE = /^[^\s>#()]+(?:\([^()\s]*\))?[>#] ?$/;
/** `user@host> `, `user@host# `, `user@host% ` (the shell). */
const JUNOS_SHAPE = /^[^\s@]+@[^\s>#%]+[>#%] ?$/;

/** The text after the last line break (CR or LF), i.e. the line the cursor is on. */
export function lastLine(text: string): string {
  const at = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return at < 0 ? text : text.slice(at + 1);
}

/** Whether `line` could be a prompt of this platform (before the device's prompt is known). */
export function looksLikePrompt(line: string, cli: PlatformCli): boolean {
  if (line.length === 0 || line.length > MAX_PROMPT_LENGTH) return false;
  return (cli.promptStyle === 'junos' ? JUNOS_SHAPE : IOS_SHAPE).test(line);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Recognises the learned prompt in any mode of the same device: IOS-style prompts may gain a
 * `(config…)` part and switch between `>` and `#`; Junos switches between `>`, `#` and `%`. The
 * host part must stay the same, so a different device's prompt never matches.
 */
export class PromptMatcher {
  readonly prompt: string;
  /** The prompt without its mode terminator: `core-01`, `admin@mx-01`. */
  readonly base: string;
  private readonly re: RegExp;

  constructor(prompt: string, cli: PlatformCli) {
    if (!looksLikePrompt(prompt, cli)) throw new RangeError(`not a ${cli.platform} prompt: ${JSON.stringify(prompt)}`);
    this.prompt = prompt;
    if (cli.promptStyle === 'junos') {
      this.base = prompt.replace(/[>#%] ?$/, '');
      this.re = new RegExp(`^${escape(this.base)}[>#%] ?$`);
    } else {
      this.base = prompt.replace(/(?:\([^()\s]*\))?[>#] ?$/, '');
      this.re = new RegExp(`^${escape(this.base)}(?:\\([^()\\s]*\\))?[>#] ?$`);
    }
  }

  /** Whether `line` (a whole line, without its line break) is this device's prompt. */
  matches(line: string): boolean {
    return line.length <= MAX_PROMPT_LENGTH && this.re.test(line);
  }
}

/** The pagers of IOS/NX-OS/EOS (` --More-- `), Junos (`---(more 45%)---`) and a few other common ones. */
const PAGER = /^\s*(?:-- ?More ?--|---\(more(?: \d{1,3}%)?\)---|<--- More --->|More: <space>.*)\s*$/i;

export function isPagerLine(line: string): boolean {
  return line.length <= MAX_PROMPT_LENGTH && PAGER.test(line);
}

/** A pager prompt plus the sequence that wipes it (backspaces, or CR and blanks), for removal. */
export const PAGER_WITH_ERASER = / ?(?:-- ?More ?--|---\(more(?: \d{1,3}%)?\)---|<--- More --->) ?(?:\x08+ *\x08+|\r *\r)?/gi;

export type LearnStep = { kind: 'wait' } | { kind: 'send-newline' } | { kind: 'learned'; prompt: string } | { kind: 'failed'; reason: string };

/**
 * Learns the prompt from what the shell prints after login: the session types Enter at once (some
 * devices show no prompt before a key), and every time a prompt-shaped last line appears that is new,
 * types Enter again. The prompt is known when the same last line comes twice: a banner line that
 * happens to end in `#` or `>` never repeats, a prompt does. Extra prompts this leaves in the stream
 * (the answer to the last Enter) are harmless: a command's output starts only after its echo
 * (output-collector.ts).
 */
export class PromptLearner {
  private candidate: string | undefined;
  private tail = '';
  private sent = 1;

  constructor(
    private readonly cli: PlatformCli,
    /** Enter presses allowed after the first before giving up. */
    private readonly maxNewlines = 4,
  ) {}

  /** How many Enters were asked for so far (the first is sent by the caller when the shell opens). */
  get newlinesSent(): number {
    return this.sent;
  }

  push(text: string): LearnStep {
    if (text === '') return { kind: 'wait' };
    // Only the last line matters; keep a bounded tail so a huge banner costs nothing.
    this.tail = (this.tail + text).slice(-4 * MAX_PROMPT_LENGTH);
    const line = lastLine(this.tail);
    if (!looksLikePrompt(line, this.cli)) return { kind: 'wait' };
    if (line === this.candidate) return { kind: 'learned', prompt: line };
    this.candidate = line;
    if (this.sent >= this.maxNewlines) return { kind: 'failed', reason: `prompt never repeated after ${this.sent} Enter presses (last ${JSON.stringify(line)})` };
    this.sent += 1;
    return { kind: 'send-newline' };
  }

  /** For the error message when time runs out. */
  lastSeen(): string {
    return this.tail.slice(-MAX_PROMPT_LENGTH);
  }
}
