/**
 * Differential testing against Python: random regexes, random templates and mutated (mostly broken)
 * templates, run both through this engine and through Python's `re` and TextFSM (oracle.py beside this
 * file, as a black box), with every disagreement reported. Seeded, so a failure can be replayed.
 *
 * Used by test/poller/textfsm-differential.test.ts when a Python with `textfsm` is installed; it found
 * most of the differences the translator now handles (docs/textfsm.md lists the ones it does not).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseRows } from '../engine';
import { PyRegex } from '../py-regex';
import { compileTemplate } from '../template-parser';

export const ORACLE = path.join(__dirname, 'oracle.py');

/** A Python 3 that can `import textfsm`, or undefined. */
export function findPython(candidates: readonly string[] = ['python3', '/usr/bin/python3']): string | undefined {
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import textfsm'], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0) return python;
  }
  return undefined;
}

export function askOracle(python: string, requests: readonly object[]): unknown[] {
  const input = `${requests.map((r) => JSON.stringify(r)).join('\n')}\n`;
  const out = execFileSync(python, [ORACLE], { input, maxBuffer: 1 << 30 }).toString().trim();
  return out === '' ? [] : out.split('\n').map((l) => JSON.parse(l) as unknown);
}

/** mulberry32: small, seedable, good enough to spread cases. */
export function random(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

const INPUT_CHARS = ['a', 'b', 'A', '1', ' ', '-', '.', ',', ':', '/', '\t', 'é', 'É', '\u00a0', '\x1c', '_', 'K', 'ſ', '٣', '{', '\n'];
const ANCHORS = ['^', '$', '\\b', '\\B', '\\Z', '\\A'];
const EXTRAS = ['\\x41', '\\101', '\\t', '{', '}', 'a{', 'a{,}', '\\{', '\\-', '\\]', '[]a]', '[^]a]', '[a-]', '\\u00e9', '(?=a)', '(?!b)', '(?<=a)', '(?<!\\s)', '(?#c)', '[\\d-]', '\\S+?', '.*?', '(?i:a)', '(?-i:a)'];

/** A random Python pattern over the constructs templates use (plus, with `extra`, rarer ones). */
export function randomRegex(rnd: Rnd, extra: boolean): string {
  let names = 0;
  const atom = (depth: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.3) return pick(rnd, ['a', 'b', 'A', '1', ' ', '-', '\\.', ',', ':', '/', '_', '.', 'é']);
    if (r < 0.45) return pick(rnd, ['\\s', '\\S', '\\d', '\\D', '\\w', '\\W']);
    if (r < 0.6) {
      const items = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
        pick(rnd, ['a', 'b', '1', ' ', '\\s', '\\S', '\\d', '\\D', '\\w', '\\W', 'a-z', '0-9', '.', '-', ',', '(', ')', '+', 'é']),
      );
      return `[${rnd() < 0.3 ? '^' : ''}${items.join('')}]`;
    }
    if (r < 0.68) return pick(rnd, ANCHORS);
    if (extra && r < 0.78) return rnd() < 0.1 && names > 0 ? `(?P=n${Math.floor(rnd() * names)})` : pick(rnd, EXTRAS);
    const inner = sequence(depth + 1);
    const alt = rnd() < 0.25 ? `|${sequence(depth + 1)}` : '';
    const kind = rnd();
    if (kind < 0.4) return `(${inner}${alt})`;
    if (kind < 0.7) return `(?P<n${names++}>${inner}${alt})`;
    return `(?:${inner}${alt})`;
  };
  const quantified = (a: string): string => {
    if (ANCHORS.includes(a) || rnd() < 0.55) return a;
    return a + pick(rnd, ['*', '+', '?', '{2}', '{1,3}', '{,2}', '{2,}']) + (rnd() < 0.2 ? '?' : '');
  };
  const sequence = (depth: number): string => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => quantified(atom(depth))).join('');
  const flags = extra && rnd() < 0.3 ? pick(rnd, ['(?i)', '(?s)', '(?a)', '(?m)', '(?x)', '(?ia)']) : '';
  return flags + sequence(0);
}

export function randomInput(rnd: Rnd): string {
  return Array.from({ length: Math.floor(rnd() * 10) }, () => pick(rnd, INPUT_CHARS)).join('');
}

