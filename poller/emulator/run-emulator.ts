/**
 * `unimatrix emulator --devices N --base-port P`: the emulator as a long-running process for manual
 * poller runs. Options come from a command line (strings or numbers) or JSON, so they are validated
 * here; the process prints where the devices are and runs until SIGINT / SIGTERM (or `signal`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import { PLATFORM_IDS } from './device-profile';
import { parseDeviceSpec, type Credential, type DeviceSpec } from './device-spec';
import { fleetSpecs } from './fleet';
import { DeviceEmulator } from './ssh-device-server';

const count = z.coerce.number().int().min(0);

export const runEmulatorSchema = z
  .object({
    devices: count.max(100_000).default(10),
    basePort: z.coerce.number().int().min(0).max(65_535).default(10_022),
    host: z.string().min(1).default('127.0.0.1'),
    listen: z.enum(['per-device', 'shared']).default('per-device'),
    platforms: z.array(z.enum(PLATFORM_IDS)).optional(),
    prefix: z.string().regex(/^[A-Za-z0-9._-]+$/).default('dev'),
    username: z.string().min(1).regex(/^[^%@\s]+$/).default('admin'),
    password: z.string().default('admin'),
    /** A file of OpenSSH public keys (authorized_keys format) accepted for `username`. */
    authorizedKeys: z.string().optional(),
    enableSecret: z.string().min(1).optional(),
    latencyMs: count.optional(),
    /** A JSON file with an array of device specs; replaces the generated fleet. */
    devicesFile: z.string().optional(),
    /** Print one line per device (name, platform, host, port, login). */
    list: z.boolean().default(false),
  })
  .strict();

export type RunEmulatorOptions = z.input<typeof runEmulatorSchema>;

export interface RunEmulatorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Stops the emulator when aborted; default: SIGINT or SIGTERM. */
  signal?: AbortSignal;
}

const processIo: RunEmulatorIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

/** Starts the emulator, prints a summary line (JSON), and resolves once it has been stopped. */
export async function runEmulator(input: unknown, io: RunEmulatorIo = processIo): Promise<void> {
  const parsed = runEmulatorSchema.safeParse(input ?? {});
  if (!parsed.success) throw new TypeError(`emulator options: ${formatIssues(parsed.error.issues, { root: 'options' })}`);
  const o = parsed.data;
  const credential: Credential = { username: o.username, password: o.password };
  if (o.authorizedKeys !== undefined) credential.publicKeys = readKeys(o.authorizedKeys);
  const devices: DeviceSpec[] = o.devicesFile !== undefined ? readDevices(o.devicesFile) : fleetSpecs(o.devices, { platforms: o.platforms, prefix: o.prefix, enableSecret: o.enableSecret, latencyMs: o.latencyMs });
  const emulator = await DeviceEmulator.start({ devices, listen: o.listen, host: o.host, basePort: o.basePort, credentials: [credential] });
  const ports = emulator.devices().map((d) => d.port ?? 0);
  const first = emulator.devices()[0];
  io.stdout(
    `${JSON.stringify({
      emulator: 'listening',
      listen: o.listen,
      host: o.host,
      devices: devices.length,
      ports: o.listen === 'shared' && first ? emulator.endpoint(first.name).port : ports.length > 0 ? `${Math.min(...ports)}-${Math.max(...ports)}` : null,
      login: o.listen === 'shared' ? `${o.username}%<device>` : o.username,
      hostKey: emulator.hostKey.publicKey,
    })}\n`,
  );
  if (o.list) {
    for (const d of emulator.devices()) {
      const ep = emulator.endpoint(d.name);
      io.stdout(`${d.name}\t${d.platform}\t${ep.host}\t${ep.port}\t${ep.login(o.username)}\n`);
    }
  }
  await stopped(io.signal);
  await emulator.stop();
  io.stderr(`emulator stopped after ${emulator.stats().commands} commands\n`);
}

function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

function readKeys(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function readDevices(file: string): DeviceSpec[] {
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(data)) throw new TypeError(`${file}: expected a JSON array of device specs`);
  return data.map((d: unknown) => parseDeviceSpec(d));
}
