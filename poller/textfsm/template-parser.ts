/**
 * TextFSM template text → a compiled, immutable Template.
 *
 * The grammar and its error cases follow Google's TextFSM: a block of `Value` lines ended by the first
 * blank line, then states separated by blank lines, each a name on its own line followed by rules
 * indented by one or two spaces or a tab and starting with `^`. Every deviation a template could rely
 * on — a rule indented three spaces, a trailing space before `->` that becomes part of the regex, a
 * bare `$` — behaves as it does there, because templates are shared with Python users.
 */
import { TextFsmLimitError, TextFsmTemplateError } from './errors';
import { PyRegex } from './py-regex';
import { PyRegexError } from './regex-translate';
import { pyRstrip, pyStrip } from './python-text';
import { substituteValues, SubstitutionError } from './value-substitute';

export const VALUE_OPTIONS = ['Filldown', 'Fillup', 'Key', 'List', 'Required'] as const;
export type ValueOption = (typeof VALUE_OPTIONS)[number];

export const LINE_ACTIONS = ['Next', 'Continue', 'Error'] as const;
export type LineAction = (typeof LINE_ACTIONS)[number];

export const RECORD_ACTIONS = ['NoRecord', 'Record', 'Clear', 'Clearall'] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

/** Names TextFSM gives a meaning to as rule targets without their being declared. */
export const END_STATE = 'End';
export const EOF_STATE = 'EOF';

export interface ValueDefinition {
  readonly name: string;
  /** In the order written: it decides whether `Required` looks at the list or at the last match. */
  readonly options: readonly ValueOption[];
  /** The regex as written, Python syntax, including its outer parentheses. */
  readonly regex: string;
  readonly line: number;
  /**
   * For a `List` value whose regex has more than one group: the regex re-matched against each
   * captured item, so that named groups inside it make the item a dictionary.
   */
  readonly nested: PyRegex | undefined;
}

export interface ValueAssignment {
  /** Index into Template.values. */
  readonly value: number;
  /** Index of the value's group in the rule's JavaScript match array. */
  readonly jsIndex: number;
}

export interface Rule {
  readonly line: number;
  /** The rule as written, trimmed. */
  readonly text: string;
  /** The regex part before `${Value}` substitution. */
  readonly match: string;
  /** The regex after substitution, Python syntax. */
  readonly pattern: string;
  readonly regex: PyRegex;
  readonly lineAction: LineAction;
  readonly recordAction: RecordAction;
  /** The state to move to after this rule; undefined to stay. Never set for `Error` rules. */
  readonly newState: string | undefined;
  /** `-> Error "message"` (quotes removed) or `-> Error word`; undefined without one. */
  readonly errorMessage: string | undefined;
  /** The Values this rule's named groups set, in group order. */
  readonly assignments: readonly ValueAssignment[];
}

export interface State {
  readonly name: string;
  readonly line: number;
  readonly rules: readonly Rule[];
}

export interface Template {
  readonly values: readonly ValueDefinition[];
  /** Declared states in order, without the (empty) `End` state. `Start` is always present. */
  readonly states: ReadonlyMap<string, State>;
  /** An explicit (empty) `EOF` state suppresses the record TextFSM otherwise makes at end of input. */
  readonly hasEofState: boolean;
  /** Value names in declaration order: the columns of every record. */
  readonly header: readonly string[];
  /** Names of the `Key` values, used when several templates' results are joined. */
  readonly keys: readonly string[];
}

export interface CompileOptions {
  /** Refuse larger templates (default 1 MiB): they come from files an operator may not control. */
  maxTemplateBytes?: number;
}

export const DEFAULT_MAX_TEMPLATE_BYTES = 1024 * 1024;

const MAX_NAME_LEN = 48;
const COMMENT = /^\s*#/;
const STATE_NAME = /^[\p{L}\p{N}_]+$/u;
// `(?P<match>.*)(\s->(?P<action>.*))`: the last whitespace-then-arrow splits the rule.
const MATCH_ACTION = /^(.*)\s->(.*)$/su;
const WORD = '[\\p{L}\\p{N}_]';
const NEW_STATE = `(${WORD}+|".*")`;
const ACTION_LINE = new RegExp(`^\\s+(Continue|Next|Error)(?:\\.(Clear|Clearall|Record|NoRecord))?(?:\\s+${NEW_STATE})?$`, 'su');
const ACTION_RECORD = new RegExp(`^\\s+(Clear|Clearall|Record|NoRecord)(?:\\s+${NEW_STATE})?$`, 'su');
const ACTION_STATE = new RegExp(`^(?:\\s+${NEW_STATE})?$`, 'su');
const RULE_START = [' ^', '  ^', '\t^'];
const RESERVED_STATE_NAMES = new Set<string>([...LINE_ACTIONS, ...RECORD_ACTIONS]);

