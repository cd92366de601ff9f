import { Writable } from 'node:stream';
import { startApiServer, type ApiServer } from '../../cma/api/http-server';
import { createLogger } from '../../common/logger';

/** Issue 16: a client's bad JSON or oversized body was logged at ERROR with a stack trace. */
describe('REST API client errors', () => {
  let api: ApiServer;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    api = await startApiServer([], '127.0.0.1', 0, createLogger('cma', 'info', sink));
  });
  afterAll(() => api.close());

  it('answer 400 and 413 in the one error shape and are logged as one-line warnings', async () => {
    const bad = await fetch(`${api.url}/api/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('UNI_API_BAD_REQUEST');
    const big = await fetch(`${api.url}/api/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(2 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(lines.map((l) => [l.level, l.msg, l.status])).toEqual([
      [40, 'api request refused', 400],
      [40, 'api request refused', 413],
    ]);
    expect(lines.every((l) => l.err === undefined && !JSON.stringify(l).includes('    at '))).toBe(true);
  });
});
