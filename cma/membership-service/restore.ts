import type { Clock } from '../../protocol/transport/clock';
import { keyIdOf } from '../../protocol/security/identity';
import type { SecurePacketGuard } from '../../protocol/security/packet-guard';
import type { AlertStore } from '../alerts/alert-store';
import type { HostStore } from '../fleet/host-store';
import type { RingStore } from '../fleet/ring-store';
import type { DecisionSink } from '../membership/decisions';
import { Membership } from '../membership/membership';
import type { HostId } from '../membership/types';
import type { Logger } from '../../common/logger';
import type { PeerDirectory } from './peer-directory';
import { Prober } from './prober';
import { planRestart, type RestoredPeer } from './restart-plan';

/**
 * A restarted CMA's greeting: a PROBE from its new session (probe id 0) every second, for at most ten,
 * until the host answers or announces. One datagram is enough to tell a nanoprobe the CMA restarted;
 * the repeats cover its loss. An unanswered greeting is only counted: a host that stays silent is
 * judged by the ordinary rules (a host held as down already has its alert).
 */
export const GREETING_PROBE_ID = 0;
const GREET_EVERY_MS = 1_000;
const GREET_FOR_MS = 10_000;

export type RestoreDeps = {
  rings: RingStore;
  hosts: HostStore;
  alerts: AlertStore;
  peers: PeerDirectory;
  guard: Pick<SecurePacketGuard, 'learnPeer'>;
  clock: Clock;
  timing: Record<string, number>;
  /** Where the restored Membership sends its decisions from now on. */
  emit: DecisionSink;
  /** The death judge's slow-host grace (MembershipOptions.graceFor). */
  graceFor?: (host: HostId) => number;
  log: Logger;
};

export type Restored = {
  membership: Membership;
  /** Hosts to greet from the new session: every host that did not leave (restart-plan.ts). */
  greet: HostId[];
};

/**
 * Rebuilds membership from the graph: the rings, the peers (names, keys and addresses, so the CMA can
 * talk to hosts before they announce again), and the hosts stored as down, held as dead and grouped
 * by the segment alerts still firing, so that their alerts resolve when they come back. The hosts in
 * a segment alert come from its ABOUT relationships, not from its human-readable annotation.
 */
export async function restoreMembership(deps: RestoreDeps): Promise<Restored> {
  const snapshot = await deps.rings.load();
  // Holding the dead re-states what the graph already says: nothing it decides is to be carried out.
  let restoring = true;
  const emit: DecisionSink = (decision) => {
    if (!restoring) deps.emit(decision);
  };
  const options = { clock: deps.clock, emit, timing: deps.timing, graceFor: deps.graceFor };
  const membership = snapshot.rings.length > 0 ? Membership.restore(snapshot, options) : new Membership(options);
  const restored: RestoredPeer[] = [];
  for (const known of await deps.hosts.knownPeers()) {
    const keys = { ed25519: new Uint8Array(Buffer.from(known.ed25519, 'base64')), x25519: new Uint8Array(Buffer.from(known.x25519, 'base64')) };
    if (keyIdOf(keys.ed25519) !== known.keyid) continue; // a damaged record: the host is heard of again when it announces
    deps.peers.set({ keyid: known.keyid, hostname: known.name, keys, endpoint: { ip: known.ip, port: known.port } });
    deps.guard.learnPeer(known.keyid, keys);
    restored.push({ keyid: known.keyid, name: known.name, status: known.status });
  }
  const firing = await deps.alerts.firingAbout({ limit: 100_000 });
  const plan = planRestart(
    restored,
    firing.map(({ alert, hosts }) => ({ labels: alert.labels, hosts })),
    (host) => membership.status(host) === 'live',
  );
  for (const group of plan.dead) membership.holdDead(group.hosts, group.segment);
  restoring = false;
  const heldDead = plan.dead.reduce((n, g) => n + g.hosts.length, 0);
  if (snapshot.rings.length > 0 || heldDead > 0) deps.log.info({ hosts: membership.ringSet.size, heldDead, greeted: plan.greet.length }, 'membership restored from the graph');
  return { membership, greet: plan.greet };
}

/**
 * Sends the greeting to restored hosts until each answers or announces. Separate from the death
 * judge's prober: a greeting is no suspicion, and its silence proves nothing.
 */
export class Greeter {
  private readonly prober: Prober;

  constructor(clock: Clock, sendProbe: (host: HostId, probeId: number) => void, onUnanswered: (host: HostId) => void) {
    this.prober = new Prober(clock, sendProbe, (host) => onUnanswered(host));
  }

  greet(hosts: readonly HostId[]): void {
    for (const host of hosts) this.prober.start(host, GREETING_PROBE_ID, GREET_EVERY_MS, GREET_FOR_MS);
  }

  /** The host answered the greeting or announced: it knows the CMA restarted. */
  heardFrom(host: HostId): void {
    this.prober.cancel(host, GREETING_PROBE_ID);
  }

  stopAll(): void {
    this.prober.stopAll();
  }
}
