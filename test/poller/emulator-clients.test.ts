/**
 * The emulator against the clients network engineers use: OpenSSH (`ssh`, key auth, strict host key
 * checking against the emulator's key; with sshpass also password auth) and Netmiko (Python, the
 * screen-scraping library most SSH pollers are built on). Netmiko only works against a device whose
 * prompts, echo, paging commands and enable dialogue are what it expects, so its passing is the
 * realism check. Each part is skipped where its client is not installed (Debian: openssh-client,
 * sshpass, python3-netmiko).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ed25519KeyPair } from '../../poller/emulator/host-key';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';

const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const haveSsh = has('ssh', ['-V']);
const haveSshpass = haveSsh && has('sshpass', ['-V']);
const python = ['python3', '/usr/bin/python3'].find((p) => has(p, ['-c', 'import netmiko']));

function run(cmd: string, args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const key = ed25519KeyPair('test-client');
let dir: string;
let emulator: DeviceEmulator;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'emulator-clients-'));
  writeFileSync(path.join(dir, 'id'), key.private);
  chmodSync(path.join(dir, 'id'), 0o600);
  emulator = await DeviceEmulator.start({
    credentials: [{ username: 'admin', password: 'admin', publicKeys: [key.public] }],
    devices: [
      { name: 'core-01', platform: 'cisco_ios', enableSecret: 's3cret' },
      { name: 'mx-01', platform: 'juniper_junos' },
      { name: 'nx-01', platform: 'cisco_nxos' },
      { name: 'leaf-01', platform: 'arista_eos' },
    ],
  });
  writeFileSync(path.join(dir, 'known_hosts'), emulator.devices().map((d) => `${emulator.knownHostsLine(d.port!)}\n`).join(''));
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sshArgs(port: number, extra: string[] = []): string[] {
  return [
    '-F', '/dev/null',
    '-o', `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=20',
    '-p', String(port),
    ...extra,
  ];
}
const keyAuth = (): string[] => ['-i', path.join(dir, 'id'), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no'];

(haveSsh ? describe : describe.skip)('OpenSSH client', () => {
  it('runs a command on the exec channel with key auth, checking the host key', async () => {
    const port = emulator.endpoint('core-01').port;
    const r = await run('ssh', [...sshArgs(port, keyAuth()), 'admin@127.0.0.1', 'show version']);
    expect(r.stderr).not.toMatch(/WARNING|Host key verification failed/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('core-01 uptime is');
    expect(r.stdout).toContain('Configuration register is 0x2102');
  });

  it('drives an interactive shell (-tt) from a script: paging off, a filter, exit', async () => {
    const port = emulator.endpoint('core-01').port;
    const r = await run('ssh', [...sshArgs(port, keyAuth()), '-tt', 'admin@127.0.0.1'], 'terminal length 0\nshow ip interface brief | include Loopback\nexit\n');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/WARNING|failed/) as unknown });
    expect(r.stdout).toContain('core-01>');
    expect(r.stdout).toContain('Loopback0                  10.0.1.2        YES NVRAM  up                    up');
    expect(r.stdout).not.toContain('--More--');
  });

  (haveSshpass ? it : it.skip)('logs in with a password (sshpass)', async () => {
    const port = emulator.endpoint('mx-01').port;
    const r = await run('sshpass', ['-p', 'admin', 'ssh', ...sshArgs(port, ['-o', 'PubkeyAuthentication=no']), 'admin@127.0.0.1', 'show version | match Hostname']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Hostname: mx-01\r\n');
  });
});

/** One Netmiko run per platform; prints a JSON object of what it saw. */
const NETMIKO_SCRIPT = `
import json, sys
from netmiko import ConnectHandler
targets = json.loads(sys.argv[1])
seen = {}
for t in targets:
    c = ConnectHandler(device_type=t['type'], host='127.0.0.1', port=t['port'], username='admin',
                       password='admin', secret='s3cret', fast_cli=True, timeout=30)
    r = {'prompt': c.find_prompt(), 'version': c.send_command('show version')}
    if t['type'] == 'cisco_ios':
        r['uptime'] = c.send_command('show version | include uptime')
        c.enable()
        r['enabled_prompt'] = c.find_prompt()
        r['config'] = c.send_command('show running-config')
        r['config_push'] = c.send_config_set(['interface Ethernet0/2', 'no shutdown'])
        r['brief'] = c.send_command('show ip interface brief')
    c.disconnect()
    seen[t['type']] = r
print(json.dumps(seen))
`;

(python ? describe : describe.skip)('Netmiko', () => {
  it('connects as cisco_ios, juniper_junos, cisco_nxos and arista_eos and gets the fixtures back', async () => {
    const targets = [
      { type: 'cisco_ios', port: emulator.endpoint('core-01').port },
      { type: 'juniper_junos', port: emulator.endpoint('mx-01').port },
      { type: 'cisco_nxos', port: emulator.endpoint('nx-01').port },
      { type: 'arista_eos', port: emulator.endpoint('leaf-01').port },
    ];
    const r = await run(python!, ['-c', NETMIKO_SCRIPT, JSON.stringify(targets)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as Record<string, Record<string, string>>;
    const ios = seen.cisco_ios!;
    expect(ios.prompt).toBe('core-01>');
    // Netmiko strips the echo and the prompt: what is left is the fixture, line for line.
    const fixture = emulator.device('core-01').output('show version')!.trimEnd();
    expect(ios.version!.split('\n').filter((l) => !/uptime is/.test(l))).toEqual(fixture.split('\n').filter((l) => !/uptime is/.test(l)));
    expect(ios.uptime).toMatch(/^core-01 uptime is \d+ (year|week|day)/);
    expect(ios.enabled_prompt).toBe('core-01#');
    expect(ios.config).toContain('hostname core-01');
    expect(ios.config_push).toContain('core-01(config-if)#');
    expect(ios.brief).toMatch(/Ethernet0\/2 +unassigned +YES NVRAM +up +up/);

    expect(seen.juniper_junos!.prompt).toBe('admin@mx-01>');
    expect(seen.juniper_junos!.version).toContain('Hostname: mx-01\nModel: mx240');
    expect(seen.cisco_nxos!.prompt).toBe('nx-01#');
    expect(seen.cisco_nxos!.version).toContain('Device name: nx-01');
    expect(seen.arista_eos!.prompt).toBe('leaf-01>');
    expect(seen.arista_eos!.version).toContain('Software image version: 4.27.6M');
  }, 180_000);
});
