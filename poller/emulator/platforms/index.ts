import type { DeviceProfile, PlatformId } from '../device-profile';
import { aristaEosProfile } from './arista-eos';
import { ciscoIosProfile } from './cisco-ios';
import { ciscoNxosProfile } from './cisco-nxos';
import { juniperJunosProfile } from './juniper-junos';

const FACTORIES: Record<PlatformId, () => DeviceProfile> = {
  cisco_ios: ciscoIosProfile,
  cisco_nxos: ciscoNxosProfile,
  arista_eos: aristaEosProfile,
  juniper_junos: juniperJunosProfile,
};

/** The shared, read-only profile of a platform (fixtures are read once per process). */
export function deviceProfile(platform: PlatformId): DeviceProfile {
  return FACTORIES[platform]();
}
