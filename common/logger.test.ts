import { PassThrough } from 'node:stream';
import { prettyLine, prettyStream } from './logger';

describe('pretty log lines for a terminal', () => {
  it('shows time, level, name and message, then the fields; errors by their message', () => {
    const json = JSON.stringify({ level: 40, time: Date.UTC(2026, 11, 2, 14, 3, 7), pid: 1, hostname: 'vm', name: 'cma', msg: 'host down', host: 'node03', evidence: 'probe_timeout', hosts: ['a', 'b'] });
    expect(prettyLine(json)).toBe('14:03:07 WARN  cma: host down host=node03 evidence=probe_timeout hosts=["a","b"]');
    const withErr = JSON.stringify({ level: 50, time: 0, name: 'cma', msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n  at x' } });
    expect(prettyLine(withErr)).toBe('00:00:00 ERROR cma: failed err="boom"');
    expect(prettyLine('not json')).toBe('not json');
  });

  it('a stream turns JSON lines split across writes into whole pretty lines', () => {
    const out = new PassThrough();
    const seen: string[] = [];
    out.on('data', (c: Buffer) => seen.push(c.toString()));
    const stream = prettyStream(out);
    const line = JSON.stringify({ level: 30, time: 0, name: 'nanoprobe', msg: 'joined' });
    stream.write(line.slice(0, 10));
    stream.write(`${line.slice(10)}\n`);
    expect(seen.join('')).toBe('00:00:00 INFO  nanoprobe: joined\n');
  });
});
