/**
 * Layered configuration, shared by the daemons (CMA, nanoprobe, later the poller): a YAML file, then
 * environment variables, then command-line flags, each later layer overriding the earlier, merged into
 * one plain object that the daemon's own zod schema then validates. It also tells which layer a value
 * came from, so that an error can name the key, the value and its source.
 *
 * It knows no daemon's keys: each daemon passes its table of environment variables and its own error
 * class (so each keeps its own error type and messages).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type ConfigObject = Record<string, unknown>;

/** One source of settings, e.g. `{ source: 'environment', values: { api: { port: 9090 } } }`. */
export type ConfigLayer = { source: string; values: ConfigObject };

/** Makes the daemon's own error type from a message. */
export type ConfigErrorFactory = (message: string) => Error;

/**
 * How an environment variable's text is read: as is, as a number, as a comma-separated list, or as a
 * list split on the platform's path delimiter (`:` on Linux).
 */
export type EnvKind = 'string' | 'number' | 'list' | 'pathList';

/** An environment variable, the config key path it sets, and how its text is read. */
export type EnvBinding = readonly [name: string, keyPath: readonly string[], kind: EnvKind];

export type LayerInputs = {
  /** A YAML file, the lowest layer; absent or '' for none. */
  file?: string | undefined;
  env: NodeJS.ProcessEnv;
  environment: readonly EnvBinding[];
  /** Dotted keys from flags, e.g. {"api.port": 9090}; undefined values are ignored. */
  flags?: Record<string, unknown> | undefined;
  makeError: ConfigErrorFactory;
};

export type LayeredConfig = {
  layers: ConfigLayer[];
  /** Every layer merged, later ones winning; not validated. */
  merged: ConfigObject;
  /**
   * The highest layer that sets this key path (the one whose value won), if any. None for the root:
   * every layer has one, and naming the last would blame it for what an earlier layer set.
   */
  sourceOf(keyPath: readonly string[]): string | undefined;
};

/** Reads the file (if any), the environment and the flags, and merges them in that order. */
export function layerConfig(inputs: LayerInputs): LayeredConfig {
  const layers: ConfigLayer[] = [];
  if (inputs.file !== undefined && inputs.file !== '') {
    layers.push({ source: `file ${inputs.file}`, values: readYamlFile(inputs.file, inputs.makeError) });
  }
  layers.push({ source: 'environment', values: environmentValues(inputs.env, inputs.environment, inputs.makeError) });
  layers.push({ source: 'flags', values: flagValues(inputs.flags ?? {}) });
  return mergeLayers(layers);
}

export function mergeLayers(layers: ConfigLayer[]): LayeredConfig {
  const merged = layers.reduce<ConfigObject>((acc, layer) => deepMerge(acc, layer.values), {});
  const newestFirst = [...layers].reverse();
  return {
    layers,
    merged,
    sourceOf: (keyPath) => (keyPath.length === 0 ? undefined : newestFirst.find((l) => getPath(l.values, keyPath) !== undefined)?.source),
  };
}

/**
 * Reads a YAML file that must hold a mapping (an empty file is an empty one). The parser is required
 * here, not at the top: it is a module most nanoprobes would load for nothing (they have no file), and every
 * module loaded is memory on every host (`npm run bench -- nanoprobe-idle` measures the total).
 */
export function readYamlFile(file: string, makeError: ConfigErrorFactory): ConfigObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw makeError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    const YAML = require('yaml') as typeof import('yaml');
    value = YAML.parse(text);
  } catch (err) {
    throw makeError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw makeError(`config file ${file} must hold a mapping at the top`);
  return value;
}

/** The settings the environment variables of the table give; unset or empty variables give none. */
export function environmentValues(env: NodeJS.ProcessEnv, environment: readonly EnvBinding[], makeError: ConfigErrorFactory): ConfigObject {
  const out: ConfigObject = {};
  for (const [name, keyPath, kind] of environment) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    switch (kind) {
      case 'number': {
        const n = Number(raw);
        // Number('  ') is 0: blank text is refused, not read as zero.
        if (raw.trim() === '' || !Number.isFinite(n)) {
          throw makeError(`environment variable ${name} must be a number (config key "${keyPath.join('.')}"), got ${JSON.stringify(raw)}`);
        }
        setPath(out, keyPath, n);
        break;
      }
      case 'list':
        setPath(out, keyPath, splitList(raw, ','));
        break;
      case 'pathList':
        setPath(out, keyPath, splitList(raw, path.delimiter));
        break;
      default:
        setPath(out, keyPath, raw);
    }
  }
  return out;
}

/** Dotted flag keys ({"bind.port": 1}) as a nested object ({ bind: { port: 1 } }). */
export function flagValues(flags: Record<string, unknown>): ConfigObject {
  const out: ConfigObject = {};
  for (const [dotted, value] of Object.entries(flags)) {
    if (value !== undefined) setPath(out, dotted.split('.'), value);
  }
  return out;
}

/**
 * One line per validation issue: `config key "api.port": <problem> (got 70000 from file cma.yaml)`.
 * Takes zod's issues (or anything shaped like them) without depending on zod.
 */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  merged: unknown,
  sourceOf?: (keyPath: readonly string[]) => string | undefined,
): string[] {
  return issues.map((issue) => {
    const keyPath = issue.path.map(String);
    const value = getPath(merged, keyPath);
    const source = value === undefined ? undefined : sourceOf?.(keyPath);
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)}${source === undefined ? '' : ` from ${source}`})`;
    return `config key "${keyPath.join('.') || '(root)'}": ${issue.message}${shown}`;
  });
}

export function isRecord(v: unknown): v is ConfigObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Mappings merge key by key; anything else (lists included) in `b` replaces what `a` had. */
export function deepMerge(a: ConfigObject, b: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isRecord(prev) && isRecord(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** Sets a nested key, creating (or replacing non-mapping values with) mappings on the way. */
export function setPath(target: ConfigObject, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) {
      node[k] = value;
      return;
    }
    if (!isRecord(node[k])) node[k] = {};
    node = node[k] as ConfigObject;
  });
}

/** The value at a key path, through mappings and lists (`addresses.0`); undefined when absent. */
export function getPath(source: unknown, keys: readonly string[]): unknown {
  let node = source;
  for (const k of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as ConfigObject)[k];
  }
  return node;
}

function splitList(raw: string, separator: string): string[] {
  return raw
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
