import { makeMessage } from '../../protocol/message-types';
import type { InboundRouter } from '../inbound-router';
import type { MembershipService } from '../membership-service/membership-service';
import type { Logger } from '../../common/logger';
import type { DiscoverySchedule } from './discovery-schedule';
import type { DiscoveryIngestService, IngestReport } from './ingest-service';
import { switchPlacements } from './switch-placements';
import type { GraphStore } from '../graph/graph-store';
import { Limiter } from './limiter';

/** The results a switch placement is read from: the wiring (lldp) and the wired NIC's address (netconfig). */
const PLACEMENT_INPUTS: readonly string[] = ['lldp', 'netconfig'];

/**
 * Whether a result may have completed the host's switch placement, so that it is worth looking:
 * a good lldp or netconfig result, whichever came last. Unchanged ones count too: a host that
 * re-joins (a nanoprobe restart, a CMA restart) is back on its subnet ring only, and its unchanged
 * results are what tells the CMA again that the wiring still holds.
 */
export function mayCompletePlacement(report: Pick<IngestReport, 'discovertype' | 'status'>): boolean {
  return (
    report.discovertype !== null &&
    PLACEMENT_INPUTS.includes(report.discovertype) &&
    (report.status === 'derived' || report.status === 'unchanged')
  );
}

/**
 * Discovery on top of membership: every host that (re)joins is sent the initial discovery requests;
 * every DISCOVERY_RESULT is ingested (acknowledged to the nanoprobe only once committed), its
 * follow-ups are requested, and once both its LLDP wiring and the wired NIC's address are known, in
 * either order, the host moves onto its switch's ring. `MembershipService.place` changes nothing
 * (no join, no CONFIG) when the host is already there, so looking again is harmless.
 */
export function linkDiscovery(options: {
  membership: MembershipService;
  /** The CMA's inbound router: DISCOVERY_RESULT is registered here. */
  router: InboundRouter;
  ingest: DiscoveryIngestService;
  schedule: DiscoverySchedule;
  store: GraphStore;
  /** Graph reads for switch placements at once (`discovery.concurrency`; limiter.ts). */
  concurrency: number;
  /** Send joining hosts their initial discovery requests. */
  requestOnJoin: boolean;
  log: Logger;
}): void {
  const { membership, ingest, schedule, store, log } = options;
  const limiter = new Limiter(options.concurrency);
  const request = (keyid: string, hostname: string, payload: ReturnType<DiscoverySchedule['initialRequests']>[number]): void => {
    // A host the CMA holds as dead (or that left) would only fill its reliable window with requests
    // retransmitted until the transport gives up; it is sent them again when it joins.
    if (membership.membership.status(keyid) !== 'live') {
      log.debug({ host: hostname, discovery: payload.name }, 'discovery request not sent: the host is no member');
      return;
    }
    membership.send(keyid, makeMessage('DISCOVERY_REQUEST', payload)).catch((err: unknown) => {
      log.warn({ host: hostname, discovery: payload.name, err: (err as Error).message }, 'discovery request not delivered');
    });
  };

  if (options.requestOnJoin) {
    membership.onJoin(({ keyid, hostname }) => {
      for (const payload of schedule.initialRequests()) request(keyid, hostname, payload);
    });
  }

  // Outside the membership queue: a discovery write must not hold up heartbeat reports and deaths.
  // Acknowledged once stored (the router acknowledges when this resolves).
  options.router.register({ type: 'DISCOVERY_RESULT', how: 'reliable', from: 'known', roles: ['nanoprobe'], handle: async (payload, { keyid, hostname }) => {
    membership.sawMessageFrom(keyid);
    // The ingest bounds its own work (group commit: batches of results, one host's at a time).
    const report = await ingest.ingest(hostname, payload);
    for (const followUp of report.followUps) request(keyid, hostname, followUp);
    if (mayCompletePlacement(report)) {
      const placement = (await limiter.run(() => switchPlacements(store, [hostname]))).get(hostname);
      const peer = membership.peers.get(keyid);
      if (placement !== undefined && peer !== undefined) {
        await membership.place(keyid, { kind: 'switch', key: placement.switchKey, address: { ip: placement.address, port: peer.endpoint.port } });
      }
    }
  } });
}
