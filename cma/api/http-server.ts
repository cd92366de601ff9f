import express, { ErrorRequestHandler, Router } from 'express';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '../../common/logger';

/** Neo4j driver error codes that mean the database is not reachable now. */
const DRIVER_UNAVAILABLE = new Set(['ServiceUnavailable', 'SessionExpired']);

export type ApiServer = { server: Server; url: string; close(): Promise<void> };

/** The API's address could not be bound: says which, and why, in one line. */
export class ApiListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    const why = code === 'EADDRINUSE' ? 'is already in use by another process' : code === 'EACCES' ? 'may not be bound by this user' : code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `cannot be bound (${detail})`;
    super(`the REST API address ${host.includes(':') ? `[${host}]` : host}:${port} ${why}; choose another with --api-port or api.port`);
    this.name = 'ApiListenError';
  }
}

/**
 * A bound API server that answers 503 until its routes are mounted: the CMA binds its port first
 * (a port already taken is said at once, not after Neo4j has started), and mounts the routes once
 * the graph and membership are up.
 */
export type BoundApiServer = ApiServer & { mount(routers: Router[]): void };

export async function bindApiServer(host: string, port: number, log: Logger): Promise<BoundApiServer> {
  const app = express();
  app.disable('x-powered-by');
  let mounted: express.Router | undefined;
  app.use((req, res, next) => {
    if (mounted !== undefined) return mounted(req, res, next);
    res.status(503).json({ error: { code: 'UNI_API_STARTING', message: 'the CMA is starting' } });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(app);
    s.once('error', (err: NodeJS.ErrnoException) => reject(new ApiListenError(host, port, err.code, err.message)));
    s.listen(port, host, () => resolve(s));
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    server,
    url,
    mount(routers: Router[]) {
      mounted = apiRoutes(routers, log);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Binds and mounts at once (tests, tools). */
export async function startApiServer(routers: Router[], host: string, port: number, log: Logger): Promise<ApiServer> {
  const api = await bindApiServer(host, port, log);
  api.mount(routers);
  return api;
}

/**
 * Every route module, mounted in one place under /api; errors come back as JSON with a stable code,
 * never as an HTML page or a crash. A client's own mistake (bad JSON, a body too large) is a warning
 * of one line; only the CMA's own failures are errors with their stack.
 */
function apiRoutes(routers: Router[], log: Logger): express.Router {
  const app = express.Router();
  app.use(express.json({ limit: '1mb' }));
  for (const router of routers) app.use('/api', router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'UNI_API_NOT_FOUND', message: 'no such API route' } });
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const own = (err as { code?: unknown }).code;
    // The driver's own word that Neo4j is gone (before the health check knew) is the same 503.
    const graphGone = typeof own === 'string' && DRIVER_UNAVAILABLE.has(own);
    const status = graphGone ? 503 : typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    const message = graphGone ? `Neo4j does not answer: ${(err as Error).message}` : err instanceof Error ? err.message : String(err);
    const code = graphGone ? 'UNI_API_GRAPH_UNAVAILABLE' : typeof own === 'string' && own.startsWith('UNI_') ? own : status >= 500 ? 'UNI_API_INTERNAL' : 'UNI_API_BAD_REQUEST';
    // Neo4j being down (503) or a client's mistake is said in one line; only our own failures carry a stack.
    if (status < 500 || status === 503) log.warn({ method: req.method, path: req.path, status, code, problem: message }, 'api request refused');
    else log.error({ err }, 'api request failed');
    res.status(status).json({ error: { code, message } });
  };
  app.use(onError);
  return app;
}
