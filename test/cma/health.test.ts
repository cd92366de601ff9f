import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { RunningCma, startCma } from '../../cma/cma-service';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';
import { silentLogger } from '../../common/logger';
import { describeWithNeo4j } from '../support/neo4j';

type Health = { status: string; neo4j: { up: boolean; error?: string }; schema: { version: number | null } };

async function health(cma: RunningCma): Promise<{ code: number; body: Health }> {
  const response = await fetch(`${cma.apiUrl}/api/health`);
  return { code: response.status, body: (await response.json()) as Health };
}

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    last = await probe();
  }
  return last;
}

// Its own Neo4j (not the shared one), since the test kills it.
describeWithNeo4j('GET /api/health follows Neo4j going down and coming back', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-health-'));
  let db: LocalNeo4j | undefined;
  let cma: RunningCma | undefined;

  afterAll(async () => {
    await cma?.stop();
    await db?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('up, then down after the Neo4j process is killed, then up again after a restart, with the same CMA', async () => {
    db = await LocalNeo4j.start({ home, port: 0, heapMb: 512, pagecache: '64m' });
    const port = Number(new URL(db.uri.replace('bolt://', 'http://')).port);
    const flags = {
      'neo4j.uri': db.uri,
      'api.port': 0,
      'log.level': 'silent',
      'membership.port': 0,
      'membership.multicast.enabled': false,
      'membership.stateDir': path.join(home, 'cma-state'),
    };
    cma = await startCma(loadCmaConfig({ env: {}, flags }), silentLogger);

    const up = await health(cma);
    expect(up.code).toBe(200);
    expect(up.body.status).toBe('ok');
    expect(up.body.neo4j.up).toBe(true);
    expect(up.body.schema.version).toBeGreaterThanOrEqual(1);

    await db.kill();
    const down = await eventually(() => health(cma!), (h) => h.code === 503, 30_000);
    expect(down.code).toBe(503);
    expect(down.body.status).toBe('degraded');
    expect(down.body.neo4j.up).toBe(false);
    expect(down.body.neo4j.error).toBeTruthy();
    expect(down.body.schema.version).toBe(up.body.schema.version);

    db = await LocalNeo4j.start({ home, port, heapMb: 512, pagecache: '64m' });
    const back = await eventually(() => health(cma!), (h) => h.code === 200, 60_000);
    expect(back.code).toBe(200);
    expect(back.body.neo4j.up).toBe(true);
    expect(back.body.schema.version).toBe(up.body.schema.version);
  }, 240_000);
});
