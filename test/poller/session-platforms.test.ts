/**
 * CliSession against the real emulator over real SSH on 127.0.0.1: for each platform, the prompt is
 * learned, paging is turned off (the devices page at 24 lines), outputs come back exactly as the
 * device's exec channel prints them, `show version` parses with the platform's TextFSM template,
 * and commands queued at once are answered one at a time, each with its own output. No assertion
 * depends on time: the emulator runs on a fixed clock, and waits are for outcomes.
 */
import path from 'node:path';
import { ed25519KeyPair } from '../../poller/emulator/host-key';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { connect, execCommand } from '../../poller/emulator/testing/shell-client';
import { CliSession } from '../../poller/session/cli-session';
import type { PlatformId } from '../../poller/session/platforms';
import { emulatorTarget } from '../../poller/session/testing/emulator-targets';
import { TemplateLibrary } from '../../poller/textfsm';

const NOW = Date.UTC(2024, 0, 15, 8, 0, 0);
const templates = new TemplateLibrary(path.join(__dirname, '..', 'fixtures', 'ntc-templates', 'templates'));
const clientKey = ed25519KeyPair('poller-test');

let emulator: DeviceEmulator;
const sessions: CliSession[] = [];

beforeAll(async () => {
  emulator = await DeviceEmulator.start({
    clock: () => NOW,
    credentials: [
      { username: 'admin', password: 'admin' },
      { username: 'poller', publicKeys: [clientKey.public] },
    ],
    devices: [
      { name: 'ios-1', platform: 'cisco_ios', hostname: 'core-01' },
      { name: 'nx-1', platform: 'cisco_nxos', hostname: 'spine-01' },
      { name: 'eos-1', platform: 'arista_eos', hostname: 'leaf-01' },
      { name: 'junos-1', platform: 'juniper_junos', hostname: 'edge-01' },
    ],
  });
});
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await emulator.stop();
});

function open(name: string): CliSession {
  const s = new CliSession({ name, platform: emulator.device(name).platform, target: emulatorTarget(emulator, name), commandTimeoutMs: 20_000 });
  sessions.push(s);
  return s;
}

/** What the device prints for `command` on its exec channel (no prompt, no pager), with LF line ends. */
async function viaExec(name: string, command: string): Promise<string> {
  const ep = emulator.endpoint(name);
  const client = await connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' });
  try {
    return (await execCommand(client, command)).output.replace(/\r\n/g, '\n');
  } finally {
    client.end();
  }
}

const cases: Array<{ device: string; platform: PlatformId; prompt: string; long: string; fields: Record<string, string> }> = [
  { device: 'ios-1', platform: 'cisco_ios', prompt: 'core-01>', long: 'show version', fields: { hostname: 'core-01', version: '12.2(54)SG1', config_register: '0x2102' } },
  { device: 'nx-1', platform: 'cisco_nxos', prompt: 'spine-01# ', long: 'show version', fields: { hostname: 'spine-01', os: '6.1(2)I3(1)', platform: 'C9396PX' } },
  { device: 'eos-1', platform: 'arista_eos', prompt: 'leaf-01>', long: 'show interfaces', fields: { model: 'CCS-720XP-24ZY4-F', image: '4.27.6M' } },
  { device: 'junos-1', platform: 'juniper_junos', prompt: 'admin@edge-01> ', long: 'show version', fields: { hostname: 'edge-01', model: 'mx240', junos_version: '13.3R1.4' } },
];

describe.each(cases)('$platform over SSH', ({ device, platform, prompt, long, fields }) => {
  it('learns the prompt and turns paging off', async () => {
    const s = open(device);
    await s.connect();
    const info = s.info();
    expect(info.state).toBe('ready');
    expect(info.prompt).toBe(prompt);
    expect(info.setupRefused).toEqual([]);
    const out = await s.run(long);
    // Longer than the device's 24-line screen, and no pager was met: paging is off.
    expect(out.split('\n').length).toBeGreaterThan(24);
    expect(s.info().counters.pagerPrompts).toBe(0);
    expect(out).toBe(await viaExec(device, long));
  });

  it('gets show version, which parses with the TextFSM template into the expected fields', async () => {
    const s = open(device);
    const out = await s.run('show version');
    const records = templates.parseOutput(platform, 'show version', out);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject(fields);
  });

  it('answers many commands queued at once one at a time, each with its own output', async () => {
    const s = open(device);
    await s.connect();
    const commands = ['show version', 'show clock', long, 'show version | count', 'show clock'];
    // Junos has no `show clock`; `show system uptime` is its command that reads the clock.
    const mapped = platform === 'juniper_junos' ? commands.map((c) => c.replace('show clock', 'show system uptime')) : commands;
    const all = [...mapped, ...mapped, ...mapped];
    const expected = new Map<string, string>();
    for (const c of new Set(all)) expected.set(c, await viaExec(device, c));
    const outputs = await Promise.all(all.map((c) => s.run(c)));
    outputs.forEach((out, i) => expect(out).toBe(expected.get(all[i]!)));
    expect(s.info().counters.connects).toBe(1);
  });
});

it('logs in with a private key instead of a password', async () => {
  const s = new CliSession({ name: 'ios-1', platform: 'cisco_ios', target: emulatorTarget(emulator, 'ios-1', { username: 'poller', password: undefined, privateKey: clientKey.private }) });
  sessions.push(s);
  expect(await s.run('show clock')).toMatch(/UTC/);
  const refused = new CliSession({ name: 'ios-1', platform: 'cisco_ios', target: emulatorTarget(emulator, 'ios-1', { username: 'poller', password: undefined, privateKey: ed25519KeyPair('other').private }) });
  sessions.push(refused);
  await expect(refused.connect()).rejects.toMatchObject({ code: 'auth_failed' });
});
