/**
 * Real nanoprobe processes (the CLI), talking to a minimal CMA built from the protocol pieces over
 * loopback UDP: a graceful stop on SIGTERM, and a killed process reported by its partner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CmaTestPeer } from '../../nanoprobe/testing/cma-test-peer';
import { ChildNanoprobe } from './child-nanoprobe';
import { eventually, Fleet, pair } from './helpers';

jest.setTimeout(120_000);

describe('nanoprobe processes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-nanoprobe-proc-'));
  const children: ChildNanoprobe[] = [];
  const fleet = new Fleet();
  let cma: CmaTestPeer;

  const spawnNanoprobe = (hostname: string, extra: string[] = [], entry: 'cli' | 'standalone' = 'cli'): ChildNanoprobe => {
    const child = new ChildNanoprobe(['--state-dir', path.join(dir, hostname), '--hostname', hostname, '--cma', cma.cmaFlag, '--bind', '127.0.0.1', ...extra], { entry });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    cma = await CmaTestPeer.start();
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await fleet.stopAll();
    await cma.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on SIGTERM sends LEAVE, waits for the acknowledgement and exits 0 (not by its 2 s leave timeout)', async () => {
    const child = spawnNanoprobe('sierra');
    const host = await cma.waitForHost('sierra', 60_000);
    const joined = await child.waitForLog('joined');
    expect(joined).toMatchObject({ cma: cma.identity.keyId, keyId: host.keyId, host: 'sierra' });
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    const leave = cma.messages('LEAVE').find((m) => m.peer === host.keyId);
    expect(leave).toMatchObject({ reliable: true, payload: { reason: 'SIGTERM', startTime: host.payload.startTime } });
    // The process's own account of its stop: it left because the CMA acknowledged, not by timing out.
    expect(child.logs.find((l) => l.msg === 'stopping')).toBeDefined();
    expect(child.logs.find((l) => l.msg === 'left the CMA')).toMatchObject({ acknowledged: true });
    expect(child.logs.find((l) => l.msg === 'graceful stop took too long; exiting')).toBeUndefined();
    expect(child.logs.find((l) => l.msg === 'nanoprobe stopped')).toBeDefined();
  });

  it('a partner killed with SIGKILL is reported late, then dead (standalone entry)', async () => {
    const child = spawnNanoprobe('kilo', [], 'standalone');
    const observer = await fleet.start(cma, 'oscar');
    const [hk, ho] = await Promise.all([cma.waitForHost('kilo', 60_000), cma.waitForHost('oscar')]);
    await child.waitForLog('joined');
    await eventually(() => observer.status().joined, 10_000, 'observer joined');
    await pair(cma, hk, ho);
    await eventually(() => (observer.status().partners[0]?.heartbeatsHeard ?? 0) >= 2, 30_000, 'heartbeats from the process');
    child.process.kill('SIGKILL');
    await child.exited;
    const about = (status: string) => () => cma.messages('PARTNER_REPORT').find((r) => r.payload.partner === hk.keyId && r.payload.status === status);
    const late = await cma.waitFor(about('late'), 20_000, 'late');
    const dead = await cma.waitFor(about('dead'), 20_000, 'dead');
    expect(late.payload.observer).toBe(observer.keyId);
    expect(dead.at).toBeGreaterThanOrEqual(late.at);
    expect(cma.messages('LEAVE').some((m) => m.peer === hk.keyId)).toBe(false);
  });

  it('stops with exit status 2 and names the key on a bad configuration', async () => {
    const child = spawnNanoprobe('bad', ['--multicast-ttl', '999']);
    const exit = await child.exited;
    expect(exit.code).toBe(2);
    expect(child.stderr).toMatch(/config key "multicast.ttl".*got 999 from flags/);
  });
});
