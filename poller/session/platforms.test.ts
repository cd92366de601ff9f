import { PLATFORM_IDS as EMULATOR_PLATFORMS } from '../emulator/device-profile';
import { parseDeviceSpec } from '../emulator/device-spec';
import { EmulatedDevice } from '../emulator/emulated-device';
import { FakeTerminal } from '../emulator/testing/fake-terminal';
import { cleanOutput, rejectionOf } from './output-clean';
import { isPlatformId, PLATFORM_IDS, platformCli } from './platforms';

describe('platform table', () => {
  it('names the platforms the emulator emulates', () => {
    expect([...PLATFORM_IDS]).toEqual([...EMULATOR_PLATFORMS]);
    expect(isPlatformId('cisco_ios')).toBe(true);
    expect(isPlatformId('cisco_xr')).toBe(false);
  });

  it.each(PLATFORM_IDS)('%s: the emulated device accepts every setup command, and refuses a bogus one in words rejectionOf knows', async (platform) => {
    const device = new EmulatedDevice(parseDeviceSpec({ name: 'd1', platform }), { credentials: [{ username: 'admin', password: 'admin' }] }, () => 0);
    const cli = platformCli(platform);
    const term = new FakeTerminal(device);
    term.session.start();
    const prompt = platform === 'juniper_junos' ? 'admin@d1> ' : platform === 'cisco_nxos' ? 'd1# ' : 'd1>';
    await term.waitFor(prompt);
    for (const command of cli.setupCommands) {
      const out = await term.command(command, prompt);
      expect(rejectionOf(cleanOutput(out.slice(out.indexOf('\n') + 1), cli, false), cli)).toBeUndefined();
    }
    const bad = await term.command('show bogus', prompt);
    expect(rejectionOf(cleanOutput(bad.slice(bad.indexOf('\n') + 1), cli, false), cli)).toBeDefined();
  });
});
