import { Router } from 'express';
import type { HostRecord, HostStore } from '../fleet/host-store';

/** What the membership state says of one host: its rings and the partners it heartbeats. */
export type HostRingView = {
  ringsOf(keyid: string): readonly string[];
  partnersOf(keyid: string): Array<{ host: string; address: string; rings: readonly string[] }>;
};

function hostJson(h: HostRecord): Record<string, unknown> {
  return {
    name: h.name,
    keyid: h.keyid,
    status: h.status,
    reason: h.reason,
    role: h.role,
    addresses: h.addresses,
    firstseen: new Date(h.firstseen).toISOString(),
    lastjoin: h.lastjoin === null ? null : new Date(h.lastjoin).toISOString(),
  };
}

/**
 * GET /api/hosts: every host that ever joined, with its status (up, down, left) and why.
 * GET /api/hosts/:name: one host, with the rings it is on and the partners it watches (404 if unknown).
 */
export function hostsRoute(hosts: HostStore, rings: HostRingView): Router {
  const router = Router();
  router.get('/hosts', async (_req, res) => {
    const list = await hosts.list();
    res.json(list.map(hostJson));
  });
  router.get('/hosts/:name', async (req, res) => {
    const host = await hosts.byName(req.params.name);
    if (host === null) {
      res.status(404).json({ error: { code: 'UNI_API_NO_SUCH_HOST', message: `no host named ${JSON.stringify(req.params.name)}` } });
      return;
    }
    res.json({
      ...hostJson(host),
      lastupdated: new Date(host.lastupdated).toISOString(),
      load: host.load === null ? null : { ...host.load, at: new Date(host.load.at).toISOString() },
      rings: rings.ringsOf(host.keyid),
      partners: rings.partnersOf(host.keyid),
      discovery: `/api/hosts/${encodeURIComponent(host.name)}/discovery`,
    });
  });
  return router;
}