const VALUE_REGEXES = ['(\\S+)', '(\\d+)', '(.*)', '(\\w+)', '(\\d*)', '((?P<a>\\d)(?P<b>\\w))', '(a|b)', '([a-z]+)', '((?P<x>\\d+)|(?P<y>[a-z]+))', '((\\d)\\d)'];
const OPTIONS = ['Filldown', 'Key', 'Required', 'List', 'Fillup'];
const ACTIONS = ['', '', '', ' -> Record', ' -> Next.Record', ' -> Continue', ' -> Continue.Record', ' -> Clear', ' -> Clearall', ' -> NoRecord S2', ' -> Record S2', ' -> Error', ' -> Error "bad line"', ' -> End', ' -> EOF', ' -> Next.Clearall Start', ' -> Start', ' -> S2', ' -> Continue.Clear'];
const WORDS = ['a', 'b', '12', '7', 'x1', 'zz', 'Name:', 'Port', '-', '3b', ''];

/** A random, valid template: 1–4 Values with random options, states Start and S2, maybe EOF. */
export function randomTemplate(rnd: Rnd): string {
  const names = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => `V${i}`);
  const values = names.map((n) => {
    const options = OPTIONS.filter(() => rnd() < 0.2);
    // Inner group names get the Value's name, so two Values in one rule never clash.
    const regex = pick(rnd, VALUE_REGEXES).replace(/\?P<(\w)>/g, `?P<$1${n}>`);
    return `Value ${options.length > 0 ? `${options.join(',')} ` : ''}${n} ${regex}`;
  });
  const rule = (): string => {
    const free = [...names];
    const parts = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
      rnd() < 0.7 && free.length > 0 ? `\${${free.splice(Math.floor(rnd() * free.length), 1)[0]!}}` : pick(rnd, ['Name:', 'Port', '\\S+', '-', 'a']),
    );
    return `  ^${parts.join(pick(rnd, ['\\s+', ' ', '\\s*']))}${pick(rnd, ['', '', '$$', '\\s*$$', '.*'])}${pick(rnd, ACTIONS)}`;
  };
  const state = (name: string): string => [name, ...Array.from({ length: 1 + Math.floor(rnd() * 4) }, rule)].join('\n');
  const states = [state('Start'), state('S2'), ...(rnd() < 0.2 ? ['EOF'] : [])];
  return `${values.join('\n')}\n\n${states.join('\n\n')}\n`;
}

const INSERTED_LINES = ['# c', '  # c', 'Value X (a)', 'Value Bad X (a)', 'Value  X (a)', 'Value X a', 'Value X (a\\\\)', 'Value X (a\\)', 'Value List,List X (a)', 'End', 'EOF', 'Next', 'S2', 'Start', '  ^a -> Bogus', '  ^a -> Continue S2', '  ^a -> Error "x y"', '  ^a -> Record "S2"', '  ^$$x', '  ^a$', '  ^(', '  ^a -> Next.Record End', '  ^a ->  Next', '  ^a->Next', '  ^a -> Next.Record  S2', '  ^a ->', 'Value Filldown,Required Y ((?P<q>a))', `Value ${'N'.repeat(49)} (a)`];

/** A template with one or two random edits, which usually make it invalid. */
export function mutateTemplate(rnd: Rnd, template: string): string {
  const lines = template.split('\n');
  for (let k = 1 + Math.floor(rnd() * 2); k > 0; k--) {
    const i = Math.floor(rnd() * lines.length);
    const l = lines[i]!;
    switch (Math.floor(rnd() * 12)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, '');
        break;
      case 2:
        lines[i] = ` ${l}`;
        break;
      case 3:
        lines[i] = l.replace(/^\s+/, pick(rnd, ['', ' ', '   ', '\t', '  \t']));
        break;
      case 4:
        lines.splice(i, 0, pick(rnd, INSERTED_LINES));
        break;
      case 5:
        lines[i] = l + pick(rnd, [' ', '  ', ' -> Next', ' -> Record', '$', '$$', '\\']);
        break;
      case 6:
        lines[i] = l.slice(0, Math.max(0, l.length - 1 - Math.floor(rnd() * 3)));
        break;
      case 7:
        lines[i] = l.replace('${', '$');
        break;
      case 8:
        lines[i] = l.replace('}', '');
        break;
      case 9:
        lines[i] = l.replace(/ -> .*/, '');
        break;
      case 10:
        lines[i] = l.replace('Value ', 'Value Key,');
        break;
      default:
        lines[i] = l.replace('^', '');
        break;
    }
  }
  return lines.join('\n');
}

