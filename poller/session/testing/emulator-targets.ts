/**
 * TEST AND BENCH HELPER: SSH targets for devices of a running emulator, with the emulator's host key
 * pinned (the emulator makes a fresh key at every start; tests pin it like production pins a device).
 */
import type { DeviceEmulator } from '../../emulator/ssh-device-server';
import { fingerprintOfPublicKey } from '../host-key';
import type { SshTarget } from '../ssh-target';

export function emulatorTarget(emulator: DeviceEmulator, device: string, overrides: Partial<SshTarget> = {}): SshTarget {
  const ep = emulator.endpoint(device);
  return {
    host: ep.host,
    port: ep.port,
    username: ep.login('admin'),
    password: 'admin',
    hostKey: { fingerprint: fingerprintOfPublicKey(emulator.hostKey.publicKey) },
    ...overrides,
  };
}
