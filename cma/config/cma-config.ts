import path from 'node:path';
import { z } from 'zod';
import { describeIssues, layerConfig, type EnvBinding } from '../../common/layered-config';
import { membershipTimingSchema } from '../membership/timing';
import { discoveryScheduleConfigSchema } from '../discovery/discovery-schedule';
import { pollersConfigSchema } from '../pollers/poller-config';
import { projectRoot } from '../../common/project-package';

/**
 * The CMA's configuration: defaults, then a YAML file, then environment variables, then flags — each
 * later source overriding the earlier. Validated once at start; a bad value stops the CMA with a
 * message naming the key, the value and where it came from.
 */
export const cmaConfigSchema = z
  .object({
    neo4j: z
      .object({
        /** Unset: the project starts its own embedded Neo4j (see `local`). */
        uri: z.string().regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/\S+$/, 'must be a bolt:// or neo4j:// URI').optional(),
        user: z.string().optional(),
        password: z.string().optional(),
        database: z.string().min(1).default('neo4j'),
        batchSize: z.number().int().min(1).max(100_000).default(5_000),
        local: z
          .object({
            home: z.string().min(1).default('.unimatrix/neo4j'),
            port: z.number().int().min(0).max(65_535).default(7687),
            heapMb: z.number().int().min(256).max(16_384).default(1024),
          })
          .strict()
          .default({ home: '.unimatrix/neo4j', port: 7687, heapMb: 1024 }),
      })
      .strict()
      .default({ database: 'neo4j', batchSize: 5_000, local: { home: '.unimatrix/neo4j', port: 7687, heapMb: 1024 } }),
    api: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8080),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    membership: z
      .object({
        /** UDP port for announcements (multicast group port) and all nanoprobe traffic. */
        port: z.number().int().min(0).max(65_535).default(1984),
        multicast: z
          .object({
            enabled: z.boolean().default(true),
            group: z.ipv4().default('224.0.2.5'),
            /** IPv4 address of the interface to join on; default: the kernel's choice. */
            interfaceAddress: z.ipv4().optional(),
          })
          .strict()
          .default({ enabled: true, group: '224.0.2.5' }),
        /** Where the CMA keeps its key file and the pinned nanoprobe keys. */
        stateDir: z.string().min(1).default('.unimatrix/cma'),
        /** tofu: pin a host's key on first use; registered-only: refuse hosts not pinned beforehand. */
        trust: z.enum(['tofu', 'registered-only']).default('tofu'),
        /** Heartbeat and death-judging times (see cma/membership/timing.ts for the defaults). */
        timing: membershipTimingSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    discovery: z
      .object({
        /** Off: joining hosts are sent no discovery requests (results that arrive are still stored). */
        enabled: z.boolean().default(true),
        /** Per script: override timing or parameters, switch off with `enabled: false`, or add one. */
        requests: discoveryScheduleConfigSchema.default({}),
        /**
         * Switch-placement reads at once after discovery results; results themselves go in group
         * commits of up to 64 (ingest-service.ts).
         */
        concurrency: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .default({ enabled: true, requests: {}, concurrency: 8 }),
    /** Network devices polled over SSH by pollers (cma/pollers/poller-config.ts). */
    pollers: pollersConfigSchema.prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type CmaConfig = z.infer<typeof cmaConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Environment variables and the config key each one sets. */
const ENVIRONMENT: readonly EnvBinding[] = [
  ['NEO4J_URI', ['neo4j', 'uri'], 'string'],
  ['NEO4J_USER', ['neo4j', 'user'], 'string'],
  ['NEO4J_PASSWORD', ['neo4j', 'password'], 'string'],
  ['NEO4J_DATABASE', ['neo4j', 'database'], 'string'],
  ['UNIMATRIX_NEO4J_HOME', ['neo4j', 'local', 'home'], 'string'],
  ['UNIMATRIX_NEO4J_PORT', ['neo4j', 'local', 'port'], 'number'],
  ['UNIMATRIX_API_HOST', ['api', 'host'], 'string'],
  ['UNIMATRIX_API_PORT', ['api', 'port'], 'number'],
  ['UNIMATRIX_LOG_LEVEL', ['log', 'level'], 'string'],
  ['UNIMATRIX_MEMBERSHIP_PORT', ['membership', 'port'], 'number'],
  ['UNIMATRIX_CMA_STATE_DIR', ['membership', 'stateDir'], 'string'],
];

export type ConfigInputs = {
  /** Path of a YAML file; UNIMATRIX_CONFIG when not given. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Dotted keys from flags, e.g. {"api.port": 9090}. */
  flags?: Record<string, unknown>;
};

export function loadCmaConfig(inputs: ConfigInputs = {}): CmaConfig {
  const env = inputs.env ?? process.env;
  const { merged, sourceOf } = layerConfig({
    file: inputs.file ?? env.UNIMATRIX_CONFIG,
    env,
    environment: ENVIRONMENT,
    flags: inputs.flags,
    makeError: (message) => new ConfigError(message),
  });
  const parsed = cmaConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration:\n  ${describeIssues(parsed.error.issues, merged, sourceOf).join('\n  ')}`);
  }
  const config = parsed.data;
  config.neo4j.local.home = path.resolve(projectRoot(), config.neo4j.local.home);
  config.membership.stateDir = path.resolve(projectRoot(), config.membership.stateDir);
  return config;
}
