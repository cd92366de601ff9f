import { Router } from 'express';
import { HostStore } from '../fleet/host-store';

/** GET /api/hosts: every host that ever joined, with its status (up, down, left) and why. */
export function hostsRoute(hosts: HostStore): Router {
  const router = Router();
  router.get('/hosts', async (_req, res) => {
    const list = await hosts.list();
    res.json(
      list.map((h) => ({
        name: h.name,
        keyid: h.keyid,
        status: h.status,
        reason: h.reason,
        role: h.role,
        addresses: h.addresses,
        firstseen: new Date(h.firstseen).toISOString(),
        lastjoin: h.lastjoin === null ? null : new Date(h.lastjoin).toISOString(),
      })),
    );
  });
  return router;
}
