/**
 * Pollers: processes that poll network devices over SSH for the CMA (docs/architecture.md,
 * "Pollers"). A poller announces itself like a nanoprobe (ANNOUNCE with role `poller`, its own pinned
 * key), then says which workers it runs; the CMA assigns devices to workers by rendezvous hashing
 * and sends each poller the changes; a worker confirms a device once its first poll worked (the old
 * holder stops only then), and reports a command's result when it changed.
 *
 * Credentials never travel: a task names a credential the poller holds in its own configuration.
 */
import { z } from 'zod';
import { epochMs, errorCodeSchema, jsonValueSchema, nonNegativeInt, portNumber, positiveInt, safeName, shortText, wireInt } from './common';

export const MAX_POLLER_WORKERS = 256;
export const MAX_TASKS_PER_ASSIGN = 512;
export const MAX_COMMANDS_PER_DEVICE = 32;
export const MAX_RESULT_RECORDS = 10_000;
/** Longest interval the CMA may ask for between polls of one command (a day). */
export const MAX_POLL_INTERVAL_SECONDS = 86_400;

/** A worker's index within its poller: the worker's stable id is `<poller key id>/<index>`. */
export const workerIndexSchema = wireInt.pipe(z.int().min(0).max(MAX_POLLER_WORKERS - 1));

/** Platforms as Netmiko and ntc-templates name them (cisco_ios, arista_eos, …): open-ended on purpose. */
export const platformSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'platform is lower-case letters, digits and _');

/** A device's key in the graph (its management name): the unit that is assigned and handed over. */
export const deviceKeySchema = safeName;

/** A CLI command: one printable line. */
export const cliCommandSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^\p{Cc}]+$/u, 'a command is one line without control characters');

export const pollerWorkersSchema = z.object({
  /** Every worker the poller runs now; a worker left out is gone (its devices move). */
  workers: z
    .array(
      z.object({
        index: workerIndexSchema,
        /** Sessions it can hold: the worker's weight in rendezvous hashing. */
        capacity: positiveInt,
        /** `draining`: keeps what it has until the new holders confirm, takes nothing new. */
        state: z.enum(['up', 'draining']),
      }),
    )
    .max(MAX_POLLER_WORKERS),
});

export const pollCommandSchema = z.object({
  command: cliCommandSchema,
  intervalSeconds: positiveInt.pipe(z.int().max(MAX_POLL_INTERVAL_SECONDS)),
  /** The TextFSM template that parses it (ntc-templates' file name); absent: kept as text. */
  template: safeName.optional(),
});

export const deviceTaskSchema = z.object({
  device: deviceKeySchema,
  /** Where to reach it: an address or a name the poller resolves. */
  address: z.string().min(1).max(255),
  port: portNumber,
  platform: platformSchema,
  /** A credential of the poller's own configuration. */
  credential: safeName,
  /** SHA-256 of the device's SSH host key, base64 as OpenSSH prints it; absent: trusted on first use. */
  hostKeySha256: z.string().regex(/^[A-Za-z0-9+/]{43}=?$/, 'expected an OpenSSH SHA256 fingerprint').optional(),
  commands: z.array(pollCommandSchema).min(1).max(MAX_COMMANDS_PER_DEVICE),
});

export const pollerAssignSchema = z.object({
  /** Increases with every change of the assignment: a poller ignores an older one. */
  epoch: nonNegativeInt,
  worker: workerIndexSchema,
  /** Devices to start polling (or to poll with new tasks). */
  start: z.array(deviceTaskSchema).max(MAX_TASKS_PER_ASSIGN),
  /** Devices to stop polling: their new holder confirmed them, or they were removed. */
  stop: z.array(deviceKeySchema).max(MAX_TASKS_PER_ASSIGN),
});

export const pollerConfirmSchema = z.object({
  epoch: nonNegativeInt,
  worker: workerIndexSchema,
  device: deviceKeySchema,
  /** When its first poll on this worker succeeded (the poller's clock). */
  firstPollAt: epochMs,
});

export const pollOutcomeSchema = z.discriminatedUnion('ok', [
  /** Parsed by the task's template (rows as TextFSM gives them), or the text when it has none. */
  z.object({
    ok: z.literal(true),
    records: z.array(z.record(z.string().max(128), jsonValueSchema)).max(MAX_RESULT_RECORDS).optional(),
    text: z.string().max(1024 * 1024).optional(),
  }),
  z.object({ ok: z.literal(false), code: errorCodeSchema, message: shortText }),
]);

export const pollResultSchema = z.object({
  worker: workerIndexSchema,
  device: deviceKeySchema,
  command: cliCommandSchema,
  /** SHA-256 (hex) of the command's output: the poller sends a result only when it changes. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
  startedAt: epochMs,
  durationMs: nonNegativeInt,
  outcome: pollOutcomeSchema,
});
