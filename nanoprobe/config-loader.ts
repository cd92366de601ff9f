/**
 * Builds the nanoprobe's configuration from, lowest priority first: defaults, a YAML file
 * (`--config` or UNIMATRIX_NANOPROBE_CONFIG), UNIMATRIX_NANOPROBE_* environment variables, then
 * command-line flags. The merged object is validated once (config.ts); an error names the key, the
 * value and the source it came from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NanoprobeConfigError, parseNanoprobeConfig, type NanoprobeConfig } from './config';

export const ENV_PREFIX = 'UNIMATRIX_NANOPROBE_';
export const CONFIG_FILE_ENV = `${ENV_PREFIX}CONFIG`;

type EnvKind = 'string' | 'number' | 'list' | 'pathList';

/** Variable suffix → config key path and how its text is read. */
export const ENVIRONMENT: ReadonlyArray<readonly [string, readonly string[], EnvKind]> = [
  ['STATE_DIR', ['stateDir'], 'string'],
  ['HOSTNAME', ['hostname'], 'string'],
  ['ADDRESSES', ['addresses'], 'list'],
  ['BIND', ['bind', 'host'], 'string'],
  ['PORT', ['bind', 'port'], 'number'],
  ['CMA', ['cma'], 'string'],
  ['CMA_PUBKEY_FILE', ['cmaPubkeyFile'], 'string'],
  ['MULTICAST_GROUP', ['multicast', 'group'], 'string'],
  ['MULTICAST_PORT', ['multicast', 'port'], 'number'],
  ['MULTICAST_IF', ['multicast', 'interface'], 'string'],
  ['MULTICAST_TTL', ['multicast', 'ttl'], 'number'],
  ['DISCOVERY_DIRS', ['discovery', 'dirs'], 'pathList'],
  ['LOG_LEVEL', ['log', 'level'], 'string'],
];

export type LoadInputs = {
  /** YAML file; UNIMATRIX_NANOPROBE_CONFIG when not given. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Dotted keys from flags, e.g. {"bind.port": 1984}; undefined values are ignored. */
  flags?: Record<string, unknown>;
};

export type LoadedConfig = {
  config: NanoprobeConfig;
  /** Things worth logging once the logger exists (e.g. an unknown UNIMATRIX_NANOPROBE_ variable). */
  warnings: string[];
};

type Layer = { source: string; values: Record<string, unknown> };

export function loadNanoprobeConfig(inputs: LoadInputs = {}): LoadedConfig {
  const env = inputs.env ?? process.env;
  const warnings: string[] = [];
  const layers: Layer[] = [];
  const file = inputs.file ?? env[CONFIG_FILE_ENV];
  if (file !== undefined && file !== '') layers.push({ source: `file ${file}`, values: readYaml(file) });
  layers.push({ source: 'environment', values: fromEnvironment(env, warnings) });
  const flagValues: Record<string, unknown> = {};
  for (const [dotted, value] of Object.entries(inputs.flags ?? {})) {
    if (value !== undefined) setPath(flagValues, dotted.split('.'), value);
  }
  layers.push({ source: 'flags', values: flagValues });

  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => deepMerge(acc, layer.values), {});
  const sourceOf = (keyPath: string[]): string | undefined =>
    [...layers].reverse().find((l) => getPath(l.values, keyPath) !== undefined)?.source;
  return { config: parseNanoprobeConfig(merged, sourceOf), warnings };
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NanoprobeConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    // Loaded only when a file is given: the parser is about 5 MB of a nanoprobe's memory.
    const YAML = require('yaml') as typeof import('yaml');
    value = YAML.parse(text);
  } catch (err) {
    throw new NanoprobeConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new NanoprobeConfigError(`config file ${file} must hold a mapping at the top`);
  return value as Record<string, unknown>;
}

function fromEnvironment(env: NodeJS.ProcessEnv, warnings: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set([CONFIG_FILE_ENV, ...ENVIRONMENT.map(([suffix]) => ENV_PREFIX + suffix)]);
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && !known.has(name)) warnings.push(`unknown environment variable ${name} ignored`);
  }
  for (const [suffix, keyPath, kind] of ENVIRONMENT) {
    const name = ENV_PREFIX + suffix;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    switch (kind) {
      case 'number': {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) {
          throw new NanoprobeConfigError(`environment variable ${name} must be a number (config key "${keyPath.join('.')}"), got ${JSON.stringify(raw)}`);
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

function splitList(raw: string, separator: string): string[] {
  return raw
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isRecord(prev) && isRecord(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) {
      node[k] = value;
      return;
    }
    if (!isRecord(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  });
}

function getPath(source: Record<string, unknown>, keys: readonly string[]): unknown {
  let node: unknown = source;
  for (const k of keys) {
    if (!isRecord(node)) return undefined;
    node = node[k];
  }
  return node;
}
