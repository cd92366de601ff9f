/** The network-device emulator's public surface (docs/device-emulator.md). */
export { DeviceEmulator, DEFAULT_CREDENTIALS, type EmulatorOptions, type EmulatorStats, type Endpoint, type ListenMode } from './ssh-device-server';
export { EmulatedDevice, type Clock } from './emulated-device';
export { parseDeviceSpec, type Credential, type DeviceSpec } from './device-spec';
export { PLATFORM_IDS, isPlatformId, type PlatformId } from './device-profile';
export { validateFault, type FaultSpec } from './faults';
export { isLinkState, type LinkState } from './interface-state';
export { fleetSpecs, type FleetOptions } from './fleet';
export { generateHostKey, type HostKey, type HostKeyType } from './host-key';
export { runEmulator, runEmulatorSchema, type RunEmulatorIo, type RunEmulatorOptions } from './run-emulator';
