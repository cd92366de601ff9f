import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NanoprobeFleet } from '../../cli/demo/nanoprobe-fleet';

/** Issue 16: `--query-dir DIR NAME` took NAME as a second directory, listed the queries and exited 0. */
describe('unimatrix query --query-dir', () => {
  const dirs = [mkdtempSync(path.join(os.tmpdir(), 'unimatrix-qd-a-')), mkdtempSync(path.join(os.tmpdir(), 'unimatrix-qd-b-'))];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const cli = (...args: string[]) => spawnSync(process.execPath, [NanoprobeFleet.cliPath(), 'query', ...args], { encoding: 'utf8' });

  it('takes one directory; the next word is the query name', () => {
    const run = cli('--query-dir', dirs[0]!, 'no-such-query');
    expect(run.stderr).toContain('no query named "no-such-query"');
    expect(run.status).toBe(2);
  });

  it('is repeatable, each directory searched', () => {
    writeFileSync(path.join(dirs[0]!, 'first-own.cypher'), '// description: one of mine\nRETURN 1 AS one\n');
    writeFileSync(path.join(dirs[1]!, 'second-own.cypher'), '// description: another of mine\nRETURN 2 AS two\n');
    const run = cli('--query-dir', dirs[0]!, '--query-dir', dirs[1]!, '--json');
    expect(run.status).toBe(0);
    const names = (JSON.parse(run.stdout) as Array<{ name: string }>).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['first-own', 'second-own', 'host-dependents']));
  });
});
