import { SAMPLE_PAYLOADS } from './samples';
import { cliCommandSchema, deviceTaskSchema, pollerAssignSchema, pollerWorkersSchema, pollResultSchema } from './poller';

describe('poller messages', () => {
  const task = SAMPLE_PAYLOADS.POLLER_ASSIGN.start[0]!;

  it('accept their samples', () => {
    expect(pollerWorkersSchema.safeParse(SAMPLE_PAYLOADS.POLLER_WORKERS).success).toBe(true);
    expect(pollerAssignSchema.safeParse(SAMPLE_PAYLOADS.POLLER_ASSIGN).success).toBe(true);
    expect(pollResultSchema.safeParse(SAMPLE_PAYLOADS.POLL_RESULT).success).toBe(true);
  });

  it('a command is one printable line: no newline could smuggle a second command to the device', () => {
    expect(cliCommandSchema.safeParse('show ip route vrf MGMT').success).toBe(true);
    expect(cliCommandSchema.safeParse('show version\nreload').success).toBe(false);
    expect(cliCommandSchema.safeParse('show clock\r').success).toBe(false);
    expect(cliCommandSchema.safeParse('').success).toBe(false);
  });

  it('a task names a credential of the poller and never carries one', () => {
    const { credential: _c, ...noCredential } = task;
    expect(deviceTaskSchema.safeParse(noCredential).success).toBe(false);
    const parsed = deviceTaskSchema.parse({ ...task, password: 'secret' });
    expect(parsed).not.toHaveProperty('password');
  });

  it('refuses worker indexes past the table, bad fingerprints, unknown states and empty command lists', () => {
    expect(pollerWorkersSchema.safeParse({ workers: [{ index: 256, capacity: 1, state: 'up' }] }).success).toBe(false);
    expect(pollerWorkersSchema.safeParse({ workers: [{ index: 0, capacity: 1, state: 'sleeping' }] }).success).toBe(false);
    expect(pollerWorkersSchema.safeParse({ workers: [{ index: 0, capacity: 0, state: 'up' }] }).success).toBe(false);
    expect(deviceTaskSchema.safeParse({ ...task, hostKeySha256: 'SHA256:abc' }).success).toBe(false);
    expect(deviceTaskSchema.safeParse({ ...task, commands: [] }).success).toBe(false);
    expect(deviceTaskSchema.safeParse({ ...task, platform: 'Cisco IOS' }).success).toBe(false);
  });

  it('a failed poll carries a catalogue code', () => {
    const failed = { ...SAMPLE_PAYLOADS.POLL_RESULT, outcome: { ok: false, code: 'command_timeout', message: 'x' } };
    expect(pollResultSchema.safeParse(failed).success).toBe(false);
  });
});
