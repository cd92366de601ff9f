/**
 * CliSession's failures over real SSH against the emulator's faults: every failure has its code, and
 * the session recovers where it can. Nothing here measures time: real-time waits are generous upper
 * bounds for an outcome (a state, an error), and timeouts are set short only so that the outcome
 * comes soon.
 */
import net from 'node:net';
import { generateHostKey } from '../../poller/emulator/host-key';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { CliSession, type CliSessionOptions } from '../../poller/session/cli-session';
import { SessionError } from '../../poller/session/errors';
import { fingerprintOfPublicKey } from '../../poller/session/host-key';
import { emulatorTarget } from '../../poller/session/testing/emulator-targets';
import { waitFor } from '../support/wait-for';

let emulator: DeviceEmulator;
const sessions: CliSession[] = [];

beforeAll(async () => {
  emulator = await DeviceEmulator.start({
    devices: [
      { name: 'r1', platform: 'cisco_ios', pageLength: 0 },
      { name: 'j1', platform: 'juniper_junos' },
      { name: 'a1', platform: 'arista_eos' },
    ],
  });
});
afterEach(() => {
  for (const d of emulator.devices()) d.clearFaults();
});
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await emulator.stop();
});

function open(name: string, extra: Partial<CliSessionOptions> = {}): CliSession {
  const s = new CliSession({
    name,
    platform: extra.platform ?? emulator.device(name).platform,
    target: extra.target ?? emulatorTarget(emulator, name),
    backoff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  sessions.push(s);
  return s;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SessionError);
  return (e as SessionError).code;
}

describe('commands that fail', () => {
  it('a stalled command: command_timeout, then the next command succeeds on a new connection', async () => {
    const s = open('r1');
    await s.connect();
    emulator.device('r1').injectFault({ kind: 'stall', command: 'show inventory', times: 1 });
    const stalled = s.run('show inventory', { timeoutMs: 300 });
    const next = s.run('show version');
    expect(await codeOf(stalled)).toBe('command_timeout');
    expect(await next).toContain('Cisco IOS Software');
    expect(s.info().counters).toMatchObject({ connects: 2, reconnects: 1 });
    expect(s.info().counters.failures.command_timeout).toBe(1);
  });

  it('a connection dropped halfway through an output: disconnected, then a reconnect', async () => {
    const s = open('j1');
    const full = await s.run('show interfaces');
    emulator.device('j1').injectFault({ kind: 'drop', command: 'show interfaces', times: 1 });
    expect(await codeOf(s.run('show interfaces'))).toBe('disconnected');
    expect(await s.run('show interfaces')).toBe(full);
    expect(s.info().counters.reconnects).toBe(1);
  });

  it('an output past the cap: output_too_large, and the session is reset', async () => {
    const s = open('a1', { maxOutputBytes: 1_000 });
    expect(await codeOf(s.run('show interfaces'))).toBe('output_too_large');
    expect(await s.run('show clock')).toMatch(/timezone is UTC/);
    expect(s.info().counters.reconnects).toBe(1);
  });

  it('an output trickling out a few bytes at a time arrives whole', async () => {
    const s = open('a1');
    const full = await s.run('show version');
    emulator.device('a1').injectFault({ kind: 'slow', bytesPerChunk: 5, intervalMs: 0, times: 1 });
    expect(await s.run('show version')).toBe(full);
  });

  it('a command the device refuses: command_rejected, and the session stays up', async () => {
    const s = open('r1');
    const err = await s.run('show bogus').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionError);
    expect((err as SessionError).code).toBe('command_rejected');
    expect((err as SessionError).output).toContain('% Invalid input detected');
    expect(await s.run('show clock')).toMatch(/UTC/);
    expect(s.info().counters.connects).toBe(1);
  });
});

