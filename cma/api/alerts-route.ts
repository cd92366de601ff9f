import { Router } from 'express';
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import { toGettable } from '../alerts/alert';
import { AlertStore } from '../alerts/alert-store';

const querySchema = z
  .object({
    state: z.enum(['firing', 'resolved']).optional(),
    /** Alertmanager's filter: active=true is the firing ones. */
    active: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

/** GET /api/alerts: open and resolved alerts, newest first, in Alertmanager API v2's shape; GET /api/alerts/<id>: one. */
export function alertsRoute(alerts: AlertStore): Router {
  const router = Router();
  router.get('/alerts', async (req, res) => {
    const query = querySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: { code: 'UNI_API_BAD_QUERY', message: formatIssues(query.error.issues, { root: 'query' }) } });
      return;
    }
    const state = query.data.state ?? (query.data.active === undefined ? undefined : query.data.active === 'true' ? 'firing' : 'resolved');
    const list = await alerts.list({ state, limit: query.data.limit });
    res.json(list.map(toGettable));
  });
  /** One alert: an occurrence by key (each alert's generatorURL), or the newest one of a fingerprint. */
  router.get('/alerts/:id', async (req, res) => {
    const alert = await alerts.get(req.params.id);
    if (alert === null) {
      res.status(404).json({ error: { code: 'UNI_API_NO_SUCH_ALERT', message: `no alert with key or fingerprint ${JSON.stringify(req.params.id)}` } });
      return;
    }
    res.json(toGettable(alert));
  });
  return router;
}
