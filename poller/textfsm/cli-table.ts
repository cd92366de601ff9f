/**
 * Several templates over one output, joined into one table — what CliTable does for an index row that
 * names more than one template (`a.textfsm:b.textfsm`), e.g. ntc-templates' `cisco_ios show module`.
 *
 * The first template gives the rows. Each further template parses the same text and contributes only
 * the columns the table does not have yet: matched to a base row by equal Key values (the first
 * further row whose keys all agree), or, when no template declares a Key, row by row in order. A base
 * row nothing matched keeps '' in the new columns.
 */
import { parseRows, rowsToRecords, type FsmRecord, type FsmRow, type FsmValue, type ParseOptions } from './engine';
import { pyStrItem } from './python-repr';
import type { Template } from './template-parser';

export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly FsmRow[];
}

function sameValue(a: FsmValue, b: FsmValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Run each template over the text and join the results; throws what the engine throws. */
export function parseJoined(templates: readonly Template[], text: string, options: ParseOptions = {}): Table {
  if (templates.length === 0) throw new Error('parseJoined needs at least one template');
  const first = templates[0]!;
  const header = [...first.header];
  const rows = parseRows(first, text, options).map((r) => [...r]);
  // CliTable takes the join keys from the first template that has any, as the tables are parsed.
  let keys: readonly string[] = first.keys;
  for (const template of templates.slice(1)) {
    const more = parseRows(template, text, options);
    if (keys.length === 0) keys = template.keys;
    for (const k of keys) {
      if (!header.includes(k)) throw new Error(`join key '${k}' is not a column of the first template`);
    }
    const added = template.header.filter((h) => !header.includes(h));
    if (added.length === 0) continue;
    const from = added.map((h) => template.header.indexOf(h));
    const keyHere = keys.map((k) => header.indexOf(k));
    const keyThere = keys.map((k) => template.header.indexOf(k));
    header.push(...added);
    for (const row of rows) row.push(...added.map((): FsmValue => ''));
    const base = header.length - added.length;
    rows.forEach((row, r) => {
      const other = keys.length === 0 ? more[r] : more.find((m) => keyHere.every((h, i) => sameValue(row[h]!, m[keyThere[i]!]!)));
      if (other === undefined) return;
      from.forEach((col, i) => {
        row[base + i] = other[col]!;
      });
    });
  }
  return { header, rows };
}

/**
 * ntc-templates' result shape: one record per row, keys the lowercased Value names, and list items
 * turned to text as CliTable's rows do (`None` → "None"; see python-repr).
 */
export function tableToNtcRecords(table: Table): FsmRecord[] {
  const rows = table.rows.map((row) => row.map((v): FsmValue => (typeof v === 'string' ? v : v.map(pyStrItem))));
  return rowsToRecords(table.header, rows, true);
}
