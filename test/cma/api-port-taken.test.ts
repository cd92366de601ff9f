import { createServer, type Server } from 'node:net';
import { startCma } from '../../cma/cma-service';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { silentLogger } from '../../common/logger';

/** Issue 16: an API port already taken was reported as "Cannot read properties of null (reading 'port')", after Neo4j had started. */
describe('CMA start with its API port already taken', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('says which address and port is taken, before it touches Neo4j', async () => {
    const config = loadCmaConfig({
      env: {},
      // A Neo4j nobody listens on: reaching for it first would fail differently, and later.
      flags: { 'neo4j.uri': 'bolt://127.0.0.1:9', 'api.host': '127.0.0.1', 'api.port': port, 'membership.port': 0, 'membership.multicast.enabled': false },
    });
    await expect(startCma(config, silentLogger)).rejects.toThrow(`the REST API address 127.0.0.1:${port} is already in use by another process`);
  });
});
