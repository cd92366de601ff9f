/**
 * Which rings a host belongs on: the global ring, plus the ring of its most specific topology
 * placement (switch before subnet). Ring names follow the wire's ring naming: "global",
 * "subnet:10.0.1.0/24", "switch:<chassis id>".
 */
import { TOPOLOGY_KINDS, type RingHost, type RingKind, type TopologyKind, type TopologyPlacement } from './types';

export const GLOBAL_RING = 'global';

/** The characters a ring name may carry on the wire (protocol's safeName), 128 at most in all. */
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const MAX_KEY_LENGTH = 120;

export class TopologyKeyError extends Error {
  constructor(kind: string, key: string) {
    super(`topology key ${JSON.stringify(key)} for ${kind} must be 1-${MAX_KEY_LENGTH} of A-Z a-z 0-9 . _ : / - (starting with a letter or digit)`);
    this.name = 'TopologyKeyError';
  }
}

export function topologyRingName(kind: TopologyKind, key: string): string {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) throw new TopologyKeyError(kind, key);
  return `${kind}:${key}`;
}

export function parseRingName(name: string): { kind: RingKind; key: string | null } | undefined {
  if (name === GLOBAL_RING) return { kind: 'global', key: null };
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const kind = name.slice(0, colon);
  const key = name.slice(colon + 1);
  if (!(TOPOLOGY_KINDS as readonly string[]).includes(kind) || key.length === 0) return undefined;
  return { kind: kind as TopologyKind, key };
}

/** The placement that decides a host's topology ring, or undefined when none is known. */
export function mostSpecificPlacement(placements: readonly TopologyPlacement[]): TopologyPlacement | undefined {
  for (const kind of TOPOLOGY_KINDS) {
    // Several placements of one kind (a multi-homed host): the first listed wins, so the caller's
    // order (e.g. the interface carrying the default route first) decides, deterministically.
    const found = placements.find((p) => p.kind === kind);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The rings a live host should be on, global first. */
export function expectedRings(host: RingHost): string[] {
  const placement = mostSpecificPlacement(host.placements);
  return placement === undefined ? [GLOBAL_RING] : [GLOBAL_RING, topologyRingName(placement.kind, placement.key)];
}
