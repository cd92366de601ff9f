/**
 * Faults and changing outputs through real SSH: refused logins, connections dropped mid-output,
 * stalls, slow output, latency; counters that tick with the (manual) clock, an interface that goes
 * down, outputs replaced while sessions are open. Nothing here measures time: each check waits for
 * an outcome (text, a close, an error), and "nothing came" is checked after a round trip on another
 * connection to the same device has completed.
 */
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { connect, execCommand, ShellSession } from '../../poller/emulator/testing/shell-client';

let now = Date.UTC(2024, 0, 15, 8, 0, 0);
const clock = (): number => now;
let emulator: DeviceEmulator;

beforeAll(async () => {
  emulator = await DeviceEmulator.start({
    clock,
    devices: [
      { name: 'r1', platform: 'cisco_ios', pageLength: 0 },
      { name: 'a1', platform: 'arista_eos', pageLength: 0, bootTime: now - 86_400_000 },
      { name: 'j1', platform: 'juniper_junos', pageLength: 0 },
    ],
  });
});
afterAll(() => emulator.stop());
afterEach(() => {
  for (const d of emulator.devices()) d.clearFaults();
});

async function login(name: string): Promise<ShellSession> {
  const ep = emulator.endpoint(name);
  return ShellSession.open(await connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' }));
}

async function run(name: string, command: string): Promise<string> {
  const ep = emulator.endpoint(name);
  const client = await connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' });
  try {
    return (await execCommand(client, command)).output;
  } finally {
    client.end();
  }
}

describe('faults', () => {
  it('refuses every login while refuse-auth is injected', async () => {
    const id = emulator.device('r1').injectFault({ kind: 'refuse-auth' });
    const ep = emulator.endpoint('r1');
    await expect(connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' })).rejects.toThrow(/authentication/i);
    expect(emulator.device('r1').removeFault(id)).toBe(true);
    (await login('r1')).end();
  });

  it('drops the connection after a given number of bytes of output', async () => {
    const full = await run('r1', 'show version');
    emulator.device('r1').injectFault({ kind: 'drop', command: 'show version', afterBytes: 200, times: 1 });
    const s = await login('r1');
    await s.waitFor(/r1>$/);
    const from = s.text.length;
    s.send('show version\n');
    await s.waitClosed();
    const got = s.text.slice(from);
    expect(got).toBe(`show version\r\n${full.slice(0, 200)}`);
    // `times: 1`: the next session is served in full.
    expect(await run('r1', 'show version')).toBe(full);
  });

  it('drops halfway by default, on the exec channel too', async () => {
    const full = await run('j1', 'show interfaces');
    emulator.device('j1').injectFault({ kind: 'drop', times: 1 });
    const ep = emulator.endpoint('j1');
    const client = await connect({ host: ep.host, port: ep.port, username: 'admin', password: 'admin' });
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    const out = await execCommand(client, 'show interfaces');
    await closed;
    expect(out.code).toBeUndefined();
    expect(out.output).toBe(full.slice(0, Math.floor(full.length / 2)));
  });

  it('stalls a command: echoed, then nothing, while the device serves other sessions', async () => {
    emulator.device('r1').injectFault({ kind: 'stall', command: 'show inventory' });
    const s = await login('r1');
    await s.waitFor(/r1>$/);
    const from = s.text.length;
    s.send('show inventory\n');
    await s.waitFor('show inventory\r\n', from);
    // Other commands on another connection still answer (the stall is per command)...
    expect(await run('r1', 'show clock')).toMatch(/UTC/);
    // ...and by now nothing more has come on the stalled one, though the connection is up.
    expect(s.text.slice(from)).toBe('show inventory\r\n');
    expect(s.closed).toBe(false);
    s.end();
  });

  it('stalls at login: the shell opens and no banner or prompt ever comes', async () => {
    emulator.device('r1').injectFault({ kind: 'stall', at: 'login', times: 1 });
    const stalled = await login('r1');
    const ok = await login('r1');
    await ok.waitFor(/r1>$/);
    ok.end();
    expect(stalled.text).toBe('');
    stalled.end();
  });

  it('writes slowly in small chunks, and the output arrives whole', async () => {
    const full = await run('a1', 'show version');
    emulator.device('a1').injectFault({ kind: 'slow', bytesPerChunk: 64, intervalMs: 2 });
    const s = await login('a1');
    await s.waitFor(/a1>$/);
    const chunks: number[] = [];
    s.channel.on('data', (d: Buffer) => chunks.push(d.length));
    const out = await s.command('show version', /a1>$/);
    expect(out).toBe(`show version\r\n${full}a1>`);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(64 + 'show version\r\n'.length);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(full.length / 64));
    s.end();
  });

  it('answers after the configured latency, in order, with type-ahead kept', async () => {
    emulator.device('r1').latencyMs = 20;
    try {
      const s = await login('r1');
      await s.waitFor(/r1>$/);
      const from = s.text.length;
      // Both lines at once: the second is read (and echoed) only after the first has answered.
      s.send('show clock\nshow version | i uptime\n');
      const out = (await s.waitFor(/uptime is [^\r]*\r\nr1>$/, from)).text;
      expect(out).toMatch(/^show clock\r\n\d\d:\d\d:\d\d\.\d{3} UTC [^\r]+\r\nr1>show version \| i uptime\r\nr1 uptime is/);
      s.end();
    } finally {
      emulator.device('r1').latencyMs = 0;
    }
  });
});

describe('changing outputs', () => {
  const packetsIn = (text: string, iface: string): number => {
    const section = text.split(/\r?\n(?=\S)/).find((s) => s.startsWith(`${iface} is`)) ?? '';
    return Number(/(\d+) packets input/.exec(section)?.[1]);
  };

  it('ticks interface counters with the clock, freezes them while the link is down', async () => {
    const a1 = emulator.device('a1');
    const first = await run('a1', 'show interfaces');
    now += 10_000;
    const second = await run('a1', 'show interfaces');
    // Ethernet1 is up in the fixture: 12 packets/s; Ethernet2 (0 packets in the fixture) stays at 0.
    expect(packetsIn(second, 'Ethernet1') - packetsIn(first, 'Ethernet1')).toBe(120);
    expect(packetsIn(second, 'Ethernet2')).toBe(0);

    a1.setInterfaceState('Et1', 'down');
    now += 10_000;
    const down = await run('a1', 'show interfaces');
    expect(down).toContain('Ethernet1 is down, line protocol is down (notconnect)');
    expect(packetsIn(down, 'Ethernet1')).toBe(packetsIn(second, 'Ethernet1'));
    expect(await run('a1', 'show ip interface brief')).toContain('Ethernet5              10.0.0.1/24        up         up              1500');

    a1.setInterfaceState('Ethernet1', 'up');
    now += 5_000;
    const up = await run('a1', 'show interfaces');
    expect(up).toContain('Ethernet1 is up, line protocol is up (connected)');
    expect(packetsIn(up, 'Ethernet1') - packetsIn(second, 'Ethernet1')).toBe(60);
  });

  it('shows an interface going down in an open session, in the brief table with columns kept', async () => {
    const s = await login('r1');
    await s.waitFor(/r1>$/);
    const before = await s.command('sh ip int br | i ^Ethernet0/1 ', /r1>$/);
    expect(before).toContain('Ethernet0/1                1.1.1.1         YES NVRAM  up                    up\r\n');
    emulator.device('r1').setInterfaceState('Ethernet0/1', 'admin-down');
    const after = await s.command('sh ip int br | i ^Ethernet0/1 ', /r1>$/);
    expect(after).toContain('Ethernet0/1                1.1.1.1         YES NVRAM  administratively down down\r\n');
    emulator.device('r1').setInterfaceState('Ethernet0/1', 'up');
    s.end();
  });

  it('replaces an output, with a function called on every run, and adds new commands', async () => {
    const r1 = emulator.device('r1');
    r1.setOutput('show version', (ctx) => `poll number ${ctx.runCount} of ${ctx.hostname}\n`);
    r1.setOutput('show environment all', 'FAN 1 is OK\n');
    try {
      const s = await login('r1');
      await s.waitFor(/r1>$/);
      const a = await s.command('show version', /r1>$/);
      const b = await s.command('show version', /r1>$/);
      expect(a).toMatch(/poll number (\d+) of r1\r\n/);
      const n = Number(/poll number (\d+)/.exec(a)?.[1]);
      expect(b).toContain(`poll number ${n + 1} of r1\r\n`);
      expect(await s.command('sh env all', /r1>$/)).toBe('sh env all\r\nFAN 1 is OK\r\nr1>');
      s.end();
    } finally {
      r1.setOutput('show version', null);
      r1.setOutput('show environment all', null);
    }
    expect(await run('r1', 'show version')).toContain('Cisco IOS Software');
  });

  it('reboots: uptime starts again', async () => {
    emulator.device('j1').reboot();
    now += 120_000;
    expect(await run('j1', 'show system uptime')).toContain('(00:02:00 ago)');
  });
});
