/**
 * The TextFSM state machine: feeds input lines through a compiled Template and collects records.
 *
 * Semantics follow Google's TextFSM, including the corners templates depend on:
 * - the rules of the current state are tried in order; the first whose regex matches at the start of
 *   the line sets the Values of its named groups (a group that did not take part sets the Value to
 *   empty), then its record action runs, then its line action: `Next` (the default) takes the next
 *   line and may change state, `Continue` goes on with the following rules on the same line, and
 *   `Error` stops the parse;
 * - `Record` writes the current row unless every Value is empty, or a `Required` Value is empty (then
 *   the row is dropped and cleared); afterwards Values are cleared except `Filldown` ones;
 * - reaching `End` stops without a final record; reaching `EOF`, or the end of the input, makes a
 *   last `Record` unless the template declares an (empty) `EOF` state;
 * - `Fillup` copies a new value upwards into earlier rows until one that has it;
 * - `List` values accumulate; with nested groups each item becomes a dictionary of them.
 *
 * Work is bounded: the input size, line count and line length are capped before any matching, and
 * each line costs at most one regex test per rule of the current state (a state change needs a new
 * line). What remains is each regex's own backtracking on one line, which the line-length cap bounds.
 */
import { TextFsmLimitError, TextFsmParseError } from './errors';
import { isFastInput } from './py-regex';
import { splitLines } from './python-text';
import { END_STATE, EOF_STATE, type State, type Template, type ValueDefinition } from './template-parser';

/** One item of a List value: the matched text, or a dictionary of its nested named groups. */
export type ListItem = string | null | Readonly<Record<string, string | null>>;
/** A Value in a record: text (empty when unset) or, for List values, the list. */
export type FsmValue = string | readonly ListItem[];
export type FsmRow = FsmValue[];

export interface ParseOptions {
  /** Refuse input larger than this many UTF-8 bytes (default 8 MiB). */
  maxInputBytes?: number;
  /** Refuse input with more lines than this (default 500,000). */
  maxLines?: number;
  /** Refuse input with a line longer than this many characters (default 64 KiB). */
  maxLineLength?: number;
  /** Stop with an error once a parse would produce more records than this (default 100,000). */
  maxRows?: number;
  /** Apply the end-of-input record (default true); false to parse a stream in parts. */
  eof?: boolean;
}

export const DEFAULT_LIMITS = {
  maxInputBytes: 8 * 1024 * 1024,
  maxLines: 500_000,
  maxLineLength: 64 * 1024,
  maxRows: 100_000,
} as const;

/** Thrown by Required when it vetoes a record (TextFSM's SkipRecord). */
const SKIP_RECORD = Symbol('skip record');

/** The run-time state of one Value; the option hooks mirror TextFSM's per-option callbacks. */
class ValueSlot {
  /** Current value: undefined = Python's None. After OnSaveRecord of a List, the list itself. */
  value: string | undefined | ListItem[] = undefined;
  /** Filldown: the last assigned value, restored on Clear. */
  private filldown: string | undefined = undefined;
  /** List: the items collected so far. */
  private items: ListItem[] = [];
  private readonly isFilldown: boolean;
  private readonly isList: boolean;

  constructor(
    readonly def: ValueDefinition,
    private readonly index: number,
  ) {
    this.isFilldown = def.options.includes('Filldown');
    this.isList = def.options.includes('List');
  }

  assign(v: string | undefined, results: FsmRow[]): void {
    this.value = v;
    for (const option of this.def.options) {
      switch (option) {
        case 'Filldown':
          this.filldown = v;
          break;
        case 'Fillup':
          // Copy upwards until a row that already has this column.
          if (v) {
            for (let r = results.length - 1; r >= 0; r--) {
              const row = results[r]!;
              if (truthy(row[this.index]!)) break;
              row[this.index] = v;
            }
          }
          break;
        case 'List':
          this.items.push(this.listItem(v));
          break;
        default:
          break;
      }
    }
  }

  private listItem(v: string | undefined): ListItem {
    const nested = this.def.nested;
    if (v === undefined) return null;
    if (nested === undefined) return v;
    const m = nested.exec(v);
    if (m === null || nested.named.length === 0) return v;
    const item: Record<string, string | null> = {};
    for (const g of nested.named) item[g.name] = m[g.jsIndex] ?? null;
    return item;
  }

  /** OnSaveRecord hooks, in declaration order (so `Required,List` and `List,Required` differ). */
  save(): void {
    for (const option of this.def.options) {
      if (option === 'Required') {
        if (!truthy(this.value)) throw SKIP_RECORD;
      } else if (option === 'List') {
        this.value = [...this.items];
      }
    }
  }

