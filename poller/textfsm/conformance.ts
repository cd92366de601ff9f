/**
 * ntc-templates' own test cases as a conformance suite: each `tests/<platform>/<command>/<name>.raw`
 * is parsed with the template the index picks for (platform, command with `_` read as spaces) and
 * compared with `parsed_sample` in the `.yml` beside it — exactly, list order included, as
 * ntc-templates' test does. Shared by the jest conformance test and the conformance bench.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import type { FsmRecord } from './engine';
import { splitLines } from './python-text';
import type { TemplateLibrary } from './template-library';

export interface ConformanceCase {
  /** `<platform>/<command dir>/<file without .raw>`: stable, used to name exclusions. */
  readonly name: string;
  readonly platform: string;
  readonly command: string;
  readonly rawPath: string;
  readonly ymlPath: string;
}

export interface CaseResult {
  readonly case: ConformanceCase;
  readonly passed: boolean;
  /** Input lines parsed (for throughput figures). */
  readonly lines: number;
  /** Why it failed: a thrown error's message, or a short description of the first difference. */
  readonly failure?: string;
  readonly expected?: unknown;
  readonly actual?: FsmRecord[];
}

/** Every case under `<root>/tests`, sorted by name so runs are comparable. */
export function listCases(root: string): ConformanceCase[] {
  const testsDir = path.join(root, 'tests');
  const cases: ConformanceCase[] = [];
  if (!existsSync(testsDir)) return cases;
  for (const platform of readdirSync(testsDir).sort()) {
    const platformDir = path.join(testsDir, platform);
    if (!isDir(platformDir)) continue;
    for (const commandDir of readdirSync(platformDir).sort()) {
      const dir = path.join(platformDir, commandDir);
      if (!isDir(dir)) continue;
      for (const file of readdirSync(dir).sort()) {
        if (!file.endsWith('.raw')) continue;
        const base = file.slice(0, -'.raw'.length);
        const ymlPath = path.join(dir, `${base}.yml`);
        if (!existsSync(ymlPath)) continue;
        cases.push({
          name: `${platform}/${commandDir}/${base}`,
          platform,
          command: commandDir.replace(/_/g, ' '),
          rawPath: path.join(dir, file),
          ymlPath,
        });
      }
    }
  }
  return cases;
}

function isDir(p: string): boolean {
  try {
    return readdirSync(p) !== undefined;
  } catch {
    return false;
  }
}

/**
 * `parsed_sample` of a case's yml. Read as YAML 1.1, which is what Python's `yaml.safe_load` speaks,
 * so an unquoted `10` or `yes` has the type the reference test saw.
 */
export function expectedRecords(ymlPath: string): unknown {
  const doc = YAML.parse(readFileSync(ymlPath, 'utf8'), { version: '1.1' }) as { parsed_sample?: unknown } | null;
  return doc?.parsed_sample ?? [];
}

/** Python's universal-newline read of a file, which the reference test's `open(...).read()` does. */
export function readRaw(rawPath: string): string {
  return readFileSync(rawPath, 'utf8').replace(/\r\n?/g, '\n');
}

/** A case's input and expected parse, read once (so a benchmark can time the parsing alone). */
export interface LoadedCase {
  readonly case: ConformanceCase;
  readonly text: string;
  readonly lines: number;
  /** `parsed_sample`, or the reason the yml could not be read. */
  readonly expected: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };
}

export function loadCase(c: ConformanceCase): LoadedCase {
  const text = readRaw(c.rawPath);
  const lines = splitLines(text).length;
  try {
    return { case: c, text, lines, expected: { ok: true, value: expectedRecords(c.ymlPath) } };
  } catch (err) {
    return { case: c, text, lines, expected: { ok: false, error: `bad yml: ${message(err)}` } };
  }
}

export function checkCase(library: TemplateLibrary, loaded: LoadedCase): CaseResult {
  const { case: c, text, lines } = loaded;
  if (!loaded.expected.ok) return { case: c, passed: false, lines, failure: loaded.expected.error };
  const expected = loaded.expected.value;
  let actual: FsmRecord[];
  try {
    actual = library.parseOutput(c.platform, c.command, text);
  } catch (err) {
    return { case: c, passed: false, lines, failure: message(err), expected };
  }
  if (isDeepStrictEqual(normalize(actual), expected)) return { case: c, passed: true, lines };
  return { case: c, passed: false, lines, failure: firstDifference(expected, actual), expected, actual };
}

export function runCase(library: TemplateLibrary, c: ConformanceCase): CaseResult {
  return checkCase(library, loadCase(c));
}

/** Plain objects and arrays, as YAML gives them (the engine's arrays are readonly but equal). */
function normalize(records: FsmRecord[]): unknown {
  return JSON.parse(JSON.stringify(records)) as unknown;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A one-line account of where expected and actual first part, for test and bench output. */
export function firstDifference(expected: unknown, actual: FsmRecord[]): string {
  if (!Array.isArray(expected)) return 'parsed_sample is not a list';
  if (expected.length !== actual.length) return `expected ${expected.length} records, got ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as Record<string, unknown>;
    const a = normalize([actual[i]!]) as Array<Record<string, unknown>>;
    const got = a[0]!;
    for (const k of new Set([...Object.keys(e), ...Object.keys(got)])) {
      if (!isDeepStrictEqual(e[k], got[k])) return `record ${i} key '${k}': expected ${JSON.stringify(e[k])}, got ${JSON.stringify(got[k])}`;
    }
  }
  return 'records differ';
}
