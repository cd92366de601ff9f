/**
 * `${Name}` / `$Name` / `$$` in a rule, with the semantics of Python's `string.Template.substitute`,
 * which is what TextFSM uses: an identifier is ASCII letters, digits and `_` (not starting with a
 * digit), `$$` is a literal `$` (so a rule's end anchor is written `$$`), and any other `$` — including
 * one at the end of the rule — is an error rather than being passed through.
 */

export class SubstitutionError extends Error {
  override readonly name = 'SubstitutionError';
  constructor(
    message: string,
    /** Offset of the offending `$` in the rule text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const PLACEHOLDER = /\$(?:(\$)|([_A-Za-z][_A-Za-z0-9]*)|\{([_A-Za-z][_A-Za-z0-9]*)\}|())/g;

/** Replace placeholders with the regex each Value contributes (`(?P<Name>…)`). */
export function substituteValues(text: string, valueRegex: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (_all, escaped: string | undefined, named: string | undefined, braced: string | undefined, _invalid: string | undefined, offset: number) => {
    if (escaped !== undefined) return '$';
    const name = named ?? braced;
    if (name === undefined) throw new SubstitutionError(`invalid placeholder '$' at column ${offset + 1}`, offset);
    const regex = valueRegex.get(name);
    if (regex === undefined) throw new SubstitutionError(`unknown Value '${name}' at column ${offset + 1}`, offset);
    return regex;
  });
}

/** The Value names a rule refers to, in order (for tools that inspect templates). */
export function referencedValues(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[2] ?? m[3];
    if (name !== undefined) names.push(name);
  }
  return names;
}
