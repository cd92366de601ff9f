import { Router } from 'express';
import type { GraphStore } from '../graph/graph-store';
import { hostDiscoveryDocument, hostDiscoveryStatus } from '../discovery/discovery-results';

/**
 * GET /api/hosts/:name/discovery: per discovertype, when the host last sent a result, its content
 * hash, how it was used, and the last failure (a script error shows here).
 * GET /api/hosts/:name/discovery/:discovertype: the same for one discovertype, with the last good
 * document as the script printed it.
 */
export function discoveryRoute(store: GraphStore): Router {
  const router = Router();
  router.get('/hosts/:name/discovery', async (req, res) => {
    const host = req.params.name;
    const results = await hostDiscoveryStatus(store, host);
    if (results === null) {
      res.status(404).json({ error: { code: 'UNI_API_NO_SUCH_HOST', message: `no host named ${JSON.stringify(host)}` } });
      return;
    }
    res.json({ host, results });
  });
  router.get('/hosts/:name/discovery/:discovertype', async (req, res) => {
    const { name: host, discovertype } = req.params;
    const result = await hostDiscoveryDocument(store, host, discovertype);
    if (result === null) {
      res.status(404).json({
        error: { code: 'UNI_API_NO_SUCH_DISCOVERY', message: `host ${JSON.stringify(host)} has no ${JSON.stringify(discovertype)} discovery result` },
      });
      return;
    }
    res.json({ host, ...result });
  });
  return router;
}
