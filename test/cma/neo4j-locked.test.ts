import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';
import { describeWithNeo4j } from '../support/neo4j';

/** Issue 16: a second CMA on the same Neo4j home printed a 40-line Java stack trace. */
describeWithNeo4j('the local Neo4j on a data folder another process holds', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-neo4j-locked-'));
  let first: LocalNeo4j | undefined;
  afterAll(async () => {
    await first?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is refused with one line naming the folder and what to do', async () => {
    first = await LocalNeo4j.start({ home, port: 0, heapMb: 256, pagecache: '16m' });
    const second = LocalNeo4j.start({ home, port: 0, heapMb: 256, pagecache: '16m' });
    await expect(second).rejects.toThrow(`the Neo4j data folder ${home} is locked by another process`);
    await second.catch((err: Error) => expect(err.message).not.toContain('\tat org.neo4j'));
  }, 180_000);
});
