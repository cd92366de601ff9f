/**
 * Pollers and a real CMA over the project's own signed, reliable UDP on loopback (no SSH yet: each
 * test worker "polls" by confirming and reporting at once). Devices come from the CMA's
 * configuration; assignments, handovers and results go through the real transport, router and Neo4j.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PayloadOf } from '../../protocol/message-types';
import { silentLogger } from '../../common/logger';
import { startPollerAgent, type RunningPollerAgent } from '../../poller/agent/start-poller-agent';
import { LoopbackCma } from '../membership/loopback-cma';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';

type Assign = PayloadOf<'POLLER_ASSIGN'>;
type PollersView = { pollers: Array<{ keyid: string; workers: unknown[] }>; devices: Array<{ device: string; holder: string | null; incoming: string | null }>; counts: Record<string, number> };

// 40 devices: the chance that hashing leaves a poller or worker without any is negligible (2^-39 per pair).
const DEVICES = Array.from({ length: 40 }, (_, i) => ({ name: `edge-${String(i).padStart(2, '0')}`, address: '127.0.0.1', port: 2200 + i, platform: i % 2 === 0 ? 'cisco_ios' : 'arista_eos', credential: 'lab' }));
const LEASE_S = 6;

describeWithNeo4j('pollers and the CMA', () => {
  const loopback = new LoopbackCma('unimatrix-pollers-', { 'pollers.devices': DEVICES, 'pollers.leaseSeconds': LEASE_S });
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-poller-agents-'));
  const agents: RunningPollerAgent[] = [];
  /** What each agent was last told to poll, per worker, as the messages left it. */
  const polling = new Map<string, Map<number, Set<string>>>();
  /** Every start each agent was sent, in order. */
  const starts = new Map<string, string[]>();

  async function poller(name: string, renewEveryMs = 1_000): Promise<RunningPollerAgent> {
    const mine = new Map<number, Set<string>>();
    let running: RunningPollerAgent | undefined;
    const onAssign = (a: Assign): void => {
      const set = mine.get(a.worker) ?? new Set<string>();
      mine.set(a.worker, set);
      for (const d of a.stop) set.delete(d);
      for (const t of a.start) {
        set.add(t.device);
        if (running !== undefined) starts.get(running.keyId)?.push(t.device);
        // A first poll that worked: confirm it and report its (parsed) output.
        void running?.agent.confirm({ epoch: a.epoch, worker: a.worker, device: t.device, firstPollAt: Date.now() }).catch(() => undefined);
        void running?.agent
          .result({
            worker: a.worker, device: t.device, command: t.commands[0]!.command, contentHash: 'a'.repeat(64),
            startedAt: Date.now(), durationMs: 12, outcome: { ok: true, records: [{ HOSTNAME: t.device, PLATFORM: t.platform }] },
          })
          .catch(() => undefined);
      }
    };
    running = await startPollerAgent({
      cma: loopback.address,
      stateDir: path.join(home, name),
      hostname: name,
      log: silentLogger,
      renewEveryMs,
      workers: () => [{ index: 0, capacity: 100, state: 'up' }, { index: 1, capacity: 100, state: 'up' }],
      onAssign,
    });
    polling.set(running.keyId, mine);
    starts.set(running.keyId, []);
    agents.push(running);
    return running;
  }
  const view = async (): Promise<PollersView> => (await fetch(`${loopback.cma.apiUrl}/api/pollers`)).json() as Promise<PollersView>;
  const settled = (v: PollersView) => v.devices.length === DEVICES.length && v.devices.every((d) => d.holder !== null && d.incoming === null);

  beforeAll(async () => {
    await loopback.start();
  }, 180_000);
  afterAll(async () => {
    for (const a of agents) await a.close().catch(() => undefined);
    await loopback.close();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  test('two pollers share the devices, each polled by one worker, results stored in the graph', async () => {
    const a = await poller('poller-a');
    const b = await poller('poller-b');
    const v = await waitFor(view, (x) => settled(x) && new Set(x.devices.map((d) => d.holder!.split('/')[0])).size === 2, 60_000);
    expect(settled(v)).toBe(true);
    const holders = new Set(v.devices.map((d) => d.holder!.split('/')[0]));
    expect(holders).toEqual(new Set([a.keyId, b.keyId]));
    // What the agents were told matches the CMA's table: no device on two workers.
    const told = [...polling.values()].flatMap((workers) => [...workers.values()].flatMap((s) => [...s]));
    expect(told.sort()).toEqual(DEVICES.map((d) => d.name).sort());

    const rows = await waitFor(
      () => loopback.cma.graph.store.read<{ device: string; status: string; records: string }>(
        `MATCH (d:NetworkDevice)-[:HAS_POLL]->(p:PollResult) RETURN d.key AS device, p.status AS status, p.records AS records`,
      ),
      (r) => r.length === DEVICES.length,
      30_000,
    );
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
    expect(JSON.parse(rows.find((r) => r.device === 'edge-03')!.records)).toEqual([{ HOSTNAME: 'edge-03', PLATFORM: 'arista_eos' }]);
  }, 120_000);

  test('a result for a device the worker was not given is acknowledged and dropped', async () => {
    const a = agents[0]!;
    const v = await view();
    const notMine = v.devices.find((d) => !d.holder!.startsWith(a.keyId))!.device;
    await a.agent.result({ worker: 0, device: notMine, command: 'show version', contentHash: 'b'.repeat(64), startedAt: 1, durationMs: 1, outcome: { ok: false, code: 'UNI_DISC_004', message: 'x' } });
    expect((await view()).counts.poll_results_unassigned).toBe(1);
    const [row] = await loopback.cma.graph.store.read<{ status: string }>(`MATCH (:NetworkDevice {key: $d})-[:HAS_POLL]->(p) RETURN p.status AS status`, { d: notMine });
    expect(row?.status).toBe('ok');
  });

  test('a poller that stops renewing loses its devices to the other when its lease runs out', async () => {
    const b = agents[1]!;
    await b.close();
    const v = await waitFor(view, (x) => settled(x) && x.devices.every((d) => d.holder!.startsWith(agents[0]!.keyId)), 60_000);
    expect(v.devices.every((d) => d.holder!.startsWith(agents[0]!.keyId))).toBe(true);
    expect(v.pollers.map((p) => p.keyid)).toEqual([agents[0]!.keyId]);
  }, 90_000);

  test('a restarted CMA resumes the table: the poller is told its devices again and nothing moves', async () => {
    const before = new Map((await view()).devices.map((d) => [d.device, d.holder]));
    const a = agents[0]!;
    const sentBefore = starts.get(a.keyId)!.length;
    await loopback.stop();
    await loopback.start();
    // The agent finds the restarted CMA (a new session), joins again and renews; the CMA resends
    // every device it holds, and moves none.
    const resent = await waitFor(() => starts.get(a.keyId)!.slice(sentBefore), (r) => r.length >= DEVICES.length, 60_000);
    expect([...resent].sort()).toEqual(DEVICES.map((d) => d.name).sort());
    const v = await waitFor(view, (x) => x.pollers.length === 1 && settled(x), 60_000);
    expect(new Map(v.devices.map((d) => [d.device, d.holder]))).toEqual(before);
  }, 120_000);
});
