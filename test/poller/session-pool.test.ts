/**
 * SessionPool over real SSH: a mixed fleet of emulated devices opened through a small connect bound,
 * each polled on an interval, outputs parsed with the ntc-templates index, one device failing its
 * logins. Waits are for outcomes (every device has answered twice), never for lengths of time.
 */
import path from 'node:path';
import { fleetSpecs } from '../../poller/emulator/fleet';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { SessionPool, type PollResult } from '../../poller/session/session-pool';
import { emulatorTarget } from '../../poller/session/testing/emulator-targets';
import { TemplateLibrary } from '../../poller/textfsm';
import { waitFor } from '../support/wait-for';

const templates = new TemplateLibrary(path.join(__dirname, '..', 'fixtures', 'ntc-templates', 'templates'));

let emulator: DeviceEmulator;
beforeAll(async () => {
  emulator = await DeviceEmulator.start({ devices: fleetSpecs(12) });
});
afterAll(() => emulator.stop());

it('polls a mixed fleet on an interval, parses show version, and reports the device that refuses logins', async () => {
  const results: PollResult[] = [];
  const pool = new SessionPool({ intervalMs: 200, maxConcurrentConnects: 3, templates, onResult: (r) => results.push(r), session: { backoff: { initialMs: 50, maxMs: 200 } } });
  const locked = 'dev12';
  emulator.device(locked).injectFault({ kind: 'refuse-auth' });
  for (const d of emulator.devices()) {
    pool.add({ name: d.name, platform: d.platform, target: emulatorTarget(emulator, d.name), commands: [{ command: 'show version', parse: 'index' }] });
  }
  try {
    const summary = await pool.start();
    expect(summary).toEqual({ devices: 12, ready: 11, failed: 1, failures: { auth_failed: 1 } });
    const everyone = (): boolean => emulator.devices().every((d) => results.filter((r) => r.device === d.name).length >= 2);
    expect(await waitFor(everyone, (ok) => ok, 30_000, 50)).toBe(true);
  } finally {
    await pool.stop();
  }
  for (const r of results) {
    if (r.device === locked) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['auth_failed', 'not_connected', 'closed']).toContain(r.error.code);
      continue;
    }
    if (!r.ok) {
      // Only what stop() cut short may have failed.
      expect(r.error.code).toBe('closed');
      continue;
    }
    expect(r.parseError).toBeUndefined();
    expect(r.records).toHaveLength(1);
    const platform = emulator.device(r.device).platform;
    // EOS's template has no hostname; the others name the device.
    if (platform !== 'arista_eos') expect(r.records![0]!.hostname).toBe(r.device);
    else expect(r.records![0]!.serial_number).toBe(emulator.device(r.device).serial);
  }
  // One SSH connection per device for the whole run: polls reuse the session.
  for (const d of emulator.devices()) {
    if (d.name !== locked) expect(pool.session(d.name)?.info().counters.connects).toBe(1);
  }
  expect(pool.stats().states.closed).toBe(12);
});
