import { Router } from 'express';
import { z } from 'zod';
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

/** GET /api/alerts: open and resolved alerts, newest first, in Alertmanager API v2's shape. */
export function alertsRoute(alerts: AlertStore): Router {
  const router = Router();
  router.get('/alerts', async (req, res) => {
    const query = querySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: { code: 'UNI_API_BAD_QUERY', message: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
      return;
    }
    const state = query.data.state ?? (query.data.active === undefined ? undefined : query.data.active === 'true' ? 'firing' : 'resolved');
    const list = await alerts.list({ state, limit: query.data.limit });
    res.json(list.map(toGettable));
  });
  return router;
}
