/**
 * `runEmulator` (what `unimatrix emulator` calls) and the checks at the emulator's edges: options,
 * device specs and faults come from command lines and JSON, so bad ones are refused with the field named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { utils } from 'ssh2';
import { parseDeviceSpec } from '../../poller/emulator/device-spec';
import { validateFault } from '../../poller/emulator/faults';
import { ed25519KeyPair } from '../../poller/emulator/host-key';
import { fleetSpecs } from '../../poller/emulator/fleet';
import { runEmulator } from '../../poller/emulator/run-emulator';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { connect, execCommand } from '../../poller/emulator/testing/shell-client';

function capture(): { lines: string[]; io: { stdout: (t: string) => void; stderr: (t: string) => void; signal: AbortSignal }; abort: () => void; next: () => Promise<void> } {
  const lines: string[] = [];
  const controller = new AbortController();
  let wake: (() => void) | undefined;
  return {
    lines,
    io: {
      stdout: (t) => {
        lines.push(...t.split('\n').filter((l) => l !== ''));
        wake?.();
      },
      stderr: () => undefined,
      signal: controller.signal,
    },
    abort: () => controller.abort(),
    next: () => new Promise<void>((resolve) => (wake = resolve)),
  };
}

describe('runEmulator', () => {
  it('starts a fleet, prints where it is, serves it, and stops when told', async () => {
    const out = capture();
    const printed = out.next();
    const running = runEmulator({ devices: '3', basePort: '0', list: true, platforms: ['juniper_junos', 'cisco_ios'] }, out.io);
    // A failed start rejects `running` and prints nothing: wait for either.
    await Promise.race([printed, running]);
    while (out.lines.length < 4) await out.next();
    const summary = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(summary).toMatchObject({ emulator: 'listening', listen: 'per-device', devices: 3, login: 'admin' });
    expect(String(summary.hostKey)).toMatch(/^ssh-ed25519 /);
    const rows = out.lines.slice(1).map((l) => l.split('\t'));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['dev1', 'juniper_junos'],
      ['dev2', 'cisco_ios'],
      ['dev3', 'juniper_junos'],
    ]);
    const client = await connect({ host: '127.0.0.1', port: Number(rows[1]![3]), username: 'admin', password: 'admin' });
    expect((await execCommand(client, 'show version | include uptime')).output).toMatch(/^dev2 uptime is/);
    client.end();
    out.abort();
    await running;
  });

  it('refuses bad options with the field named', async () => {
    await expect(runEmulator({ devices: -1 })).rejects.toThrow(/devices/);
    await expect(runEmulator({ listen: 'everywhere' })).rejects.toThrow(/listen/);
    await expect(runEmulator({ devcies: 3 })).rejects.toThrow(/devcies/);
  });

  it('reads devices from a JSON file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emulator-run-'));
    try {
      const file = path.join(dir, 'devices.json');
      writeFileSync(file, JSON.stringify([{ name: 'edge', platform: 'arista_eos', hostname: 'edge-1.lab' }]));
      const out = capture();
      const printed = out.next();
      const running = runEmulator({ devicesFile: file, basePort: 0, list: true }, out.io);
      await Promise.race([printed, running]);
      while (out.lines.length < 2) await out.next();
      expect(out.lines[1]!.split('\t').slice(0, 2)).toEqual(['edge', 'arista_eos']);
      out.abort();
      await running;
      writeFileSync(file, JSON.stringify([{ name: 'edge', platform: 'cisco_xr' }]));
      await expect(runEmulator({ devicesFile: file }, out.io)).rejects.toThrow(/platform/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validation at the edges', () => {
  it('checks device specs', () => {
    expect(parseDeviceSpec({ name: 'r1', platform: 'cisco_ios', outputs: { 'show clock': 'x\n' } }).name).toBe('r1');
    expect(() => parseDeviceSpec({ name: 'r 1', platform: 'cisco_ios' })).toThrow(/name/);
    expect(() => parseDeviceSpec({ name: 'r1', platform: 'cisco_ios', outputs: { 'Show  Clock': 'x' } })).toThrow(/outputs/);
    expect(() => parseDeviceSpec({ name: 'r1', platform: 'cisco_ios', credentials: [{ username: 'a%b' }] })).toThrow(/username/);
  });

  it('checks faults', () => {
    expect(() => validateFault({ kind: 'slow', bytesPerChunk: 0, intervalMs: 1 })).toThrow(/bytesPerChunk/);
    expect(() => validateFault({ kind: 'explode' })).toThrow(/unknown fault/);
    expect(() => validateFault({ kind: 'stall', at: 'never' })).toThrow(/at must be/);
    expect(() => validateFault({ kind: 'drop', afterBytes: 10, times: 2 })).not.toThrow();
  });

  it('refuses duplicate device names and a taken port', async () => {
    await expect(DeviceEmulator.start({ devices: fleetSpecs(2).map((d) => ({ ...d, name: 'same' })) })).rejects.toThrow(/duplicate/);
    const first = await DeviceEmulator.start({ devices: fleetSpecs(1) });
    try {
      const port = first.endpoint('dev1').port;
      await expect(DeviceEmulator.start({ devices: [{ name: 'x', platform: 'cisco_ios', port }] })).rejects.toThrow(/cannot listen/);
    } finally {
      await first.stop();
    }
  });

  it('makes host keys ssh2 can read: Ed25519 every time (its generator alone fails ~1 in 220), RSA as PKCS#1', async () => {
    for (let i = 0; i < 2000; i++) expect(utils.parseKey(ed25519KeyPair().private)).not.toBeInstanceOf(Error);
    const rsa = await DeviceEmulator.start({ hostKey: 'rsa', devices: [{ name: 'r1', platform: 'cisco_ios' }] });
    try {
      expect(rsa.hostKey.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
      expect(rsa.hostKey.publicKey).toMatch(/^ssh-rsa AAAA/);
      const ep = rsa.endpoint('r1');
      const client = await connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' });
      expect((await execCommand(client, 'show clock')).code).toBe(0);
      client.end();
    } finally {
      await rsa.stop();
    }
  });
});
