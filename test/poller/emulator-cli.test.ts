/**
 * The emulated CLIs without SSH: prompts, abbreviations, pipes, errors, enable, configuration mode
 * and the pager, on each platform. The SSH tests (emulator-ssh.test.ts) show the same through sockets.
 */
import type { DeviceSpec } from '../../poller/emulator/device-spec';
import { EmulatedDevice } from '../../poller/emulator/emulated-device';
import { FakeTerminal } from '../../poller/emulator/testing/fake-terminal';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

function device(spec: Partial<DeviceSpec> & Pick<DeviceSpec, 'name' | 'platform'>, clock: () => number = () => NOW): EmulatedDevice {
  return new EmulatedDevice({ bootTime: NOW - 3 * 86_400_000, ...spec }, { credentials: [{ username: 'admin', password: 'admin' }] }, clock);
}

async function loggedIn(d: EmulatedDevice, prompt: string, privilege: 1 | 15 = 1): Promise<FakeTerminal> {
  const t = new FakeTerminal(d, { privilege });
  t.session.start();
  await t.waitFor(prompt);
  return t;
}

describe('Cisco IOS', () => {
  it('greets with the banner and the user exec prompt', async () => {
    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios' }), 'r1>');
    expect(t.text).toContain('Unauthorized access to this device is prohibited');
    expect(t.text.endsWith('\r\nr1>')).toBe(true);
  });

  it('resolves abbreviations and fills in hostname, serial and uptime', async () => {
    const d = device({ name: 'r1', platform: 'cisco_ios', pageLength: 0 });
    const t = await loggedIn(d, 'r1>');
    const out = await t.command('sh ver', /\r\nr1>$/);
    expect(out.startsWith('sh ver\r\nCisco IOS Software, Catalyst 4500')).toBe(true);
    expect(out).toContain('r1 uptime is 3 days\r\n');
    expect(out).toContain(`Processor board ID ${d.serial}\r\n`);
    expect(d.serial).toMatch(/^FOC[0-9A-Z]{8}$/);
    const brief = await t.command('sh ip int br', /\r\nr1>$/);
    expect(brief).toContain('Interface                  IP-Address      OK? Method Status                Protocol');
  });

  it('answers ambiguous, invalid and incomplete input as IOS does', async () => {
    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios' }), 'r1>');
    expect(await t.command('sh in', /r1>$/)).toBe('sh in\r\n% Ambiguous command:  "sh in"\r\nr1>');
    // The caret sits under the bad word, counted from the prompt's first column.
    expect(await t.command('show foo', /r1>$/)).toBe("show foo\r\n        ^\r\n% Invalid input detected at '^' marker.\r\n\r\nr1>");
    expect(await t.command('show', /r1>$/)).toBe('show\r\n% Incomplete command.\r\n\r\nr1>');
    // A privileged command does not exist in user exec.
    expect(await t.command('show running-config', /r1>$/)).toContain("% Invalid input detected at '^' marker.");
  });

  it('filters with | include (abbreviated, regex alternation) and | exclude, | begin, | count', async () => {
    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios', pageLength: 0 }), 'r1>');
    expect(await t.command('show version | i uptime', /r1>$/)).toBe('show version | i uptime\r\nr1 uptime is 3 days\r\nr1>');
    const two = await t.command('sh ver | inc uptime|^ROM', /r1>$/);
    expect(two.split('\r\n').slice(1, -1)).toEqual(['ROM: 12.2(44r)SG9', 'r1 uptime is 3 days']);
    expect(await t.command('sh ip int br | count Ethernet', /r1>$/)).toContain('Number of lines which match regexp = 6');
    const begin = await t.command('sh ip int br | b Loopback', /r1>$/);
    expect(begin.split('\r\n')[1]).toMatch(/^Loopback0/);
    expect(await t.command('show version | x', /r1>$/)).toContain('% Invalid input');
  });

  it('enables with the secret, allows three tries, and knows when none is set', async () => {
    const plain = await loggedIn(device({ name: 'r0', platform: 'cisco_ios' }), 'r0>');
    expect(await plain.command('enable', /r0>$/)).toBe('enable\r\n% No password set\r\nr0>');

    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios', enableSecret: 's3cret' }), 'r1>');
    expect(await t.command('en', 'Password: ')).toBe('en\r\nPassword: ');
    expect(await t.command('wrong', 'Password: ')).toBe('\r\nPassword: ');
    expect(await t.command('wrong', 'Password: ')).toBe('\r\nPassword: ');
    expect(await t.command('wrong', /r1>$/)).toBe('\r\n% Bad secrets\r\n\r\nr1>');
    await t.command('enable', 'Password: ');
    // The secret is not echoed.
    expect(await t.command('s3cret', /r1#$/)).toBe('\r\nr1#');
    expect(await t.command('show run | i hostname', /r1#$/)).toContain('hostname r1\r\n');
    expect(await t.command('disable', /r1>$/)).toBe('disable\r\nr1>');
  });

  it('logs a privilege-15 user straight into privileged exec', async () => {
    await loggedIn(device({ name: 'r1', platform: 'cisco_ios' }), 'r1#', 15);
  });

  it('pages with --More--: space for a page, Enter for a line, q to stop; terminal length 0 ends it', async () => {
    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios' }), 'r1>');
    const first = await t.command('show version', ' --More-- ');
    // 24 lines per screen: 23 lines of output, then the pager prompt.
    expect(first.split('\r\n')).toHaveLength(1 + 23 + 1);
    let from = t.text.length;
    t.session.receive('\r');
    const oneLine = await t.waitFor(' --More-- ', from);
    expect(oneLine.startsWith('\b'.repeat(10) + ' '.repeat(10) + '\b'.repeat(10))).toBe(true);
    expect(oneLine.split('\r\n')).toHaveLength(2);
    from = t.text.length;
    t.session.receive(' ');
    expect(await t.waitFor(/r1>$/, from)).toContain('Configuration register is 0x2102\r\nr1>');
    await t.command('show version', ' --More-- ');
    from = t.text.length;
    t.session.receive('q');
    expect(await t.waitFor(/r1>$/, from)).not.toContain('Configuration register');
    await t.command('terminal length 0', /r1>$/);
    const all = await t.command('show version', /r1>$/);
    expect(all).not.toContain('--More--');
    expect(all).toContain('Configuration register is 0x2102\r\nr1>');
  });

  it('configures: hostname, interface sub-mode, no shutdown changes the interface, running-config shows it', async () => {
    const d = device({ name: 'r1', platform: 'cisco_ios', pageLength: 0 });
    const t = await loggedIn(d, 'r1#', 15);
    expect(await t.command('conf t', /\(config\)#$/)).toBe('conf t\r\nEnter configuration commands, one per line.  End with CNTL/Z.\r\nr1(config)#');
    await t.command('hostname core1', 'core1(config)#');
    await t.command('interface Et0/2', 'core1(config-if)#');
    await t.command('description uplink', 'core1(config-if)#');
    await t.command('no shutdown', 'core1(config-if)#');
    expect(await t.command('do sh ip int br | i Ethernet0/2', 'core1(config-if)#')).toContain('Ethernet0/2                unassigned      YES NVRAM  up                    up\r\n');
    await t.command('exit', /core1\(config\)#$/);
    await t.command('end', /core1#$/);
    const config = await t.command('show running-config', /core1#$/);
    expect(config).toContain('hostname core1\r\n!\r\n!\r\ninterface Et0/2\r\n description uplink\r\n no shutdown\r\n!\r\nend');
    // Ctrl-Z leaves configuration mode too.
    await t.command('configure terminal', /\(config\)#$/);
    const from = t.text.length;
    t.session.receive('\x1a');
    await t.waitFor(/core1#$/, from);
  });

  it('completes a keyword with Tab, edits with backspace, ignores arrow keys', async () => {
    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios', pageLength: 0 }), 'r1>');
    const from = t.text.length;
    t.session.receive('show ver\t');
    await t.waitFor('show version ', from);
    t.session.receive('\x1b[Axx\x7f\x7f| i uptime\r');
    expect(await t.waitFor(/r1>$/, from)).toContain('r1 uptime is');
  });

  it('logs out with exit', async () => {
    const t = await loggedIn(device({ name: 'r1', platform: 'cisco_ios' }), 'r1>');
    t.session.receive('exit\r');
    await t.waitFor('exit\r\n');
    while (t.exitCode === undefined) await new Promise((r) => setImmediate(r));
    expect(t.exitCode).toBe(0);
  });
});

describe('Cisco NX-OS', () => {
  it('lands in privileged mode with a trailing-space prompt and says "Invalid command"', async () => {
    const t = await loggedIn(device({ name: 'n1', platform: 'cisco_nxos', pageLength: 0 }), 'n1# ');
    expect(t.text).toContain('Cisco Nexus Operating System (NX-OS) Software');
    expect(await t.command('show foo', /n1# $/)).toBe("show foo\r\n         ^\r\n% Invalid command at '^' marker.\r\nn1# ");
    expect(await t.command('sh int | i Ethernet106', /n1# $/)).toContain('Ethernet106/1/1 is down (Link not connected)');
    expect(await t.command('show hostname', /n1# $/)).toContain('n1 \r\n');
    // No enable on NX-OS.
    expect(await t.command('enable', /n1# $/)).toContain('% Invalid command');
  });
});

describe('Arista EOS', () => {
  it('enables without a secret and answers errors tersely', async () => {
    const t = await loggedIn(device({ name: 'a1', platform: 'arista_eos', pageLength: 0 }), 'a1>');
    expect(await t.command('enable', /a1#$/)).toBe('enable\r\na1#');
    expect(await t.command('show foo', /a1#$/)).toBe('show foo\r\n% Invalid input\r\na1#');
    expect(await t.command('sh in', /a1#$/)).toBe('sh in\r\n% Ambiguous command\r\na1#');
    expect(await t.command('show version | i Uptime', /a1#$/)).toBe('show version | i Uptime\r\nUptime: 3 days, 0 hours and 0 minutes\r\na1#');
    await t.command('configure', 'a1(config)#');
    await t.command('interface Ethernet2', 'a1(config-if-Et2)#');
    await t.command('shutdown', 'a1(config-if-Et2)#');
    expect(await t.command('do show interfaces | i ^Ethernet2', 'a1(config-if-Et2)#')).toContain('Ethernet2 is administratively down, line protocol is down (disabled)');
  });
});

describe('Juniper Junos', () => {
  it('prompts user@host>, leaves a blank line before the prompt, and reports errors with a caret', async () => {
    const t = await loggedIn(device({ name: 'j1', platform: 'juniper_junos', pageLength: 0 }), 'admin@j1> ');
    expect(t.text).toContain('--- JUNOS 13.3R1.4');
    const out = await t.command('show version | match Hostname', /admin@j1> $/);
    expect(out).toBe('show version | match Hostname\r\nHostname: j1\r\n\r\nadmin@j1> ');
    expect(await t.command('show foo', /admin@j1> $/)).toBe('show foo\r\n               ^\r\nsyntax error, expecting <command>.\r\n\r\nadmin@j1> ');
    expect(await t.command('foo', /admin@j1> $/)).toBe('foo\r\n          ^\r\nunknown command.\r\n\r\nadmin@j1> ');
    expect(await t.command('set cli screen-length 0', /admin@j1> $/)).toContain('Screen length set to 0\r\n');
  });

  it('completes keywords on space, until complete-on-space is turned off', async () => {
    const t = await loggedIn(device({ name: 'j1', platform: 'juniper_junos', pageLength: 0 }), 'admin@j1> ');
    expect(await t.command('sh ver | match Model', /admin@j1> $/)).toMatch(/^show version \| match Model\r\nModel: mx240\r\n/);
    expect(await t.command('set cli complete-on-space off', /admin@j1> $/)).toContain('Disabling complete-on-space');
    expect(await t.command('sh ver | match Model', /admin@j1> $/)).toMatch(/^sh ver \| match Model\r\n/);
  });

  it('pages with ---(more N%)---', async () => {
    const t = await loggedIn(device({ name: 'j1', platform: 'juniper_junos', pageLength: 10 }), 'admin@j1> ');
    const page = await t.command('show version', /---\(more \d+%\)---/);
    expect(page).toContain('---(more 23%)---');
    const from = t.text.length;
    t.session.receive(' ');
    expect(await t.waitFor(/---\(more \d+%\)---/, from)).toMatch(/^\r {16}\r/);
  });

  it('configures with set and commit: an interface disabled shows administratively down', async () => {
    const t = await loggedIn(device({ name: 'j1', platform: 'juniper_junos', pageLength: 0 }), 'admin@j1> ');
    expect(await t.command('configure', /admin@j1# $/)).toBe('configure\r\nEntering configuration mode\r\n\r\n[edit]\r\nadmin@j1# ');
    await t.command('set interfaces ge-0/0/0 disable', /admin@j1# $/);
    expect(await t.command('run show interfaces | match "ge-0/0/0,"', /admin@j1# $/)).toContain('Enabled, Physical link is Up');
    expect(await t.command('commit and-quit', /admin@j1> $/)).toContain('commit complete\r\nExiting configuration mode\r\n');
    expect(await t.command('show interfaces | match "Physical interface: ge-0/0/0"', /admin@j1> $/)).toContain(
      'Physical interface: ge-0/0/0, Administratively down, Physical link is Down',
    );
  });
});
