/**
 * The nanoprobe's configuration: what `unimatrix nanoprobe` flags, UNIMATRIX_NANOPROBE_* variables and
 * an optional YAML file may set (config-loader.ts merges them), validated with zod so that a bad value
 * stops the daemon with a message naming the key. `startNanoprobe` accepts the same shape, unvalidated
 * (z.input), and validates it itself.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { hostnameSchema } from '../protocol/messages/common';
import { MAX_ANNOUNCED_ADDRESSES } from '../protocol/messages/membership';
import { DEFAULT_BOOTSTRAP_PORT, DEFAULT_MULTICAST_GROUP } from '../protocol/net/multicast';
import { LOG_LEVELS } from './logger';
import { describeIssues } from '../common/layered-config';

const port = z.number().int().min(0).max(65_535);
const ms = (min: number, max: number) => z.number().int().min(min).max(max);
const ipAddress = z.string().refine((s) => isIP(s) !== 0, 'expected an IPv4 or IPv6 address');

type ParsedAddress = { ip: string; prefixLength: number };
type ParsedHostPort = { host: string; port: number };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseAddress(value: unknown): ParsedAddress | undefined {
  // Parsing is idempotent: an already parsed configuration validates again unchanged.
  if (isRecord(value)) return parseAddress(`${String(value.ip)}/${String(value.prefixLength)}`);
  if (typeof value !== 'string') return undefined;
  const [ip = '', prefix, extra] = value.trim().split('/');
  const family = isIP(ip);
  const max = family === 6 ? 128 : 32;
  const prefixLength = prefix === undefined ? max : Number(prefix);
  if (family === 0 || extra !== undefined || prefix === '' || !Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) return undefined;
  return { ip, prefixLength };
}

function parseHostPort(value: unknown): ParsedHostPort | undefined {
  if (isRecord(value)) return typeof value.host === 'string' ? parseHostPort(isIP(value.host) === 6 ? `[${value.host}]:${String(value.port)}` : `${value.host}:${String(value.port)}`) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const host = match?.[1] ?? '';
  const portNumber = Number(match?.[2]);
  if (match === null || isIP(host) === 0 || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65_535) return undefined;
  return { host, port: portNumber };
}

/** `10.0.0.5/24` or `10.0.0.5` (a host address: /32, /128). */
export const addressSpecSchema = z.unknown().transform((value, ctx): ParsedAddress => {
  const parsed = parseAddress(value);
  if (parsed !== undefined) return parsed;
  ctx.addIssue({ code: 'custom', message: 'expected ip/prefix (e.g. 10.0.0.5/24)' });
  return z.NEVER;
});

/** `192.0.2.10:1984` or `[2001:db8::1]:1984`. */
export const hostPortSchema = z.unknown().transform((value, ctx): ParsedHostPort => {
  const parsed = parseHostPort(value);
  if (parsed !== undefined) return parsed;
  ctx.addIssue({ code: 'custom', message: 'expected ip:port (e.g. 192.0.2.10:1984)' });
  return z.NEVER;
});

