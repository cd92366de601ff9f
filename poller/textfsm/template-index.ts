/**
 * The template index of ntc-templates (TextFSM's CliTable format): which template(s) parse the
 * output of which command on which platform.
 *
 * Format, as CliTable reads it (and ntc-templates relies on):
 * - the header is the first line that is not empty once anything from `#` on is removed; its
 *   comma-separated, trimmed fields name the columns (`Template, Hostname, Platform, Command`);
 * - after it, lines that start with `#` are comments, and a line whose field count differs from the
 *   header's is dropped silently — that is how blank lines between platforms are skipped (and why a
 *   comma inside a command regex would lose the row);
 * - every column but `Template` is a Python regex, tried with `re.match` (anchored at the start only,
 *   so `show version` also matches `show versions` unless the row ends in `$`);
 * - in `Command`, `abc[[xyz]]` is completion: `abc(x(y(z)?)?)?`, so abbreviations match;
 * - `Template` may list several templates separated by `:`; their tables are joined on Key values;
 * - rows are tried in file order and the first that matches every attribute given wins; a column the
 *   caller gives no attribute for (ntc's `Hostname`) is not tested, nor is an empty cell.
 */
import { TextFsmIndexError, TextFsmNoTemplateError } from './errors';
import { PyRegex } from './py-regex';
import { PyRegexError } from './regex-translate';

export interface IndexRow {
  /** 1-based line of the index file. */
  readonly line: number;
  /** Template file names, in order (the first gives the rows, the others add columns). */
  readonly templates: readonly string[];
  /** Cells as written, by column name (Command before completion expansion). */
  readonly cells: Readonly<Record<string, string>>;
}

/** The template(s) a lookup found, with the index row that chose them. */
export interface TemplateMatch {
  readonly templates: readonly string[];
  readonly row: IndexRow;
}

const TEMPLATE_COLUMN = 'Template';
const COMMAND_COLUMN = 'Command';
const COMPLETION = /\[\[(.+?)\]\]/g;

/**
 * `[[xyz]]` → `(x(y(z)?)?)?`. The characters go in raw, as CliTable does: completion is meant for plain
 * words, and a regex character inside it keeps its regex meaning.
 */
export function expandCompletion(command: string): string {
  return command.replace(COMPLETION, (_all, word: string) => {
    const chars = [...word];
    return `(${chars.join('(')}${')?'.repeat(chars.length)}`;
  });
}

interface CompiledRow {
  readonly row: IndexRow;
  /** Column → compiled cell; a column missing here (empty cell, Template) is not tested. */
  readonly matchers: ReadonlyMap<string, PyRegex>;
}

export class TemplateIndex {
  readonly header: readonly string[];
  readonly rows: readonly IndexRow[];
  private readonly compiled: readonly CompiledRow[];

  private constructor(header: readonly string[], compiled: readonly CompiledRow[]) {
    this.header = header;
    this.compiled = compiled;
    this.rows = compiled.map((c) => c.row);
  }

  /** Parse index text. Throws TextFsmIndexError for a missing header or an invalid regex cell. */
  static parse(text: string): TemplateIndex {
    const lines = text.split(/\r\n|\r|\n/);
    let n = 0;
    let header: string[] | undefined;
    for (; n < lines.length; n++) {
      const content = lines[n]!.split('#')[0]!.trim();
      if (content !== '') {
        header = content.split(',').map((h) => h.trim());
        n++;
        break;
      }
    }
    if (header === undefined) throw new TextFsmIndexError('index has no header line', 0);
    if (new Set(header).size !== header.length) throw new TextFsmIndexError(`duplicate column in index header ${JSON.stringify(header)}`, n);
    if (!header.includes(TEMPLATE_COLUMN)) throw new TextFsmIndexError(`index header has no '${TEMPLATE_COLUMN}' column`, n);
    const compiled: CompiledRow[] = [];
    for (; n < lines.length; n++) {
      const line = lines[n]!;
      if (line.startsWith('#')) continue;
      const fields = line.split(',').map((f) => f.trim());
      if (fields.length !== header.length) continue;
      const cells: Record<string, string> = {};
      header.forEach((h, i) => {
        cells[h] = fields[i]!;
      });
      const matchers = new Map<string, PyRegex>();
      for (const column of header) {
        const cell = cells[column]!;
        if (column === TEMPLATE_COLUMN || cell === '') continue;
        const source = column === COMMAND_COLUMN ? expandCompletion(cell) : cell;
        try {
          matchers.set(column, new PyRegex(source));
        } catch (err) {
          if (err instanceof PyRegexError) throw new TextFsmIndexError(`invalid ${column} regex ${JSON.stringify(cell)}: ${err.message}`, n + 1);
          throw err;
        }
      }
      const templates = cells[TEMPLATE_COLUMN]!.split(':');
      compiled.push({ row: { line: n + 1, templates, cells }, matchers });
    }
    return new TemplateIndex(header, compiled);
  }

  /** The first row matching every attribute (column name → value), or undefined. */
  match(attributes: Readonly<Record<string, string>>): TemplateMatch | undefined {
    // As CliTable: asking with no attributes at all finds nothing rather than the first row.
    if (Object.keys(attributes).length === 0) return undefined;
    for (const { row, matchers } of this.compiled) {
      let ok = true;
      for (const [column, value] of Object.entries(attributes)) {
        const matcher = matchers.get(column);
        if (matcher !== undefined && matcher.exec(value) === null) {
          ok = false;
          break;
        }
      }
      if (ok) return { templates: row.templates, row };
    }
    return undefined;
  }

  /** ntc-templates' lookup: the template(s) for a platform (`cisco_ios`) and a command as typed. */
  findTemplate(platform: string, command: string): TemplateMatch {
    const attributes = { Platform: platform, Command: command };
    const found = this.match(attributes);
    if (found === undefined) throw new TextFsmNoTemplateError(attributes);
    return found;
  }
}
