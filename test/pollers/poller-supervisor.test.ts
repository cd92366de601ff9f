/**
 * The poller's main process against a real CMA: its workers (real processes) are the CMA's hashing
 * units, their confirms and results reach the graph with the worker index the supervisor knows, and
 * a worker killed with SIGKILL is started again under its index and given its devices back — the
 * CMA moves none of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../common/logger';
import { startPollerAgent } from '../../poller/agent/start-poller-agent';
import { PollerSupervisor } from '../../poller/supervisor/poller-supervisor';
import { LoopbackCma } from '../membership/loopback-cma';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';

type PollersView = { devices: Array<{ device: string; holder: string | null; incoming: string | null }> };
// 40 devices over 2 equal workers: the chance that hashing gives one worker all of them is 2^-39.
const DEVICES = Array.from({ length: 40 }, (_, i) => ({ name: `core-${i}`, address: '127.0.0.1', port: 2300 + i, platform: 'cisco_nxos', credential: 'lab' }));

describeWithNeo4j('poller supervisor', () => {
  const loopback = new LoopbackCma('unimatrix-poller-supervisor-', { 'pollers.devices': DEVICES, 'pollers.leaseSeconds': 5 });
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-supervisor-'));
  let supervisor: PollerSupervisor | undefined;
  const view = async (): Promise<PollersView> => (await fetch(`${loopback.cma.apiUrl}/api/pollers`)).json() as Promise<PollersView>;
  const pollPids = async () =>
    new Map(
      (await loopback.cma.graph.store.read<{ device: string; records: string; worker: string }>(
        `MATCH (d:NetworkDevice)-[:HAS_POLL]->(p:PollResult) RETURN d.key AS device, p.records AS records, p.worker AS worker`,
      )).map((r) => [r.device, { pid: (JSON.parse(r.records) as Array<{ PID: string }>)[0]!.PID, worker: r.worker }]),
    );

  beforeAll(async () => {
    await loopback.start();
  }, 180_000);
  afterAll(async () => {
    await supervisor?.stop();
    await loopback.close();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  test('workers are hashing units; a killed worker comes back under its index and keeps its devices', async () => {
    supervisor = new PollerSupervisor({
      workers: 2,
      capacityPerWorker: 500,
      entry: path.join(__dirname, 'fixtures', 'confirming-worker.js'),
      backoff: { initialMs: 100, maxMs: 1_000, stableAfterMs: 60_000 },
      log: silentLogger,
      startAgent: (hooks) => startPollerAgent({ ...hooks, cma: loopback.address, stateDir: path.join(home, 'poller'), hostname: 'poller-1', renewEveryMs: 1_000, log: silentLogger }),
    });
    await supervisor.start();
    const settled = (v: PollersView) => v.devices.length === DEVICES.length && v.devices.every((d) => d.holder !== null && d.incoming === null);
    const key = supervisor.keyId!;
    const both = (v: PollersView) => settled(v) && new Set(v.devices.map((d) => d.holder)).size === 2;
    const first = await waitFor(view, both, 60_000);
    expect(supervisor.status().workers.map((w) => [w.index, w.running, w.restarts])).toEqual([[0, true, 0], [1, true, 0]]);
    expect(settled(first)).toBe(true);
    expect(new Set(first.devices.map((d) => d.holder))).toEqual(new Set([`${key}/0`, `${key}/1`]));

    const polled = await waitFor(pollPids, (m) => m.size === DEVICES.length, 30_000);
    // Stored under the worker the supervisor knows, not the 99 the worker wrote.
    for (const d of first.devices) expect(polled.get(d.device)?.worker).toBe(d.holder);
    const status = supervisor.status();
    const victim = status.workers[1]!;
    const victimDevices = status.devices[1]!;
    expect(victimDevices.length).toBeGreaterThan(0);
    for (const d of victimDevices) expect(polled.get(d)?.pid).toBe(String(victim.pid));

    process.kill(victim.pid!, 'SIGKILL');
    // Its devices are polled again by the new process (replayed by the supervisor, not moved by the CMA).
    const after = await waitFor(pollPids, (m) => victimDevices.every((d) => m.get(d)?.pid !== String(victim.pid)), 30_000);
    const newPid = supervisor.status().workers[1]!.pid;
    expect(newPid).not.toBe(victim.pid);
    for (const d of victimDevices) expect(after.get(d)?.pid).toBe(String(newPid));
    const v = await view();
    expect(new Map(v.devices.map((d) => [d.device, d.holder]))).toEqual(new Map(first.devices.map((d) => [d.device, d.holder])));
    expect(supervisor.status().invalidFromWorkers).toBe(0);
  }, 120_000);
});