describe('logins that fail', () => {
  it('a wrong password: auth_failed', async () => {
    const s = open('r1', { target: emulatorTarget(emulator, 'r1', { password: 'wrong' }) });
    expect(await codeOf(s.connect())).toBe('auth_failed');
    await s.close();
  });

  it('a device refusing every login: auth_failed', async () => {
    emulator.device('a1').injectFault({ kind: 'refuse-auth' });
    const s = open('a1');
    expect(await codeOf(s.connect())).toBe('auth_failed');
    await s.close();
  });

  it('a host key other than the pinned one: host_key_mismatch, and nothing is sent', async () => {
    const before = emulator.stats().sessions;
    const wrong = fingerprintOfPublicKey(generateHostKey().publicKey);
    const s = open('r1', { target: emulatorTarget(emulator, 'r1', { hostKey: { fingerprint: wrong } }) });
    const err = await s.connect().catch((e: unknown) => e);
    expect((err as SessionError).code).toBe('host_key_mismatch');
    expect((err as SessionError).message).toContain(fingerprintOfPublicKey(emulator.hostKey.publicKey));
    await s.close();
    // No shell was opened on the device.
    expect(emulator.stats().sessions).toBe(before);
  });

  it('trust on first use: asked with the real fingerprint; a refusal is host_key_untrusted', async () => {
    const seen: string[] = [];
    const yes = open('r1', { target: emulatorTarget(emulator, 'r1', { hostKey: { trustOnFirstUse: (fp) => (seen.push(fp), true) } }) });
    expect(await yes.run('show clock')).toMatch(/UTC/);
    expect(seen).toEqual([fingerprintOfPublicKey(emulator.hostKey.publicKey)]);
    const no = open('r1', { target: emulatorTarget(emulator, 'r1', { hostKey: { trustOnFirstUse: () => false } }) });
    expect(await codeOf(no.connect())).toBe('host_key_untrusted');
    await no.close();
  });

  it('a device that shows no prompt: prompt_not_found', async () => {
    emulator.device('r1').injectFault({ kind: 'stall', at: 'login' });
    const s = open('r1', { promptTimeoutMs: 300 });
    expect(await codeOf(s.connect())).toBe('prompt_not_found');
    await s.close();
  });

  it('nothing listening: connect_failed; a server that never speaks SSH: connect_timeout', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = open('r1', { target: emulatorTarget(emulator, 'r1', { port: closedPort }) });
    expect(await codeOf(refused.connect())).toBe('connect_failed');
    await refused.close();

    // Accepts and never writes; reads (and drops) so that it sees the client hang up.
    const mute = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const port = (mute.address() as net.AddressInfo).port;
      const silent = open('r1', { connectTimeoutMs: 300, target: emulatorTarget(emulator, 'r1', { port }) });
      expect(await codeOf(silent.connect())).toBe('connect_timeout');
      await silent.close();
    } finally {
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});

describe('the device going away', () => {
  it('reconnects once the emulator is back (same port, same host key)', async () => {
    const hostKey = generateHostKey();
    let first: DeviceEmulator | undefined = await DeviceEmulator.start({ hostKey, devices: [{ name: 'x1', platform: 'cisco_nxos' }] });
    const port = first.endpoint('x1').port;
    const target = emulatorTarget(first, 'x1');
    const s = open('x1', { platform: 'cisco_nxos', target });
    let second: DeviceEmulator | undefined;
    try {
      expect(await s.run('show clock')).toMatch(/UTC/);
      await first.stop();
      first = undefined;
      // Refused while it is down: the session backs off (commands fail fast meanwhile).
      const down = await waitFor(() => s.state, (st) => st === 'backing_off', 20_000);
      expect(down).toBe('backing_off');
      expect(await codeOf(s.run('show clock'))).toBe('not_connected');
      expect(s.info().counters.failures.connect_failed).toBeGreaterThanOrEqual(1);

      second = await DeviceEmulator.start({ hostKey, devices: [{ name: 'x1', platform: 'cisco_nxos', port }] });
      const up = await waitFor(() => s.state, (st) => st === 'ready', 20_000);
      expect(up).toBe('ready');
      expect(await s.run('show clock')).toMatch(/UTC/);
      expect(s.info().counters.reconnects).toBe(1);
    } finally {
      await s.close();
      await first?.stop();
      await second?.stop();
    }
  });

  it('close() rejects what is queued with closed', async () => {
    emulator.device('r1').injectFault({ kind: 'stall', command: 'show inventory' });
    const s = open('r1');
    await s.connect();
    const running = s.run('show inventory');
    const queued = s.run('show clock');
    await s.close();
    expect(await codeOf(running)).toBe('closed');
    expect(await codeOf(queued)).toBe('closed');
    expect(s.state).toBe('closed');
  });
});
