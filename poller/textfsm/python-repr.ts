/**
 * Python's `str()` of the values a List can hold, which CliTable (and so ntc-templates'
 * `parse_output`) applies to every list item: a missing item becomes "None", a nested-group item the
 * text of a Python dict (`{'a': '1', 'b': None}`). Plain TextFSM keeps the values themselves.
 */

/** Characters `str.isprintable()` rejects (other than the space itself), which repr escapes. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr()` of a str. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's `str()` of a list item: text as is, None as "None", a dict as Python prints it. */
export function pyStrItem(item: string | null | Readonly<Record<string, string | null>>): string {
  if (item === null) return 'None';
  if (typeof item === 'string') return item;
  const entries = Object.entries(item).map(([k, v]) => `${pyReprString(k)}: ${v === null ? 'None' : pyReprString(v)}`);
  return `{${entries.join(', ')}}`;
}
