import express, { ErrorRequestHandler, Router } from 'express';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '../util/logger';

export type ApiServer = { server: Server; url: string; close(): Promise<void> };

/**
 * The CMA's REST API. Every route module is mounted here, in one place, under /api; errors come back
 * as JSON with a stable code, never as an HTML page or a crash.
 */
export async function startApiServer(routers: Router[], host: string, port: number, log: Logger): Promise<ApiServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  for (const router of routers) app.use('/api', router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'UNI_API_NOT_FOUND', message: 'no such API route' } });
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    log.error({ err }, 'api request failed');
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    res.status(status).json({
      error: { code: status >= 500 ? 'UNI_API_INTERNAL' : 'UNI_API_BAD_REQUEST', message: err instanceof Error ? err.message : String(err) },
    });
  };
  app.use(onError);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
