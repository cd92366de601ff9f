/**
 * The device emulator in a child process of its own (poller/emulator/run-emulator.ts with `list`),
 * so a benchmark's figures are the poller's alone. Resolves once the emulator has listed every
 * device: its header line (device count, host key), then one tab-separated line per device.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export type ListedDevice = { name: string; platform: string; host: string; port: number; login: string };
export type EmulatorChild = { pid: number; hostKey: string; devices: ListedDevice[]; stop: () => Promise<void> };

export function startEmulatorChild(options: { devices: number; listen?: string }, bench: string): Promise<EmulatorChild> {
  const entry = path.join(__dirname, '..', '..', 'poller', 'emulator', 'run-emulator.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: run the compiled benchmark (npm run bench -- ${bench})`);
  const runOptions = { ...options, basePort: 0, list: true };
  const script = `require(${JSON.stringify(entry)}).runEmulator(${JSON.stringify(runOptions)}).catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let header: { devices: number; hostKey: string } | undefined;
    const listed: ListedDevice[] = [];
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!header) {
          header = JSON.parse(line) as { devices: number; hostKey: string };
          continue;
        }
        const [name, platform, host, port, login] = line.split('\t');
        listed.push({ name: name!, platform: platform!, host: host!, port: Number(port), login: login! });
      }
      if (header && listed.length === header.devices) {
        child.removeAllListeners('exit');
        const stop = (): Promise<void> =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          });
        resolve({ pid: child.pid!, hostKey: header.hostKey, devices: listed, stop });
      }
    });
  });
}
