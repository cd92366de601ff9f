import type { DeviceEntry } from './handover';
import type { AssignMessage, DeviceTask } from './assign-messages';
import { PollerService } from './poller-service';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const LEASE = 30_000;

function task(device: string): DeviceTask {
  return { device, address: '127.0.0.1', port: 2200, platform: 'cisco_ios', credential: 'lab', commands: [{ command: 'show version', intervalSeconds: 60 }] };
}
const devices = Array.from({ length: 200 }, (_, i) => task(`sw-${String(i).padStart(3, '0')}`));

function harness(initial: Array<[string, DeviceEntry]> = [], failSendsTo = new Set<string>()) {
  let now = 1_000_000;
  const sent: AssignMessage[] = [];
  const stored = new Map<string, DeviceEntry>(initial);
  const service = new PollerService({
    send: async (m) => {
      if (failSendsTo.has(m.keyid)) throw new Error('gave up');
      sent.push(m);
    },
    persist: async (changes) => {
      for (const [d, e] of changes) (e === null ? stored.delete(d) : stored.set(d, e));
    },
    now: () => now,
    leaseMs: LEASE,
    initial,
  });
  const advance = (ms: number) => (now += ms);
  /** Devices each worker was last told to start and not told to stop since. */
  const polling = () => {
    const by = new Map<string, Set<string>>();
    for (const m of sent) {
      const w = `${m.keyid}/${m.payload.worker}`;
      const set = by.get(w) ?? new Set<string>();
      by.set(w, set);
      for (const t of m.payload.start) set.add(t.device);
      for (const d of m.payload.stop) set.delete(d);
    }
    return by;
  };
  return { service, sent, stored, advance, polling };
}

const two = { workers: [{ index: 0, capacity: 100, state: 'up' as const }, { index: 1, capacity: 100, state: 'up' as const }] };

describe('poller service', () => {
  it('spreads devices over every worker, each device on exactly one, and persists who holds it', async () => {
    const h = harness();
    h.advance(LEASE); // past the start-up grace
    await h.service.setInventory(devices);
    await h.service.workersReported(A, 'poller-a', two);
    const polling = h.polling();
    expect([...polling.keys()].sort()).toEqual([`${A}/0`, `${A}/1`]);
    const all = [...polling.values()].flatMap((s) => [...s]);
    expect(all.sort()).toEqual(devices.map((d) => d.device).sort());
    for (const s of polling.values()) expect(s.size).toBeGreaterThan(50);
    // Started, not yet confirmed: incoming, no holder.
    expect(h.stored.get('sw-000')).toMatchObject({ holder: null });
    expect(h.stored.get('sw-000')?.incoming).toMatch(new RegExp(`^${A}/`));
  });

  it('a new poller takes about its share; the old holder stops a device only after the new one confirms it', async () => {
    const h = harness();
    h.advance(LEASE);
    await h.service.setInventory(devices);
    await h.service.workersReported(A, 'poller-a', two);
    for (const [w, set] of h.polling()) for (const d of set) await h.service.confirmed(A, { epoch: 1, worker: Number(w.split('/')[1]), device: d, firstPollAt: 1 });
    h.sent.length = 0;

    await h.service.workersReported(B, 'poller-b', two);
    const toB = h.sent.filter((m) => m.keyid === B).flatMap((m) => m.payload.start.map((t) => t.device));
    expect(toB.length).toBeGreaterThan(60); // about half of 200
    expect(toB.length).toBeLessThan(140);
    // Nothing is stopped on A yet: no gap while B has not polled.
    expect(h.sent.filter((m) => m.keyid === A).flatMap((m) => m.payload.stop)).toEqual([]);

    const moved = toB[0]!;
    const bWorker = h.sent.find((m) => m.keyid === B && m.payload.start.some((t) => t.device === moved))!.payload.worker;
    await h.service.confirmed(B, { epoch: 2, worker: bWorker, device: moved, firstPollAt: 2 });
    const stops = h.sent.filter((m) => m.keyid === A).flatMap((m) => m.payload.stop);
    expect(stops).toEqual([moved]);
    expect(h.stored.get(moved)).toEqual({ holder: `${B}/${bWorker}`, incoming: null });
    // A confirm from a worker that was not asked changes nothing.
    await h.service.confirmed(A, { epoch: 2, worker: 0, device: moved, firstPollAt: 3 });
    expect(h.stored.get(moved)).toEqual({ holder: `${B}/${bWorker}`, incoming: null });
  });

  it('a poller whose lease runs out loses its devices to the others at once', async () => {
    const h = harness();
    h.advance(LEASE);
    await h.service.setInventory(devices);
    await h.service.workersReported(A, 'poller-a', two);
    await h.service.workersReported(B, 'poller-b', two);
    h.advance(LEASE / 2);
    await h.service.workersReported(A, 'poller-a', two); // A renews, B does not
    h.advance(LEASE / 2 + 1);
    h.sent.length = 0;
    await h.service.tick();
    const restarted = h.sent.flatMap((m) => m.payload.start.map((t) => t.device));
    expect(h.sent.every((m) => m.keyid === A)).toBe(true);
    expect(restarted.length).toBeGreaterThan(0);
    for (const [, e] of h.stored) expect(e.incoming ?? e.holder).toMatch(new RegExp(`^${A}/`));
  });

  it('a restarted CMA believes the persisted holders for one lease, and tells a returning poller what it holds', async () => {
    const initial: Array<[string, DeviceEntry]> = devices.map((d, i) => [d.device, { holder: `${B}/${i % 2}`, incoming: null }]);
    const h = harness(initial);
    await h.service.setInventory(devices);
    await h.service.workersReported(A, 'poller-a', two); // a new poller during the grace: nothing moves yet
    expect(h.sent.filter((m) => m.payload.start.length > 0).map((m) => m.keyid)).toEqual([]);
    await h.service.workersReported(B, 'poller-b', two); // B comes back: told its 200 devices again
    expect(h.sent.filter((m) => m.keyid === B).flatMap((m) => m.payload.start).length).toBe(200);
    h.sent.length = 0;
    h.advance(LEASE);
    await h.service.workersReported(B, 'poller-b', two);
    await h.service.workersReported(A, 'poller-a', two);
    await h.service.tick();
    // Past the grace, A gets its share as a takeover: B keeps polling them until A confirms.
    expect(h.sent.filter((m) => m.keyid === A).flatMap((m) => m.payload.start).length).toBeGreaterThan(60);
    expect(h.sent.filter((m) => m.keyid === B).flatMap((m) => m.payload.stop)).toEqual([]);
  });

  it('a poller its assignment could not reach is told everything again at its next renewal; removed devices are stopped', async () => {
    const failing = new Set([A]);
    const h = harness([], failing);
    h.advance(LEASE);
    await h.service.setInventory(devices);
    await h.service.workersReported(A, 'poller-a', two);
    expect(h.sent).toHaveLength(0);
    failing.clear();
    await h.service.workersReported(A, 'poller-a', two);
    expect(h.sent.flatMap((m) => m.payload.start).length).toBe(200);
    h.sent.length = 0;
    await h.service.setInventory(devices.slice(1));
    expect(h.sent.flatMap((m) => m.payload.stop)).toEqual(['sw-000']);
    expect(h.stored.has('sw-000')).toBe(false);
  });
});
