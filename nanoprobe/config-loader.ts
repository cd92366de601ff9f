/**
 * Builds the nanoprobe's configuration from, lowest priority first: defaults, a YAML file
 * (`--config` or UNIMATRIX_NANOPROBE_CONFIG), UNIMATRIX_NANOPROBE_* environment variables, then
 * command-line flags. The layering is common/layered-config.ts's (the CMA's too); the merged object is
 * validated once (config.ts); an error names the key, the value and the source it came from.
 */
import { layerConfig, type EnvBinding, type EnvKind } from '../common/layered-config';
import { NanoprobeConfigError, parseNanoprobeConfig, type NanoprobeConfig } from './config';

export const ENV_PREFIX = 'UNIMATRIX_NANOPROBE_';
export const CONFIG_FILE_ENV = `${ENV_PREFIX}CONFIG`;

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
  ['DISCOVERY_SPLAY_MS', ['discovery', 'firstRunSplayMs'], 'number'],
  ['LOG_LEVEL', ['log', 'level'], 'string'],
];

const BINDINGS: readonly EnvBinding[] = ENVIRONMENT.map(([suffix, keyPath, kind]) => [ENV_PREFIX + suffix, keyPath, kind]);

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

export function loadNanoprobeConfig(inputs: LoadInputs = {}): LoadedConfig {
  const env = inputs.env ?? process.env;
  // The YAML parser is loaded only when there is a file to read (see common/layered-config.ts).
  const { merged, sourceOf } = layerConfig({
    file: inputs.file ?? env[CONFIG_FILE_ENV],
    env,
    environment: BINDINGS,
    flags: inputs.flags,
    makeError: (message) => new NanoprobeConfigError(message),
  });
  return { config: parseNanoprobeConfig(merged, sourceOf), warnings: unknownVariables(env) };
}

/** A misspelt variable would otherwise be ignored without a word. */
function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const known = new Set([CONFIG_FILE_ENV, ...BINDINGS.map(([name]) => name)]);
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !known.has(name))
    .map((name) => `unknown environment variable ${name} ignored`);
}