/** Root keeps its keys under /var/lib; anyone else under their XDG state directory. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.getuid?.() === 0) return '/var/lib/unimatrix/nanoprobe';
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'unimatrix', 'nanoprobe');
}

export const nanoprobeConfigSchema = z
  .object({
    /** Holds the identity (key) file; created 0700. The only state kept across restarts. */
    stateDir: z.string().min(1).default(() => defaultStateDir()),
    /** Announced host name; default os.hostname(). Needed to run several nanoprobes on one machine. */
    hostname: hostnameSchema.optional(),
    /** Announced addresses; default: the host's non-loopback interface addresses (loopback if none). */
    addresses: z.array(addressSpecSchema).max(MAX_ANNOUNCED_ADDRESSES).default([]),
    /** The one UDP socket: heartbeats, the CMA's traffic, and announcements all use it. */
    bind: z
      .object({ host: ipAddress.default('0.0.0.0'), port: port.default(0) })
      .strict()
      .default({ host: '0.0.0.0', port: 0 }),
    /** The CMA's unicast address; when set, announcements go there instead of the multicast group. */
    cma: hostPortSchema.optional(),
    /** File holding the CMA's public keys (else UNIMATRIX_CMA_PUBKEY; else trust on first use). */
    cmaPubkeyFile: z.string().min(1).optional(),
    multicast: z
      .object({
        group: z.ipv4().refine((g) => Number(g.split('.')[0]) >= 224 && Number(g.split('.')[0]) <= 239, 'not an IPv4 multicast group').default(DEFAULT_MULTICAST_GROUP),
        port: port.min(1).default(DEFAULT_BOOTSTRAP_PORT),
        /** IPv4 address of the interface to send announcements on; default: the kernel's route. */
        interface: z.ipv4().optional(),
        ttl: z.number().int().min(0).max(255).default(1),
      })
      .strict()
      .default({ group: DEFAULT_MULTICAST_GROUP, port: DEFAULT_BOOTSTRAP_PORT, ttl: 1 }),
    discovery: z
      .object({
        /** Extra script directories, searched before the project's discovery-scripts/. */
        dirs: z.array(z.string().min(1)).max(64).default([]),
        /** Scripts running at once on this host. */
        maxConcurrent: z.number().int().min(1).max(16).default(2),
        /**
         * A new request's first run waits up to this long (a fixed offset per host and request), so
         * a fleet that starts together does not run every script in the same seconds. 0: at once.
         */
        firstRunSplayMs: z.number().int().min(0).max(3_600_000).default(10_000),
      })
      .strict()
      .default({ dirs: [], maxConcurrent: 2, firstRunSplayMs: 10_000 }),
    announce: z
      .object({
        /** First retry delay; doubles per unanswered announcement up to maxMs. */
        initialMs: ms(10, 60_000).default(500),
        maxMs: ms(10, 600_000).default(10_000),
        /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
        jitter: z.number().min(0).max(0.9).default(0.25),
        /** Retry interval after the CMA refused us (accepted: false). */
        refusedRetryMs: ms(100, 3_600_000).default(30_000),
      })
      .strict()
      .refine((a) => a.initialMs <= a.maxMs, { message: 'initialMs must not exceed maxMs' })
      .default({ initialMs: 500, maxMs: 10_000, jitter: 0.25, refusedRetryMs: 30_000 }),
    /** How long a graceful stop waits for the CMA to acknowledge LEAVE (the whole stop stays under 2 s). */
    leaveTimeoutMs: ms(0, 1_800).default(1_200),
    /** UNEXPECTED_HEARTBEAT reports: at most one per sender per this interval. */
    unexpectedReportIntervalMs: ms(1_000, 3_600_000).default(60_000),
    log: z
      .object({ level: z.enum(LOG_LEVELS).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // One socket carries everything, so the CMA must be reachable in the socket's address family.
    const socketV6 = isIP(c.bind.host) === 6;
    if (c.cma !== undefined && (isIP(c.cma.host) === 6) !== socketV6) {
      ctx.addIssue({ code: 'custom', path: ['cma'], message: `the CMA address ${c.cma.host} is not in the address family of bind.host ${c.bind.host}` });
    }
    if (c.cma === undefined && socketV6) {
      ctx.addIssue({ code: 'custom', path: ['bind', 'host'], message: 'multicast bootstrap is IPv4: bind an IPv4 address or give the CMA unicast address' });
    }
  });

export type NanoprobeConfig = z.output<typeof nanoprobeConfigSchema>;
export type NanoprobeConfigInput = z.input<typeof nanoprobeConfigSchema>;

export class NanoprobeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NanoprobeConfigError';
  }
}

/** Validates a configuration object; the error lists every bad key with its value. */
export function parseNanoprobeConfig(input: unknown, describeSource?: (keyPath: readonly string[]) => string | undefined): NanoprobeConfig {
  const parsed = nanoprobeConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues, input, describeSource);
  throw new NanoprobeConfigError(`invalid nanoprobe configuration:\n  ${problems.join('\n  ')}`);
}
