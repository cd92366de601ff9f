/**
 * The error users see when no interface can carry multicast, produced for real: the helper runs in a
 * fresh network namespace (`unshare -n`, needs root) that has no routes at all, so the kernel refuses
 * to join 224.0.2.5. The namespace disappears with the process. Skipped without root or unshare, except
 * in CI, where it fails.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describeNeedingRoot } from '../support/needs-root';

const unshareMissing = (): string | null => (spawnSync('unshare', ['-n', 'true']).status === 0 ? null : 'unshare -n does not work here');

describeNeedingRoot('multicast without a route (network namespace)', () => {
  it('fails with UNI_TRANS_006, naming the cause and the unicast way out', () => {
    const script = `
      require(${JSON.stringify(path.join(__dirname, '../../protocol/net/multicast.ts'))})
        .openMulticastSocket({ port: 0 })
        .then(() => console.log(JSON.stringify({ joined: true })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));
    `;
    const result = spawnSync('unshare', ['-n', process.execPath, '-r', path.join(__dirname, 'ts-require-hook.js'), '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const outcome = JSON.parse(result.stdout.trim()) as { joined?: boolean; code?: string; message?: string };
    expect(outcome.joined).toBeUndefined();
    expect(outcome.code).toBe('UNI_TRANS_006');
    expect(outcome.message).toMatch(/no route for 224\.0\.0\.0\/4/);
    expect(outcome.message).toMatch(/unicast address/);
  });
}, unshareMissing);
