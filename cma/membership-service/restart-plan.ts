import type { AlertLabels } from '../alerts/alert';
import type { HostStatus } from '../fleet/host-store';
import { topologyRingName } from '../membership/topology';
import type { HostId } from '../membership/types';

/** What a restarted CMA reads from the graph about a host (fleet/host-store's KnownPeer, narrowed). */
export type RestoredPeer = { keyid: HostId; name: string; status: HostStatus };

/**
 * An alert still firing when the CMA stopped, with the names of the hosts it is ABOUT in the graph
 * (AlertStore.firingAbout): a relationship per host, so however many hosts a segment had, none is lost
 * the way a shortened `hosts` annotation would lose them.
 */
export type FiringAlert = { labels: AlertLabels; hosts: readonly string[] };

export type DeadGroup = {
  /** The segment ring whose SegmentDown/SwitchDown alert names these hosts, or null for HostDown. */
  segment: string | null;
  hosts: HostId[];
};

export type RestartPlan = {
  /**
   * Hosts to probe from the new session so that their nanoprobes see it and announce again: every
   * host that did not leave. Those held as down too: a running nanoprobe the CMA declared dead (cut
   * off, or paused) would otherwise never learn it should come back.
   */
  greet: HostId[];
  /** Hosts held as down, grouped by the alert they are part of (resolved when they come back). */
  dead: DeadGroup[];
};

/**
 * Plans a restart from what the graph holds: the known hosts and the alerts still firing. Pure, so the
 * rules are tested without a graph. A host on a restored ring counts as live whatever its stored
 * status says (the rings are the membership's own record).
 */
export function planRestart(peers: readonly RestoredPeer[], firing: readonly FiringAlert[], isLive: (host: HostId) => boolean): RestartPlan {
  const greet = peers.filter((p) => p.status !== 'left').map((p) => p.keyid);
  const down = new Map(peers.filter((p) => p.status === 'down' && !isLive(p.keyid)).map((p) => [p.name, p.keyid]));
  const dead: DeadGroup[] = [];
  for (const alert of firing) {
    const segment = segmentRingOf(alert.labels);
    if (segment === null) continue;
    const hosts: HostId[] = [];
    for (const name of alert.hosts) {
      const keyid = down.get(name);
      if (keyid === undefined) continue;
      hosts.push(keyid);
      down.delete(name); // one group per host: the first alert naming it
    }
    if (hosts.length > 0) dead.push({ segment, hosts: hosts.sort() });
  }
  if (down.size > 0) dead.push({ segment: null, hosts: [...down.values()].sort() });
  return { greet, dead };
}

/** The ring a SegmentDown / SwitchDown alert is about (the decision runner's labels, reversed). */
export function segmentRingOf(labels: AlertLabels): string | null {
  try {
    if (labels.alertname === 'SegmentDown' && labels.segment !== undefined) return topologyRingName('subnet', labels.segment);
    if (labels.alertname === 'SwitchDown' && labels.switch !== undefined) return topologyRingName('switch', labels.switch);
  } catch {
    // A label that cannot be a ring key is no segment of ours.
  }
  return null;
}
