/**
 * Discovery: the CMA asks a host to run a named script on a schedule; the host sends a result when the
 * output changed. Large results travel in one message; the transport fragments them.
 */
import { z } from 'zod';
import { epochMs, errorCodeSchema, jsonValueSchema, nonNegativeInt, positiveInt, shortText, wireInt } from './common';
import { discoveryNameSchema } from './discovery-envelope';

export const MAX_DISCOVERY_PARAMETERS = 64;
export const MAX_PARAMETER_VALUE_CHARS = 4096;
export const MAX_STDERR_EXCERPT_CHARS = 4096;
/** Longest discovery run the CMA may ask for (one hour). */
export const MAX_DISCOVERY_TIMEOUT_SECONDS = 3600;

/** Parameter names become environment variables (with a prefix), so they follow env-var rules. */
const parameterName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'parameter names are letters, digits, _');

export const discoveryRequestSchema = z.object({
  name: discoveryNameSchema,
  /** Seconds between runs; 0 runs once. */
  repeatSeconds: nonNegativeInt,
  timeoutSeconds: positiveInt.pipe(z.int().max(MAX_DISCOVERY_TIMEOUT_SECONDS)),
  parameters: z
    .record(parameterName, z.string().max(MAX_PARAMETER_VALUE_CHARS))
    .refine((p) => Object.keys(p).length <= MAX_DISCOVERY_PARAMETERS, {
      message: `at most ${MAX_DISCOVERY_PARAMETERS} parameters`,
    }),
});

export const discoveryOutcomeSchema = z.discriminatedUnion('ok', [
  /** The script printed one JSON document (carried as a msgpack value). */
  z.object({ ok: z.literal(true), document: jsonValueSchema }),
  /** No usable document: invalid JSON, too much output, timeout, wrong shape… */
  z.object({ ok: z.literal(false), code: errorCodeSchema, message: shortText }),
]);

export const discoveryResultSchema = z.object({
  name: discoveryNameSchema,
  /** SHA-256 (hex) of the script's output; the host sends a result only when it changes. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
  /** Exit status, or null when the script was killed by a signal (see `signal`). */
  exitStatus: wireInt.pipe(z.int().min(0).max(255)).nullable(),
  signal: z.string().max(16).nullable(),
  stderr: z.string().max(MAX_STDERR_EXCERPT_CHARS),
  startedAt: epochMs,
  durationMs: nonNegativeInt,
  outcome: discoveryOutcomeSchema,
});