export function randomText(rnd: Rnd): string {
  return Array.from({ length: Math.floor(rnd() * 8) }, () =>
    Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(rnd, WORDS)).join(pick(rnd, [' ', '  '])),
  ).join('\n');
}

export interface Disagreement {
  readonly input: unknown;
  readonly python: unknown;
  readonly ours: unknown;
}

/** Regexes: same accept/reject, same `re.match` groups. Nullable repeats (a known gap) are skipped. */
export function compareRegexes(python: string, seed: number, count: number, extra: boolean): { compared: number; skipped: number; disagreements: Disagreement[] } {
  const rnd = random(seed);
  const cases = Array.from({ length: count }, () => ({ regex: randomRegex(rnd, extra), inputs: Array.from({ length: 12 }, () => randomInput(rnd)) }));
  const answers = askOracle(python, cases) as Array<{ ok?: Array<Array<string | null> | null>; error?: string; nullable_repeat?: boolean }>;
  const disagreements: Disagreement[] = [];
  let skipped = 0;
  cases.forEach((c, i) => {
    const py = answers[i]!;
    let regex: PyRegex;
    try {
      regex = new PyRegex(c.regex);
    } catch (err) {
      // Rejecting a pattern Python accepts is only fine for the constructs documented as unsupported.
      if (py.error === undefined && !/not supported/.test(String(err))) disagreements.push({ input: c.regex, python: 'accepted', ours: String(err) });
      return;
    }
    if (py.error !== undefined) {
      disagreements.push({ input: c.regex, python: py.error, ours: 'accepted' });
      return;
    }
    if (py.nullable_repeat === true) {
      skipped++;
      return;
    }
    c.inputs.forEach((s, j) => {
      const m = regex.exec(s);
      const ours = m === null ? null : [m[0], ...regex.jsIndexOfGroup.slice(1).map((k) => m[k] ?? null)];
      if (JSON.stringify(ours) !== JSON.stringify(py.ok![j])) disagreements.push({ input: [c.regex, s], python: py.ok![j], ours });
    });
  });
  return { compared: count, skipped, disagreements };
}

type Outcome = { kind: 'rows'; value: unknown } | { kind: 'template_error'; line: number } | { kind: 'parse_error' };

function pythonOutcome(answer: Record<string, unknown>): Outcome {
  if ('template_error' in answer) {
    // TextFSM writes "Line: N" or "Line N"; some of its messages carry no line (0).
    const line = /Line:? (\d+)/.exec(String(answer['template_error']))?.[1];
    return { kind: 'template_error', line: line === undefined ? 0 : Number(line) };
  }
  if ('parse_error' in answer) return { kind: 'parse_error' };
  return { kind: 'rows', value: answer };
}

function ourOutcome(template: string, text: string): Outcome {
  let compiled;
  try {
    compiled = compileTemplate(template);
  } catch (err) {
    return { kind: 'template_error', line: (err as { line?: number }).line ?? -1 };
  }
  try {
    return { kind: 'rows', value: { header: compiled.header, rows: parseRows(compiled, text) } };
  } catch {
    return { kind: 'parse_error' };
  }
}

/**
 * Templates: same verdict (records, template error, Error action), same records, and the same error
 * line wherever TextFSM names one.
 */
export function compareTemplates(python: string, seed: number, count: number, mutate: boolean): { compared: number; disagreements: Disagreement[] } {
  const rnd = random(seed);
  const cases = Array.from({ length: count }, () => {
    const template = randomTemplate(rnd);
    return { template: mutate ? mutateTemplate(rnd, template) : template, text: randomText(rnd) };
  });
  const answers = askOracle(python, cases) as Array<Record<string, unknown>>;
  const disagreements: Disagreement[] = [];
  cases.forEach((c, i) => {
    const py = pythonOutcome(answers[i]!);
    const ours = ourOutcome(c.template, c.text);
    const same =
      py.kind === ours.kind &&
      (py.kind !== 'rows' || JSON.stringify(py.value) === JSON.stringify((ours as { value: unknown }).value)) &&
      (py.kind !== 'template_error' || py.line === 0 || py.line === (ours as { line: number }).line);
    if (!same) disagreements.push({ input: c, python: py, ours });
  });
  return { compared: count, disagreements };
}
