/**
 * The emulator through real SSH on 127.0.0.1 (ephemeral ports), driven with the ssh2 client: login
 * by password and by key, the shell (prompts, pager, enable, abbreviations, pipes, errors, logout),
 * the exec channel, and both ways of reaching a device (its own port, or the shared port by name).
 */
import { ed25519KeyPair } from '../../poller/emulator/host-key';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { connect, execCommand, ShellSession } from '../../poller/emulator/testing/shell-client';

const clientKey = ed25519KeyPair('test-client');
const otherKey = ed25519KeyPair('test-client');

describe('devices on their own ports', () => {
  let emulator: DeviceEmulator;

  beforeAll(async () => {
    emulator = await DeviceEmulator.start({
      credentials: [
        { username: 'admin', password: 'admin' },
        { username: 'netops', publicKeys: [clientKey.public], privilege: 15 },
      ],
      devices: [
        { name: 'core-01', platform: 'cisco_ios', enableSecret: 's3cret' },
        { name: 'leaf-01', platform: 'arista_eos' },
        { name: 'nx-01', platform: 'cisco_nxos' },
        { name: 'mx-01', platform: 'juniper_junos', hostname: 'edge-router' },
      ],
    });
  });
  afterAll(() => emulator.stop());

  async function shell(name: string, username = 'admin', auth: { password?: string; privateKey?: string } = { password: 'admin' }): Promise<ShellSession> {
    const ep = emulator.endpoint(name);
    return ShellSession.open(await connect({ host: ep.host, port: ep.port, username, ...auth }));
  }

  it('gives each device its own port', () => {
    const ports = emulator.devices().map((d) => d.port);
    expect(new Set(ports).size).toBe(4);
    expect(emulator.stats()).toMatchObject({ devices: 4, listeningPorts: 4 });
  });

  it('drives an IOS shell: banner, pager, terminal length 0, abbreviations, pipes, errors, enable, exit', async () => {
    const s = await shell('core-01');
    await s.waitFor(/\r\ncore-01>$/);
    expect(s.text).toContain('Unauthorized access');

    let out = await s.command('show version', ' --More-- ');
    expect(out).toContain('core-01 uptime is');
    let from = s.text.length;
    s.send(' ');
    out = (await s.waitFor(/core-01>$/, from)).text;
    expect(out).toContain('Configuration register is 0x2102');

    await s.command('terminal length 0', /core-01>$/);
    out = await s.command('sh ver', /core-01>$/);
    expect(out).not.toContain('--More--');
    expect(out.split('\r\n').length).toBeGreaterThan(35);

    expect(await s.command('sh ver | i uptime', /core-01>$/)).toMatch(/^sh ver \| i uptime\r\ncore-01 uptime is [^\r]+\r\ncore-01>$/);
    expect(await s.command('show foo', /core-01>$/)).toContain("             ^\r\n% Invalid input detected at '^' marker.");
    expect(await s.command('sh in', /core-01>$/)).toContain('% Ambiguous command:  "sh in"');

    await s.command('enable', 'Password: ');
    await s.command('s3cret', /core-01#$/);
    expect(await s.command('show running-config | i ^hostname', /core-01#$/)).toContain('hostname core-01\r\n');

    from = s.text.length;
    s.send('exit\n');
    await s.waitClosed();
    expect(s.text.slice(from)).toBe('exit\r\n');
  });

  it('drives EOS, NX-OS and Junos shells with their own prompts', async () => {
    const eos = await shell('leaf-01');
    await eos.waitFor(/leaf-01>$/);
    expect(await eos.command('enable', /leaf-01#$/)).toBe('enable\r\nleaf-01#');
    eos.end();

    const nx = await shell('nx-01');
    await nx.waitFor(/nx-01# $/);
    expect(await nx.command('show bogus', /nx-01# $/)).toContain("% Invalid command at '^' marker.");
    nx.end();

    const j = await shell('mx-01');
    await j.waitFor(/admin@edge-router> $/);
    await j.command('set cli screen-length 0', /admin@edge-router> $/);
    expect(await j.command('show version | match Hostname', /admin@edge-router> $/)).toContain('Hostname: edge-router\r\n\r\nadmin@edge-router> ');
    j.send('quit\n');
    await j.waitClosed();
  });

  it('runs a command on the exec channel: output only, then exit status', async () => {
    const ep = emulator.endpoint('core-01');
    const client = await connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' });
    try {
      const ok = await execCommand(client, 'sh ver');
      expect(ok.code).toBe(0);
      expect(ok.output.startsWith('Cisco IOS Software')).toBe(true);
      expect(ok.output).toContain('Configuration register is 0x2102\r\n');
      expect(ok.output).not.toMatch(/core-01[>#]|--More--|Unauthorized/);
      const bad = await execCommand(client, 'show nonsense');
      expect(bad.code).toBe(1);
      expect(bad.output).toContain("% Invalid input detected at '^' marker.");
      const filtered = await execCommand(client, 'show version | include uptime');
      expect(filtered.output).toMatch(/^core-01 uptime is .*\r\n$/);
    } finally {
      client.end();
    }
  });

  it('accepts a configured public key (privilege 15: straight to #) and refuses unknown keys and wrong passwords', async () => {
    const s = await shell('core-01', 'netops', { privateKey: clientKey.private });
    await s.waitFor(/core-01#$/);
    s.end();
    const ep = emulator.endpoint('core-01');
    await expect(connect({ host: ep.host, port: ep.port, username: 'netops', privateKey: otherKey.private })).rejects.toThrow(/authentication/i);
    await expect(connect({ host: ep.host, port: ep.port, username: 'admin', password: 'wrong' })).rejects.toThrow(/authentication/i);
  });

  it('adds a device while running', async () => {
    await emulator.addDevice({ name: 'late-01', platform: 'cisco_ios' });
    const s = await shell('late-01');
    await s.waitFor(/late-01>$/);
    s.end();
  });
});

describe('the shared port', () => {
  let emulator: DeviceEmulator;

  beforeAll(async () => {
    emulator = await DeviceEmulator.start({
      listen: 'shared',
      userMap: { 'ops-r2': 'r2' },
      devices: [
        { name: 'r1', platform: 'cisco_ios' },
        { name: 'r2', platform: 'juniper_junos' },
      ],
    });
  });
  afterAll(() => emulator.stop());

  it('listens once and picks the device from the login name', async () => {
    expect(emulator.stats().listeningPorts).toBe(1);
    const ep = emulator.endpoint('r1');
    expect(emulator.endpoint('r2').port).toBe(ep.port);

    const a = await ShellSession.open(await connect({ host: ep.host, port: ep.port, username: 'admin%r1', password: 'admin' }));
    await a.waitFor(/r1>$/);
    a.end();
    const b = await ShellSession.open(await connect({ host: ep.host, port: ep.port, username: 'admin@r2', password: 'admin' }));
    // Junos shows the login name without the device suffix.
    await b.waitFor(/admin@r2> $/);
    b.end();
    const c = await connect({ host: ep.host, port: ep.port, username: 'ops-r2', password: 'admin' }).catch((e: unknown) => e);
    // `ops-r2` maps to r2, but r2 has no such user: the map selects the device, credentials still count.
    expect(c).toBeInstanceOf(Error);
    await expect(connect({ host: ep.host, port: ep.port, username: 'admin%nosuch', password: 'admin' })).rejects.toThrow(/authentication/i);
  });
});
