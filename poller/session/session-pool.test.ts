/**
 * SessionPool over in-memory emulated devices with a fake clock: when polls happen, what reaches the
 * callback, bounded logins, overruns, TextFSM parsing and stopping.
 */
import path from 'node:path';
import { FakeClock } from '../../protocol/transport/fake-clock';
import { TemplateLibrary } from '../textfsm';
import type { PlatformId } from './platforms';
import { firstPollOffset } from './poll-schedule';
import { SessionPool, type PollResult, type SessionPoolOptions } from './session-pool';
import { MemoryDevice } from './testing/memory-connector';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const templates = new TemplateLibrary(path.join(__dirname, '..', '..', 'test', 'fixtures', 'ntc-templates', 'templates'));

function pool(clock: FakeClock, results: PollResult[], extra: Partial<SessionPoolOptions> = {}): SessionPool {
  return new SessionPool({
    intervalMs: 10_000,
    onResult: (r) => results.push(r),
    clock,
    now: () => clock.now(),
    templates,
    session: { random: () => 0.5 },
    ...extra,
  });
}

/** Advances the fake clock in steps, letting the in-memory devices answer between them. */
async function run(clock: FakeClock, ms: number, step = 250): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

describe('SessionPool', () => {
  it('polls every device once per interval at its own offset, and parses with TextFSM', async () => {
    const clock = new FakeClock();
    const results: PollResult[] = [];
    const p = pool(clock, results);
    const platforms: PlatformId[] = ['cisco_ios', 'cisco_nxos', 'arista_eos', 'juniper_junos'];
    const devices = platforms.map((platform, i) => new MemoryDevice({ name: `d${i}`, platform }));
    for (const d of devices) p.add({ name: d.name, platform: d.device.platform, connector: d.connector(), commands: [{ command: 'show version', parse: 'index' }, { command: 'show clock' }] });
    const summary = p.start();
    await settle();
    expect(await summary).toEqual({ devices: 4, ready: 4, failed: 0, failures: {} });
    await run(clock, 30_000);
    await p.stop();

    for (const d of devices) {
      const mine = results.filter((r) => r.device === d.name);
      const offset = firstPollOffset(d.name, 10_000);
      const versions = mine.filter((r) => r.command === 'show version');
      // The fake clock fires each timer at its deadline exactly: fixed-rate slots from the offset.
      expect(versions.map((r) => r.startedAt)).toEqual([0, 1, 2].map((k) => offset + k * 10_000));
      expect(mine.filter((r) => r.command === 'show clock')).toHaveLength(3);
      for (const r of versions) {
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        expect(r.parseError).toBeUndefined();
        expect(r.records).toHaveLength(1);
      }
    }
    const first = (name: string): Record<string, unknown> => {
      const r = results.find((x) => x.device === name && x.command === 'show version');
      return r && r.ok && r.records ? r.records[0]! : {};
    };
    expect(first('d0')).toMatchObject({ hostname: 'd0', version: '12.2(54)SG1' });
    expect(first('d1')).toMatchObject({ hostname: 'd1', os: '6.1(2)I3(1)' });
    expect(first('d2')).toMatchObject({ model: 'CCS-720XP-24ZY4-F', image: '4.27.6M' });
    expect(first('d3')).toMatchObject({ hostname: 'd3', junos_version: '13.3R1.4' });
    expect(p.stats()).toMatchObject({ devices: 4, polls: 12, overruns: 0, results: 24, parseErrors: 0 });
  });

  it('opens at most maxConcurrentConnects sessions at once', async () => {
    const clock = new FakeClock();
    const devices = Array.from({ length: 6 }, (_, i) => new MemoryDevice({ name: `h${i}`, platform: 'cisco_ios' }));
    for (const d of devices) d.failNext('hang');
    const p = pool(clock, [], { maxConcurrentConnects: 2, session: { connectTimeoutMs: 1_000, random: () => 0.5 } });
    for (const d of devices) p.add({ name: d.name, platform: 'cisco_ios', connector: d.connector(), commands: [] });
    const summary = p.start();
    const attempts = (): number => devices.reduce((n, d) => n + d.attempts, 0);
    await settle();
    expect(attempts()).toBe(2);
    // Each hanging connect times out after 1 s; its slot goes to the next device (whose own
    // immediate retry then queues behind the others).
    clock.advance(1_000);
    await settle();
    expect(attempts()).toBe(4);
    clock.advance(1_000);
    await settle();
    expect(attempts()).toBe(6);
    // The last two first attempts time out; the retries behind them then succeed.
    clock.advance(1_000);
    await settle();
    const s = await summary;
    expect(s).toEqual({ devices: 6, ready: 0, failed: 6, failures: { connect_timeout: 6 } });
    await settle();
    expect(p.stats().states.ready).toBe(6);
    await p.stop();
  });

  it('reports failures per command and skips a round while the last one still runs', async () => {
    const clock = new FakeClock();
    const results: PollResult[] = [];
    const slow = new MemoryDevice({ name: 'slow', platform: 'cisco_ios' });
    slow.device.injectFault({ kind: 'stall', command: 'show inventory' });
    const locked = new MemoryDevice({ name: 'locked', platform: 'arista_eos' });
    locked.failNext('auth_failed', 'auth_failed', 'auth_failed', 'auth_failed', 'auth_failed', 'auth_failed', 'auth_failed', 'auth_failed');
    const p = pool(clock, results);
    p.add({ name: 'slow', platform: 'cisco_ios', connector: slow.connector(), commands: [{ command: 'show inventory', timeoutMs: 25_000 }] });
    p.add({ name: 'locked', platform: 'arista_eos', connector: locked.connector(), commands: [{ command: 'show version' }] });
    const summary = p.start();
    await settle();
    await summary;
    await run(clock, 40_000, 500);
    const before = [...results];
    await p.stop();
    // What stop() cut short is reported too, as `closed`.
    expect(results.slice(before.length).every((r) => !r.ok && r.error.code === 'closed')).toBe(true);
    results.length = before.length;

    const slowResults = results.filter((r) => r.device === 'slow');
    expect(slowResults.length).toBeGreaterThanOrEqual(1);
    for (const r of slowResults) expect(!r.ok && r.error.code).toBe('command_timeout');
    // The timeout is 25 s; the end is seen at the next step the test moves the clock by (500 ms).
    expect(slowResults.every((r) => r.durationMs >= 25_000 && r.durationMs <= 25_500)).toBe(true);
    // 25 s polls every 10 s: rounds that came while one ran were skipped, never queued.
    expect(p.stats().overruns).toBeGreaterThanOrEqual(2);
    const lockedCodes = results.filter((r) => r.device === 'locked').map((r) => (r.ok ? 'ok' : r.error.code));
    expect(lockedCodes.length).toBe(4);
    expect(lockedCodes.every((c) => c === 'auth_failed' || c === 'not_connected')).toBe(true);
    expect(p.stats().resultErrors.command_timeout).toBe(slowResults.length);
  });

  it('stops: sessions closed, no more results, no timers left', async () => {
    const clock = new FakeClock();
    const results: PollResult[] = [];
    const d = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    const p = pool(clock, results);
    p.add({ name: 'r1', platform: 'cisco_ios', connector: d.connector(), commands: [{ command: 'show clock' }] });
    const summary = p.start();
    await settle();
    await summary;
    await run(clock, 10_000);
    const seen = results.length;
    expect(seen).toBe(1);
    await p.stop();
    await run(clock, 30_000);
    expect(results.length).toBe(seen);
    expect(p.stats().states.closed).toBe(1);
    expect(d.openConnections).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps polling when the callback throws, and counts it', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const d = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    const p = pool(clock, [], {
      onResult: () => {
        throw new Error('consumer bug');
      },
      onCallbackError: (e) => errors.push(e),
    });
    p.add({ name: 'r1', platform: 'cisco_ios', connector: d.connector(), commands: [{ command: 'show clock' }] });
    const summary = p.start();
    await settle();
    await summary;
    await run(clock, 20_000);
    await p.stop();
    expect(p.stats().callbackErrors).toBe(2);
    expect(errors).toHaveLength(2);
  });

  it('validates devices', () => {
    const p = pool(new FakeClock(), []);
    const d = new MemoryDevice({ name: 'r1', platform: 'cisco_ios' });
    expect(() => p.add({ name: '', platform: 'cisco_ios', connector: d.connector(), commands: [] })).toThrow(TypeError);
    expect(() => p.add({ name: 'x', platform: 'cisco_xr' as PlatformId, connector: d.connector(), commands: [] })).toThrow(/platform/);
    expect(() => p.add({ name: 'x', platform: 'cisco_ios', commands: [] })).toThrow(/target or a connector/);
    expect(() => p.add({ name: 'x', platform: 'cisco_ios', connector: d.connector(), commands: [{ command: ' ' }] })).toThrow(/command/);
    p.add({ name: 'x', platform: 'cisco_ios', connector: d.connector(), commands: [] });
    expect(() => p.add({ name: 'x', platform: 'cisco_ios', connector: d.connector(), commands: [] })).toThrow(/already/);
    const bare = new SessionPool({ intervalMs: 1_000, onResult: () => undefined });
    expect(() => bare.add({ name: 'y', platform: 'cisco_ios', connector: d.connector(), commands: [{ command: 'show version', parse: 'index' }] })).toThrow(/templates/);
  });
});
