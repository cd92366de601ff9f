import type { PublicKeys } from '../../protocol/security/identity';
import type { HostId } from '../membership/types';

export type Peer = {
  keyid: HostId;
  hostname: string;
  /** What the host announced it is ('nanoprobe', 'poller'); routes may be limited to some roles. */
  role?: string;
  keys: PublicKeys;
  /** Where the CMA reaches the host's nanoprobe. */
  endpoint: { ip: string; port: number };
  /** The start time of the nanoprobe process last accepted (a repeat of it is not a restart). */
  startTime?: number;
  /** Which of the CMA's acceptances of this host is the current one (ANNOUNCE_ACK and REJOIN carry it). */
  joinId?: number;
  /** The host acknowledged a CONFIG of its current join: it reads what this CMA seals. */
  configAcked?: boolean;
  /** Announcements of the same process after its join was answered (each one a refused ANNOUNCE_ACK, or a lost one). */
  repeats?: number;
  /** When the join, or the last repeat counted since, arrived (wall clock ms). */
  lastRepeatAt?: number;
  /** The process keeps refusing this CMA (announcement-batch.ts): answered, never joined again. */
  refusing?: boolean;
};

/**
 * The hosts the CMA can talk to: their names, keys and addresses, learned from announcements or,
 * after a CMA restart, from the graph. Membership knows hosts only by key id; messages and alerts
 * need the rest.
 */
export class PeerDirectory {
  private readonly peers = new Map<HostId, Peer>();
  /** Config versions only grow, across CMA restarts too (they start from the wall clock). */
  private readonly configVersions = new Map<HostId, number>();
  /** Join ids likewise: a REJOIN naming an older join than the host's current one is recognised as stale. */
  private readonly joinIds = new Map<HostId, number>();

  set(peer: Peer): void {
    this.peers.set(peer.keyid, peer);
  }

  get(keyid: HostId): Peer | undefined {
    return this.peers.get(keyid);
  }

  nameOf(keyid: HostId): string {
    return this.peers.get(keyid)?.hostname ?? keyid;
  }

  all(): Peer[] {
    return [...this.peers.values()];
  }

  nextConfigVersion(keyid: HostId, now: number = Date.now()): number {
    const next = Math.max((this.configVersions.get(keyid) ?? 0) + 1, now);
    this.configVersions.set(keyid, next);
    return next;
  }

  nextJoinId(keyid: HostId, now: number = Date.now()): number {
    const next = Math.max((this.joinIds.get(keyid) ?? 0) + 1, now);
    this.joinIds.set(keyid, next);
    return next;
  }
}
