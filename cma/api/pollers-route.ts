import { Router } from 'express';
import type { LinkedPollers } from '../pollers/link-pollers';

/**
 * GET /api/pollers: the pollers this CMA hears from, their workers (capacity, state, lease), and
 * which worker polls each device (`holder`, and `incoming` while a handover is under way).
 */
export function pollersRoute(pollers: LinkedPollers): Router {
  const router = Router();
  router.get('/pollers', (_req, res) => {
    const status = pollers.service.status();
    res.json({
      pollers: status.pollers.map((p) => ({
        keyid: p.keyid,
        hostname: p.hostname,
        renewedAt: new Date(p.renewedAt).toISOString(),
        workers: p.workers,
      })),
      devices: status.devices,
      epoch: status.epoch,
      counts: pollers.counts(),
    });
  });
  return router;
}
