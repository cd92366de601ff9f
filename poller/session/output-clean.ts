/**
 * Turns a collected body into the command's output: pager prompts and their erasers removed,
 * backspaces applied, line ends as LF, and (Junos) the blank line the device puts before its prompt
 * dropped. Then checks whether the device refused the command. Pure.
 */
import { applyBackspaces } from './output-collector';
import type { PlatformCli } from './platforms';
import { PAGER_WITH_ERASER } from './prompt';

export function cleanOutput(body: string, cli: PlatformCli, pagerSeen: boolean): string {
  // Only when a pager was actually met: an output may legitimately contain the word "--More--".
  let text = pagerSeen ? body.replace(PAGER_WITH_ERASER, '') : body;
  text = applyBackspaces(text).replace(/\r+\n/g, '\n');
  if (cli.blankLineBeforePrompt) {
    if (text === '\n') return '';
    if (text.endsWith('\n\n')) text = text.slice(0, -1);
  }
  return text;
}

/** How many leading lines may hold the refusal (IOS puts a caret line first). */
const REJECTION_LINES = 4;

/** The device's refusal line, if the output is one (`% Invalid input detected at '^' marker.`). */
export function rejectionOf(output: string, cli: PlatformCli): string | undefined {
  const lines = output.split('\n', REJECTION_LINES + 1).slice(0, REJECTION_LINES);
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (cli.rejection.test(trimmed)) return trimmed;
  }
  return undefined;
}