  clear(): void {
    this.value = undefined;
    if (this.isFilldown) this.value = this.filldown;
    if (this.isList && !this.isFilldown) this.items = [];
  }

  clearAll(): void {
    this.value = undefined;
    this.filldown = undefined;
    this.items = [];
  }
}

/** Python truthiness of a value: '' and [] and None are false. */
function truthy(v: string | undefined | readonly ListItem[]): boolean {
  return v !== undefined && v.length > 0;
}

function checkInput(text: string, options: ParseOptions): string[] {
  const maxBytes = options.maxInputBytes ?? DEFAULT_LIMITS.maxInputBytes;
  // UTF-8 takes at most three bytes per UTF-16 unit, so short text needs no measuring.
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) throw new TextFsmLimitError('maxInputBytes', bytes, maxBytes);
  }
  const lines = splitLines(text);
  const maxLines = options.maxLines ?? DEFAULT_LIMITS.maxLines;
  if (lines.length > maxLines) throw new TextFsmLimitError('maxLines', lines.length, maxLines);
  const maxLength = options.maxLineLength ?? DEFAULT_LIMITS.maxLineLength;
  for (const line of lines) {
    if (line.length > maxLength) throw new TextFsmLimitError('maxLineLength', line.length, maxLength);
  }
  return lines;
}

/** Run the template over the text: one row per record, columns in `template.header` order. */
export function parseRows(template: Template, text: string, options: ParseOptions = {}): FsmRow[] {
  const lines = checkInput(text, options);
  const slots = template.values.map((def, i) => new ValueSlot(def, i));
  const results: FsmRow[] = [];
  const maxRows = options.maxRows ?? DEFAULT_LIMITS.maxRows;

  const clearRecord = (): void => {
    for (const s of slots) s.clear();
  };
  const appendRecord = (): void => {
    if (slots.length === 0) return;
    const row: Array<string | undefined | ListItem[]> = [];
    for (const s of slots) {
      try {
        s.save();
      } catch (err) {
        if (err === SKIP_RECORD) {
          clearRecord();
          return;
        }
        throw err;
      }
      row.push(s.value);
    }
    // A row with nothing in it is not written (and, as in TextFSM, not cleared either).
    if (row.every((v) => v === undefined || (Array.isArray(v) && v.length === 0))) return;
    if (results.length >= maxRows) throw new TextFsmLimitError('maxRows', results.length + 1, maxRows);
    results.push(row.map((v) => (v === undefined ? '' : v)));
    clearRecord();
  };

  let state: State = template.states.get('Start')!;
  let stateName = state.name;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const fast = isFastInput(line);
    for (const rule of state.rules) {
      const m = rule.regex.exec(line, fast);
      if (m === null) continue;
      for (const a of rule.assignments) slots[a.value]!.assign(m[a.jsIndex], results);
      switch (rule.recordAction) {
        case 'Record':
          appendRecord();
          break;
        case 'Clear':
          clearRecord();
          break;
        case 'Clearall':
          for (const s of slots) s.clearAll();
          break;
        default:
          break;
      }
      if (rule.lineAction === 'Error') {
        throw new TextFsmParseError({ state: stateName, inputLine: line, inputLineNumber: n + 1, ruleLine: rule.line, errorMessage: rule.errorMessage });
      }
      if (rule.lineAction === 'Continue') continue;
      if (rule.newState !== undefined) {
        stateName = rule.newState;
        const next = template.states.get(rule.newState);
        if (next !== undefined && stateName !== EOF_STATE) state = next;
      }
      break;
    }
    if (stateName === END_STATE || stateName === EOF_STATE) break;
  }
  if (stateName !== END_STATE && !template.hasEofState && options.eof !== false) appendRecord();
  return results;
}

/** A record keyed by Value name. */
export type FsmRecord = Record<string, FsmValue>;

/** Rows as records keyed by Value name; `lowercase` gives ntc-templates' key style. */
export function rowsToRecords(header: readonly string[], rows: readonly FsmRow[], lowercase: boolean): FsmRecord[] {
  const keys = header.map((h) => (lowercase ? h.toLowerCase() : h));
  return rows.map((row) => {
    const record: FsmRecord = {};
    keys.forEach((k, i) => {
      record[k] = row[i]!;
    });
    return record;
  });
}

/** Run the template over the text: one record per row, keyed by Value name as declared. */
export function parseText(template: Template, text: string, options: ParseOptions = {}): FsmRecord[] {
  return rowsToRecords(template.header, parseRows(template, text, options), false);
}
