/**
 * The three ways a TextFSM run can fail. Each carries the facts a caller needs to act on it as fields,
 * and a message a person can read without the template open.
 */

/** The template text is not valid TextFSM (or its regex is not valid Python `re`). */
export class TextFsmTemplateError extends Error {
  override readonly name = 'TextFsmTemplateError';
  /** 1-based line of the template where the problem is; 0 when it concerns the whole template. */
  readonly line: number;
  /** The problem alone, without the line suffix. */
  readonly reason: string;

  constructor(reason: string, line: number) {
    super(line > 0 ? `${reason} (template line ${line})` : reason);
    this.reason = reason;
    this.line = line;
  }
}

/** A rule with the `Error` action matched: the template declares this input unparseable. */
export class TextFsmParseError extends Error {
  override readonly name = 'TextFsmParseError';
  /** The state whose rule raised the error. */
  readonly state: string;
  /** The input line that matched the rule, and its 1-based number in the input. */
  readonly inputLine: string;
  readonly inputLineNumber: number;
  /** The template line of the rule. */
  readonly ruleLine: number;
  /** The rule's message (`-> Error "message"`), without the quotes; undefined when it gave none. */
  readonly errorMessage: string | undefined;

  constructor(args: { state: string; inputLine: string; inputLineNumber: number; ruleLine: number; errorMessage: string | undefined }) {
    const what = args.errorMessage !== undefined ? `Error: ${args.errorMessage}` : 'State Error raised';
    super(`${what} (state ${args.state}, template line ${args.ruleLine}, input line ${args.inputLineNumber}: ${JSON.stringify(args.inputLine)})`);
    this.state = args.state;
    this.inputLine = args.inputLine;
    this.inputLineNumber = args.inputLineNumber;
    this.ruleLine = args.ruleLine;
    this.errorMessage = args.errorMessage;
  }
}

/** The input (or a template) is larger than the configured caps; nothing was parsed. */
export class TextFsmLimitError extends Error {
  override readonly name = 'TextFsmLimitError';
  readonly limit: 'maxInputBytes' | 'maxLines' | 'maxLineLength' | 'maxRows' | 'maxTemplateBytes';
  readonly actual: number;
  readonly allowed: number;

  constructor(limit: TextFsmLimitError['limit'], actual: number, allowed: number) {
    super(`TextFSM ${limit} exceeded: ${actual} > ${allowed}`);
    this.limit = limit;
    this.actual = actual;
    this.allowed = allowed;
  }
}

/** The template index (ntc-templates' `index` file) is malformed. */
export class TextFsmIndexError extends Error {
  override readonly name = 'TextFsmIndexError';
  /** 1-based line of the index file; 0 when it concerns the whole file. */
  readonly line: number;
  constructor(reason: string, line: number) {
    super(line > 0 ? `${reason} (index line ${line})` : reason);
    this.line = line;
  }
}

/** No row of the template index matches the platform and command asked for. */
export class TextFsmNoTemplateError extends Error {
  override readonly name = 'TextFsmNoTemplateError';
  readonly attributes: Readonly<Record<string, string>>;
  constructor(attributes: Readonly<Record<string, string>>) {
    super(`no template in the index for ${Object.entries(attributes).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`);
    this.attributes = attributes;
  }
}
