/**
 * The `pollers` section of the CMA's configuration: the network devices to poll and how, and the
 * lease a poller must renew. A device names a credential the pollers hold (never a password here)
 * and may list its own commands; otherwise its platform's defaults are polled.
 */
import { z } from 'zod';
import { cliCommandSchema, deviceKeySchema, platformSchema } from '../../protocol/messages/poller';
import type { DeviceTask } from './assign-messages';

const commandSchema = z
  .object({
    command: cliCommandSchema,
    intervalSeconds: z.number().int().min(1).max(86_400),
    template: z.string().min(1).max(128).optional(),
  })
  .strict();

const deviceSchema = z
  .object({
    name: deviceKeySchema,
    address: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65_535).default(22),
    platform: platformSchema,
    credential: deviceKeySchema,
    /** SHA-256 host-key fingerprint (OpenSSH base64); absent: trusted on first use by the poller. */
    hostKeySha256: z.string().regex(/^[A-Za-z0-9+/]{43}=?$/).optional(),
    commands: z.array(commandSchema).min(1).max(32).optional(),
  })
  .strict();

export const pollersConfigSchema = z
  .object({
    /** A poller not heard from (POLLER_WORKERS) for this long is gone; its devices move. */
    leaseSeconds: z.number().int().min(5).max(600).default(30),
    devices: z.array(deviceSchema).max(100_000).default([]),
  })
  .strict();

export type PollersConfig = z.infer<typeof pollersConfigSchema>;

/** What is polled when a device lists nothing: identity now and then, interfaces and neighbours often. */
export const DEFAULT_COMMANDS: Readonly<Record<string, ReadonlyArray<{ command: string; intervalSeconds: number }>>> = {
  cisco_ios: [
    { command: 'show version', intervalSeconds: 3600 },
    { command: 'show interfaces', intervalSeconds: 60 },
    { command: 'show lldp neighbors detail', intervalSeconds: 300 },
  ],
  cisco_nxos: [
    { command: 'show version', intervalSeconds: 3600 },
    { command: 'show interface', intervalSeconds: 60 },
    { command: 'show lldp neighbors detail', intervalSeconds: 300 },
  ],
  arista_eos: [
    { command: 'show version', intervalSeconds: 3600 },
    { command: 'show interfaces', intervalSeconds: 60 },
    { command: 'show lldp neighbors', intervalSeconds: 300 },
  ],
  juniper_junos: [
    { command: 'show chassis hardware', intervalSeconds: 3600 },
    { command: 'show interfaces', intervalSeconds: 60 },
    { command: 'show lldp neighbors', intervalSeconds: 300 },
  ],
};

/** Devices as the tasks POLLER_ASSIGN carries; a platform without defaults and no commands is an error. */
export function tasksFromConfig(config: PollersConfig): DeviceTask[] {
  const seen = new Set<string>();
  return config.devices.map((d) => {
    if (seen.has(d.name)) throw new Error(`pollers.devices: ${d.name} is listed twice`);
    seen.add(d.name);
    const commands = d.commands ?? DEFAULT_COMMANDS[d.platform];
    if (commands === undefined) {
      throw new Error(`pollers.devices: ${d.name} has platform ${d.platform}, which has no default commands; list its commands`);
    }
    return {
      device: d.name,
      address: d.address,
      port: d.port,
      platform: d.platform,
      credential: d.credential,
      ...(d.hostKeySha256 === undefined ? {} : { hostKeySha256: d.hostKeySha256 }),
      commands: commands.map((c) => ({ ...c })),
    };
  });
}
