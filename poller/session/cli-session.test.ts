/**
 * CliSession against emulated devices in memory (testing/memory-connector.ts) with a fake clock:
 * the queue, the prompt and paging setup, timeouts, caps, reconnects and backoff. Time moves only
 * when a test advances it; `settle()` lets the in-memory bytes and promise chains run to rest.
 */
import { FakeClock } from '../../protocol/transport/fake-clock';
import { CliSession, type CliSessionOptions } from './cli-session';
import { SessionError } from './errors';
import { MemoryDevice } from './testing/memory-connector';
import type { StateTransition } from './session-stats';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function session(dev: MemoryDevice, clock: FakeClock, extra: Partial<CliSessionOptions> = {}): CliSession {
  return new CliSession({
    name: dev.name,
    platform: dev.device.platform,
    connector: dev.connector(),
    clock,
    random: () => 0.5, // jitter factor exactly 1
    backoff: { initialMs: 1_000, maxMs: 8_000, jitter: 0.2 },
    ...extra,
  });
}

/** The rejection of `p` once it has settled (fails the test if it resolved). */
async function rejection(p: Promise<unknown>): Promise<SessionError> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.v).slice(0, 200)}`);
  expect(outcome.e).toBeInstanceOf(SessionError);
  return outcome.e as SessionError;
}

describe('setup', () => {
  // A command whose fixture is longer than a 24-line screen: with paging on, the pager would come.
  it.each([
    ['cisco_ios', 'r1>', 'show version'],
    ['cisco_nxos', 'r1# ', 'show version'],
    ['arista_eos', 'r1>', 'show interfaces'],
    ['juniper_junos', 'admin@r1> ', 'show version'],
  ] as const)('%s: learns the prompt, turns paging off, answers exactly', async (platform, prompt, command) => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform });
    const s = session(dev, clock);
    const pending = s.run(command);
    await settle();
    const out = await pending;
    expect(s.info().prompt).toBe(prompt);
    expect(s.info().setupRefused).toEqual([]);
    expect(out.split('\n').length).toBeGreaterThan(24);
    expect(s.info().counters.pagerPrompts).toBe(0);
    expect(out).toBe(dev.device.output(command));
    expect(s.state).toBe('ready');
    await s.close();
  });

  it('answers a pager with spaces when paging is on after all, and removes its traces', async () => {
    for (const [platform, pageCommand] of [
      ['cisco_ios', 'terminal length 5'],
      ['juniper_junos', 'set cli screen-length 5'],
    ] as const) {
      const clock = new FakeClock();
      const dev = new MemoryDevice({ name: 'p1', platform });
      const s = session(dev, clock);
      const ready = s.connect();
      await settle();
      await ready;
      const first = s.run(pageCommand);
      const second = s.run('show version');
      await settle();
      await first;
      const out = await second;
      expect(s.info().counters.pagerPrompts).toBeGreaterThan(3);
      expect(out).toBe(dev.device.output('show version'));
      await s.close();
    }
  });

  it('gives prompt_not_found when the device never shows a prompt, then backs off', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.device.injectFault({ kind: 'stall', at: 'login' });
    const s = session(dev, clock, { promptTimeoutMs: 2_000 });
    const attempt = rejection(s.connect());
    await settle();
    clock.advance(2_000);
    const err = await attempt;
    expect(err.code).toBe('prompt_not_found');
    // First failure: retried at once; it stalls again.
    await settle();
    expect(s.state).toBe('connecting');
    clock.advance(2_000);
    await settle();
    expect(s.state).toBe('backing_off');
    expect(s.info().counters.failures.prompt_not_found).toBe(2);
    await s.close();
  });

  it('gives connect_timeout when the connect never finishes', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.failNext('hang');
    const s = session(dev, clock, { connectTimeoutMs: 3_000 });
    const attempt = rejection(s.connect());
    await settle();
    clock.advance(3_000);
    expect((await attempt).code).toBe('connect_timeout');
    // The immediate retry succeeds.
    await settle();
    expect(s.state).toBe('ready');
    await s.close();
  });
});

describe('commands', () => {
  it('runs commands queued at once one at a time, each getting its own output', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    const s = session(dev, clock);
    const commands = ['show version', 'show inventory', 'show ip interface brief', 'show interfaces', 'show clock', 'show cdp neighbors detail'];
    // Half queued before the session is up, half while it is ready and busy.
    const runs = commands.map((c) => s.run(c));
    await settle();
    expect(s.state).toBe('ready');
    runs.push(...commands.map((c) => s.run(c)));
    await settle();
    const outputs = await Promise.all(runs);
    outputs.forEach((out, i) => expect(out).toBe(dev.device.output(commands[i % commands.length]!)));
    expect(dev.typedWhileBusy).toBe(0);
    expect(dev.typed.slice(-runs.length)).toEqual([...commands, ...commands]);
    expect(s.info().counters.commands).toBe(runs.length);
    await s.close();
  });

  it('reports a command the device refuses as command_rejected, with its text, and stays ready', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    const s = session(dev, clock);
    const bad = rejection(s.run('show bogus'));
    const good = s.run('show clock');
    await settle();
    const err = await bad;
    expect(err.code).toBe('command_rejected');
    expect(err.output).toContain("% Invalid input detected at '^' marker.");
    expect(await good).toMatch(/UTC/);
    expect(s.info().counters.connects).toBe(1);
    await s.close();
  });

  it('refuses invalid commands and a full queue without touching the device', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    const s = session(dev, clock, { maxQueue: 2 });
    expect((await rejection(s.run(''))).code).toBe('invalid_command');
    expect((await rejection(s.run('show version\nreload'))).code).toBe('invalid_command');
    expect((await rejection(s.run('show clock', { timeoutMs: 0 }))).code).toBe('invalid_command');
    const queued = [s.run('show clock'), s.run('show clock')];
    expect((await rejection(s.run('show clock'))).code).toBe('queue_full');
    await settle();
    await Promise.all(queued);
    expect(dev.typed.filter((l) => l.includes('reload'))).toEqual([]);
    await s.close();
  });

  it('times out a stalled command with command_timeout, reconnects, and runs the next one', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.device.injectFault({ kind: 'stall', command: 'show inventory', times: 1 });
    const s = session(dev, clock);
    const stalled = rejection(s.run('show inventory', { timeoutMs: 5_000 }));
    const next = s.run('show clock');
    await settle();
    expect(s.state).toBe('ready');
    clock.advance(5_000);
    const err = await stalled;
    expect(err.code).toBe('command_timeout');
    expect(err.command).toBe('show inventory');
    await settle();
    expect(await next).toMatch(/UTC/);
    expect(s.info().counters).toMatchObject({ connects: 2, reconnects: 1 });
    // The dirty connection was torn down, not left open beside the new one.
    expect(dev.openConnections).toBe(1);
    await s.close();
  });

  it('caps the output: output_too_large, then a fresh connection', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    const s = session(dev, clock, { maxOutputBytes: 600 });
    const big = rejection(s.run('show version'));
    const small = s.run('show clock');
    await settle();
    expect((await big).code).toBe('output_too_large');
    await settle();
    expect(await small).toMatch(/UTC/);
    expect(s.info().counters.reconnects).toBe(1);
    expect(dev.openConnections).toBe(1);
    await s.close();
  });

  it('reports a connection dropped mid-output as disconnected and reconnects', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'j1', platform: 'juniper_junos' });
    dev.device.injectFault({ kind: 'drop', command: 'show interfaces', times: 1 });
    const s = session(dev, clock);
    const dropped = rejection(s.run('show interfaces'));
    const next = s.run('show interfaces');
    await settle();
    expect((await dropped).code).toBe('disconnected');
    await settle();
    expect(await next).toBe(dev.device.output('show interfaces'));
    expect(s.info().counters.reconnects).toBe(1);
    await s.close();
  });

  it('reconnects after an idle connection is lost', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'arista_eos' });
    const s = session(dev, clock);
    const ready = s.connect();
    await settle();
    await ready;
    dev.dropAll();
    expect(s.state).toBe('connecting');
    await settle();
    expect(s.state).toBe('ready');
    expect(s.info().counters).toMatchObject({ connects: 2, reconnects: 1 });
    expect(s.info().counters.failures.disconnected).toBe(1);
    await s.close();
  });
});

describe('backoff and closing', () => {
  it('retries at once, then backs off exponentially; commands fail fast meanwhile', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.failNext('connect_failed', 'connect_failed', 'auth_failed');
    const transitions: StateTransition[] = [];
    const s = session(dev, clock, { onStateChange: (t) => transitions.push(t) });
    const first = s.connect();
    expect((await rejection(first)).code).toBe('connect_failed');
    await settle();
    expect(dev.attempts).toBe(2);
    expect(s.state).toBe('backing_off');
    const fast = await rejection(s.run('show clock'));
    expect(fast.code).toBe('not_connected');
    expect(fast.message).toContain('next attempt in 1000 ms');

    clock.advance(999);
    await settle();
    expect(dev.attempts).toBe(2);
    clock.advance(1);
    await settle();
    expect(dev.attempts).toBe(3); // auth_failed: the third failure in a row waits 2 s
    expect(s.state).toBe('backing_off');
    clock.advance(1_999);
    await settle();
    expect(dev.attempts).toBe(3);
    clock.advance(1);
    await settle();
    expect(s.state).toBe('ready');
    expect(transitions.map((t) => t.to)).toEqual(['connecting', 'connecting', 'backing_off', 'connecting', 'backing_off', 'connecting', 'ready']);
    expect(s.info().counters.failures).toMatchObject({ connect_failed: 2, auth_failed: 1, not_connected: 1 });
    await s.close();
  });

  it('gives up after maxConsecutiveFailures', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.failNext('connect_failed', 'connect_failed', 'connect_failed');
    const s = session(dev, clock, { maxConsecutiveFailures: 3 });
    await rejection(s.connect());
    await settle();
    clock.advance(1_000);
    await settle();
    expect(s.state).toBe('closed');
    const err = await rejection(s.run('show clock'));
    expect(err.code).toBe('gave_up');
    expect(dev.attempts).toBe(3);
  });

  it('close() rejects the running and the queued commands with closed, and stays closed', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.device.injectFault({ kind: 'stall', command: 'show inventory' });
    const s = session(dev, clock);
    const running = rejection(s.run('show inventory'));
    const queued = rejection(s.run('show clock'));
    await settle();
    await s.close();
    expect((await running).code).toBe('closed');
    expect((await queued).code).toBe('closed');
    expect((await rejection(s.run('show clock'))).code).toBe('closed');
    expect(s.state).toBe('closed');
    expect(dev.openConnections).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('close() during a connect attempt aborts it', async () => {
    const clock = new FakeClock();
    const dev = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    dev.failNext('hang');
    const s = session(dev, clock);
    const attempt = rejection(s.connect());
    await settle();
    await s.close();
    expect((await attempt).code).toBe('closed');
    expect(clock.pendingTimers()).toBe(0);
  });
});
