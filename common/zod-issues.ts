/**
 * The one way a schema's complaint becomes a line for people: "path.to.field: what is wrong", joined
 * with "; ", at most `maxIssues` of them (and how many more), bounded in length. The path of the
 * whole value is shown as `(<root>)`, e.g. "(payload)" or "(request)".
 */
export type Issue = { path: ReadonlyArray<PropertyKey>; message: string };

export function formatIssues(issues: ReadonlyArray<Issue>, options: { root?: string; maxIssues?: number; maxChars?: number } = {}): string {
  const { root = 'value', maxIssues = 5, maxChars = 500 } = options;
  const shown = issues.slice(0, maxIssues).map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : `(${root})`}: ${i.message}`);
  const more = issues.length > maxIssues ? ` (+${issues.length - maxIssues} more)` : '';
  const text = shown.join('; ') + more;
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
