/**
 * How a test or the CLI describes one emulated device, and its validation: device lists may come
 * from JSON files, so `parseDeviceSpec` takes `unknown` and names the bad field.
 */
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import { PLATFORM_IDS, type PlatformId } from './device-profile';

export interface Credential {
  username: string;
  password?: string;
  /** OpenSSH public key lines (`ssh-ed25519 AAAA… comment`), as in authorized_keys. */
  publicKeys?: readonly string[];
  /** 15 logs in privileged (`host#`, as an IOS `privilege 15` user); 1 (default) at user exec (`host>`). */
  privilege?: 1 | 15;
}

export interface DeviceSpec {
  /** Unique in the emulator; selects the device on the shared port (`admin%<name>`). */
  name: string;
  platform: PlatformId;
  /** What the prompt shows; default: the name. */
  hostname?: string;
  /** Per-device listening mode: this port (default: basePort + index, or an ephemeral one). */
  port?: number;
  /** Who may log in; default: the emulator's credentials. */
  credentials?: readonly Credential[];
  /** The `enable` secret; without one, `enable` answers as the platform does when none is set. */
  enableSecret?: string;
  /** Command (canonical, `show version`) → output text, replacing or adding to the fixtures. */
  outputs?: Readonly<Record<string, string>>;
  /** Delay before each command's output, in ms. */
  latencyMs?: number;
  /** Lines per screen before the pager stops (default 24; 0: no paging until the user asks). */
  pageLength?: number;
  /** When the device booted, ms since the epoch; default: a stable time 1–400 days before start. */
  bootTime?: number;
}

const credentialSchema = z
  .object({
    username: z.string().min(1).regex(/^[^%@\s]+$/, 'no %, @ or blanks: they select the device on the shared port'),
    password: z.string().optional(),
    publicKeys: z.array(z.string().min(1)).optional(),
    privilege: z.union([z.literal(1), z.literal(15)]).optional(),
  })
  .strict();

/** Canonical command words: keywords only, lower case (arguments would need a grammar of their own). */
const commandKey = z
  .string()
  .min(1)
  .refine((s) => /^[a-z0-9][a-z0-9-]*( [a-z0-9][a-z0-9-]*)*$/.test(s), 'a command is lower-case keywords separated by single spaces');

export const deviceSpecSchema = z
  .object({
    name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    platform: z.enum(PLATFORM_IDS),
    hostname: z.string().min(1).regex(/^\S+$/, 'no blanks').optional(),
    port: z.number().int().min(0).max(65_535).optional(),
    credentials: z.array(credentialSchema).min(1).optional(),
    enableSecret: z.string().min(1).optional(),
    outputs: z.record(commandKey, z.string()).optional(),
    latencyMs: z.number().int().min(0).optional(),
    pageLength: z.number().int().min(0).max(32_767).optional(),
    bootTime: z.number().int().min(0).optional(),
  })
  .strict();

export function parseCredential(input: unknown): Credential {
  const r = credentialSchema.safeParse(input);
  if (!r.success) throw new TypeError(`bad credential: ${formatIssues(r.error.issues, { root: 'credential' })}`);
  return r.data;
}

export function parseDeviceSpec(input: unknown): DeviceSpec {
  const r = deviceSpecSchema.safeParse(input);
  if (!r.success) throw new TypeError(`bad device spec: ${formatIssues(r.error.issues, { root: 'device' })}`);
  return r.data;
}
