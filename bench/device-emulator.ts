/**
 * `npm run bench -- device-emulator [--devices 2000] [--sessions 100] [--seconds 10] [--listen per-device|shared]`:
 * what the SSH device emulator costs and how fast it answers. The emulator runs in a child process
 * (`runEmulator`, as `unimatrix emulator` runs it), so its RSS and CPU are its own and the clients
 * in this process do not share its event loop. `--sessions` ssh2 clients log in (password), spread
 * over the devices, turn paging off and run `show version` in a loop, each waiting for the prompt
 * before sending the next (as a poller does), for `--seconds`. Figures: logins/s while the sessions
 * open, commands/s over the window, the emulator's RSS idle (all devices listening, no session) and
 * at the end of the window, and its CPU over the window (100 = one core: on this 2-core machine the
 * clients take the other).
 */
import { startEmulatorChild, type EmulatorChild, type ListedDevice } from './support/emulator-child';
import path from 'node:path';
import { cpuPercent, sampleProcess } from '../nanoprobe/testing/process-usage';
import { connect, ShellSession } from '../poller/emulator/testing/shell-client';

const progress = (message: string): void => void process.stderr.write(`[device-emulator] ${message}\n`);
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function textOption(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
}

type Device = ListedDevice;

/** Starts the emulator in a child process (bench/support/emulator-child.ts). */
function startEmulator(devices: number, listen: string): Promise<EmulatorChild> {
  return startEmulatorChild({ devices, listen }, 'device-emulator');
}

function promptOf(device: Device): RegExp {
  const host = device.name;
  return device.platform === 'juniper_junos' ? new RegExp(`admin@${host}> $`) : new RegExp(`${host}(# |>|#)$`);
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const deviceCount = option(args, 'devices', 2000);
  const sessionCount = Math.min(option(args, 'sessions', 100), deviceCount);
  const seconds = option(args, 'seconds', 10);
  const listen = textOption(args, 'listen', 'per-device');
  if (listen !== 'per-device' && listen !== 'shared') throw new Error('--listen is per-device or shared');

  progress(`starting ${deviceCount} devices (${listen})`);
  const started = performance.now();
  const emulator = await startEmulator(deviceCount, listen);
  const startSeconds = (performance.now() - started) / 1000;
  const idle = sampleProcess(emulator.pid);
  progress(`listening after ${round(startSeconds, 2)} s, RSS ${round(idle.rssMb)} MB`);

  try {
    const step = deviceCount / sessionCount;
    const targets = Array.from({ length: sessionCount }, (_, i) => emulator.devices[Math.floor(i * step)]!);
    const loginStart = performance.now();
    const sessions = await Promise.all(
      targets.map(async (d) => {
        const client = await connect({ host: d.host, port: d.port, username: d.login, password: 'admin', timeoutMs: 120_000 });
        const shell = await ShellSession.open(client);
        const prompt = promptOf(d);
        await shell.waitFor(prompt, 0, 120_000);
        await shell.command(d.platform === 'juniper_junos' ? 'set cli screen-length 0' : 'terminal length 0', prompt, 120_000);
        return { shell, prompt };
      }),
    );
    const loginSeconds = (performance.now() - loginStart) / 1000;
    progress(`${sessionCount} sessions open in ${round(loginSeconds, 2)} s; running show version for ${seconds} s`);

    const before = sampleProcess(emulator.pid);
    const deadline = performance.now() + seconds * 1000;
    let commands = 0;
    await Promise.all(
      sessions.map(async ({ shell, prompt }) => {
        while (performance.now() < deadline) {
          await shell.command('show version', prompt, 120_000);
          // Keep only the tail: a long loop would otherwise hold every output received.
          shell.text = shell.text.slice(-200);
          commands += 1;
        }
      }),
    );
    const after = sampleProcess(emulator.pid);
    const windowSeconds = (after.at - before.at) / 1000;
    for (const { shell } of sessions) shell.end();

    return {
      bench: 'device-emulator',
      devices: deviceCount,
      sessions: sessionCount,
      listen,
      seconds: round(windowSeconds, 2),
      start_s: round(startSeconds, 2),
      logins_per_s: round(sessionCount / loginSeconds),
      commands: commands,
      commands_per_s: round(commands / windowSeconds),
      emulator_cpu_pct: round(cpuPercent(before, after)),
      idle_rss_mb: round(idle.rssMb),
      rss_mb: round(after.rssMb),
      peak_rss_mb: round(after.peakRssMb),
    };
  } finally {
    await emulator.stop();
  }
}