function regexError(err: unknown, what: string, line: number): never {
  if (err instanceof PyRegexError) throw new TextFsmTemplateError(`${what}: ${err.message}`, line);
  throw err;
}

function parseValue(line: string, lineNumber: number): Omit<ValueDefinition, 'nested'> & { nested: PyRegex | undefined } {
  const fail = (reason: string): never => {
    throw new TextFsmTemplateError(reason, lineNumber);
  };
  // TextFSM splits on single spaces: doubled spaces produce empty tokens and usually an error.
  const tokens = line.split(' ');
  if (tokens.length < 3) fail('expected at least 3 tokens on a Value line');
  let options: ValueOption[] = [];
  let name: string;
  let regex: string;
  if (!tokens[2]!.startsWith('(')) {
    for (const option of tokens[1]!.split(',')) {
      if (!(VALUE_OPTIONS as readonly string[]).includes(option)) fail(`unknown Value option "${option}"`);
      if (options.includes(option as ValueOption)) fail(`duplicate Value option "${option}"`);
      options = [...options, option as ValueOption];
    }
    name = tokens[2]!;
    regex = tokens.slice(3).join(' ');
  } else {
    name = tokens[1]!;
    regex = tokens.slice(2).join(' ');
  }
  if (name.length > MAX_NAME_LEN) fail(`invalid Value name '${name}' or name too long`);
  // TextFSM's own test: outer parentheses and as many `(` as `)`, counted naively (an escaped `\)`
  // counts too). Anything subtler is left to the regex compiler.
  const count = (c: string): number => regex.split(c).length - 1;
  if (!regex.startsWith('(') || !regex.endsWith(')') || count('(') !== count(')')) {
    fail(`Value '${name}' regex ${JSON.stringify(regex)} must be contained within a '()' pair`);
  }
  // Only a List Value's regex is compiled here (its groups may make each item a dictionary); any
  // other Value's regex is checked where a rule uses it, so an unused bad one is harmless, as there.
  let nested: PyRegex | undefined;
  if (options.includes('List')) {
    let compiled: PyRegex;
    try {
      compiled = new PyRegex(regex);
    } catch (err) {
      regexError(err, `Value '${name}' regex`, lineNumber);
    }
    if (compiled.groupCount > 1) nested = compiled;
  }
  return { name, options, regex, line: lineNumber, nested };
}

interface ParsedAction {
  lineAction: LineAction;
  recordAction: RecordAction;
  target: string | undefined;
}

function parseAction(action: string, lineNumber: number, ruleText: string): ParsedAction {
  let m = ACTION_LINE.exec(action);
  if (m) return { lineAction: m[1] as LineAction, recordAction: (m[2] as RecordAction | undefined) ?? 'NoRecord', target: m[3] };
  m = ACTION_RECORD.exec(action);
  if (m) return { lineAction: 'Next', recordAction: m[1] as RecordAction, target: m[2] };
  m = ACTION_STATE.exec(action);
  if (m) return { lineAction: 'Next', recordAction: 'NoRecord', target: m[1] };
  throw new TextFsmTemplateError(`badly formatted rule '${ruleText}'`, lineNumber);
}

function parseRule(raw: string, lineNumber: number, values: readonly ValueDefinition[], valueRegex: ReadonlyMap<string, string>): Rule {
  const text = pyStrip(raw);
  const split = MATCH_ACTION.exec(text);
  // Without an arrow the whole line is the regex; note that whitespace before ` ->` is kept in it.
  const match = split ? split[1]! : text;
  let pattern = match;
  try {
    // TextFSM substitutes only when the template has Values; without any, `$$` stays two anchors.
    if (valueRegex.size > 0) pattern = substituteValues(match, valueRegex);
  } catch (err) {
    if (err instanceof SubstitutionError) throw new TextFsmTemplateError(`duplicate or invalid variable substitution in '${match}': ${err.message}`, lineNumber);
    throw err;
  }
  let regex: PyRegex;
  try {
    regex = new PyRegex(pattern);
  } catch (err) {
    regexError(err, `invalid regular expression '${pattern}'`, lineNumber);
  }
  const action: ParsedAction = split ? parseAction(split[2]!, lineNumber, text) : { lineAction: 'Next', recordAction: 'NoRecord', target: undefined };
  if (action.lineAction === 'Continue' && action.target !== undefined) {
    throw new TextFsmTemplateError(`action 'Continue' cannot change state (to ${action.target})`, lineNumber);
  }
  if (action.lineAction !== 'Error' && action.target !== undefined && action.target.startsWith('"')) {
    throw new TextFsmTemplateError('alphanumeric characters only in state names', lineNumber);
  }
  const index = new Map(values.map((v, i) => [v.name, i]));
  const assignments: ValueAssignment[] = [];
  for (const g of regex.named) {
    const value = index.get(g.name);
    if (value !== undefined) assignments.push({ value, jsIndex: g.jsIndex });
  }
  let errorMessage: string | undefined;
  let newState = action.target;
  if (action.lineAction === 'Error') {
    errorMessage = newState !== undefined && newState.startsWith('"') ? newState.slice(1, -1) : newState;
    newState = undefined;
  }
  return { line: lineNumber, text, match, pattern, regex, lineAction: action.lineAction, recordAction: action.recordAction, newState, errorMessage, assignments };
}

