import { Router } from 'express';
import type { MembershipService } from '../membership-service/membership-service';

/**
 * GET /api/rings: every heartbeat ring in order, each member with its address and the host it
 * watches next, plus the audit's verdict (an empty list of violations when every ring is one cycle
 * and every live host is where it should be).
 */
export function ringsRoute(service: MembershipService): Router {
  const router = Router();
  router.get('/rings', (_req, res) => {
    const membership = service.membership;
    const snapshot = membership.snapshot();
    res.json({
      rings: snapshot.rings.map((ring) => ({
        name: ring.name,
        kind: ring.kind,
        segment: ring.key,
        size: ring.members.length,
        members: ring.members.map((m) => ({
          host: service.peers.nameOf(m.host),
          keyid: m.host,
          address: `${m.address.ip}:${m.address.port}`,
          next: service.peers.nameOf(m.next),
        })),
      })),
      audit: membership.audit(),
      stats: membership.stats(),
    });
  });
  return router;
}
