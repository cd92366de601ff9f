/** A fleet of `count` devices for the CLI and benches: platforms taken in turn, names numbered. */
import type { DeviceSpec } from './device-spec';
import { PLATFORM_IDS, type PlatformId } from './device-profile';

export interface FleetOptions {
  /** Default: all four platforms, in turn. */
  platforms?: readonly PlatformId[];
  /** Names are prefix + number from 1, zero-padded to the count's width: dev0001 … dev2000. */
  prefix?: string;
  enableSecret?: string;
  latencyMs?: number;
}

export function fleetSpecs(count: number, options: FleetOptions = {}): DeviceSpec[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError('device count must be a non-negative integer');
  const platforms = options.platforms && options.platforms.length > 0 ? options.platforms : PLATFORM_IDS;
  const prefix = options.prefix ?? 'dev';
  const width = String(count).length;
  const specs: DeviceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const spec: DeviceSpec = { name: `${prefix}${String(i + 1).padStart(width, '0')}`, platform: platforms[i % platforms.length]! };
    if (options.enableSecret !== undefined) spec.enableSecret = options.enableSecret;
    if (options.latencyMs !== undefined) spec.latencyMs = options.latencyMs;
    specs.push(spec);
  }
  return specs;
}