/** Compile a TextFSM template. Throws TextFsmTemplateError (with the template line) when invalid. */
export function compileTemplate(text: string, options: CompileOptions = {}): Template {
  const maxBytes = options.maxTemplateBytes ?? DEFAULT_MAX_TEMPLATE_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new TextFsmLimitError('maxTemplateBytes', bytes, maxBytes);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  let i = 0;

  // Values: up to the first blank line.
  const values: ValueDefinition[] = [];
  for (; i < lines.length; i++) {
    const line = pyRstrip(lines[i]!);
    const lineNumber = i + 1;
    if (line === '') {
      i++;
      break;
    }
    if (COMMENT.test(line)) continue;
    if (line.startsWith('Value ')) {
      const value = parseValue(line, lineNumber);
      if (values.some((v) => v.name === value.name)) {
        throw new TextFsmTemplateError(`duplicate declarations for Value '${value.name}'`, lineNumber);
      }
      values.push(value);
    } else if (values.length === 0) {
      throw new TextFsmTemplateError('no Value definitions found', lineNumber);
    } else {
      throw new TextFsmTemplateError('expected blank line after last Value entry', lineNumber);
    }
  }
  const valueRegex = new Map(values.map((v) => [v.name, v.regex.replace(/^\(/, `(?P<${v.name}>`)]));

  // States: a name line, then rules up to a blank line.
  const states = new Map<string, State>();
  const declared = new Set<string>();
  let endState: State | undefined;
  for (;;) {
    let name: string | undefined;
    let stateLine = 0;
    for (; i < lines.length; i++) {
      const line = pyRstrip(lines[i]!);
      if (line === '' || COMMENT.test(line)) continue;
      stateLine = i + 1;
      if (!STATE_NAME.test(line) || line.length > MAX_NAME_LEN || RESERVED_STATE_NAMES.has(line)) {
        throw new TextFsmTemplateError(`invalid state name: '${line}'`, stateLine);
      }
      if (declared.has(line)) throw new TextFsmTemplateError(`duplicate state name: '${line}'`, stateLine);
      declared.add(line);
      name = line;
      i++;
      break;
    }
    if (name === undefined) break;
    const rules: Rule[] = [];
    for (; i < lines.length; i++) {
      const line = pyRstrip(lines[i]!);
      if (line === '') {
        i++;
        break;
      }
      if (COMMENT.test(line)) continue;
      if (!RULE_START.some((p) => line.startsWith(p))) {
        throw new TextFsmTemplateError("missing white space or carat ('^') before rule", i + 1);
      }
      rules.push(parseRule(line, i + 1, values, valueRegex));
    }
    const state: State = { name, line: stateLine, rules };
    if (name === END_STATE) endState = state;
    else states.set(name, state);
  }

  // Whole-template checks.
  if (!states.has('Start')) throw new TextFsmTemplateError("missing state 'Start'", 0);
  if (endState && endState.rules.length > 0) throw new TextFsmTemplateError("non-empty 'End' state", endState.line);
  const eof = states.get(EOF_STATE);
  if (eof && eof.rules.length > 0) throw new TextFsmTemplateError("non-empty 'EOF' state", eof.line);
  for (const state of states.values()) {
    for (const rule of state.rules) {
      if (rule.newState === undefined || rule.newState === END_STATE || rule.newState === EOF_STATE) continue;
      if (!states.has(rule.newState)) {
        throw new TextFsmTemplateError(`state '${rule.newState}' not found, referenced in state '${state.name}'`, rule.line);
      }
    }
  }
  return {
    values,
    states,
    hasEofState: eof !== undefined,
    header: values.map((v) => v.name),
    keys: values.filter((v) => v.options.includes('Key')).map((v) => v.name),
  };
}
