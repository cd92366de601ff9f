/**
 * The whole poller path, with real parts: a CMA (and its Neo4j) with devices in its configuration,
 * the emulator's devices behind real SSH on loopback, and a poller supervisor whose two worker
 * processes (dist/poller/worker/worker-main.js) hold persistent sessions, parse `show version` with
 * the ntc TextFSM templates, confirm each device and report results into the graph.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../common/logger';
import { projectPackage } from '../../common/project-package';
import { fleetSpecs } from '../../poller/emulator/fleet';
import { DeviceEmulator } from '../../poller/emulator/ssh-device-server';
import { startPollerAgent } from '../../poller/agent/start-poller-agent';
import { fingerprintOfPublicKey } from '../../poller/session/host-key';
import { PollerSupervisor } from '../../poller/supervisor/poller-supervisor';
import { LoopbackCma } from '../membership/loopback-cma';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';

const WORKER = path.join(projectPackage().root, 'dist', 'poller', 'worker', 'worker-main.js');

describeWithNeo4j('pollers over real SSH', () => {
  let emulator: DeviceEmulator;
  let loopback: LoopbackCma;
  let supervisor: PollerSupervisor | undefined;
  const home = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-poller-ssh-'));

  beforeAll(async () => {
    emulator = await DeviceEmulator.start({ devices: fleetSpecs(8) });
    const fingerprint = fingerprintOfPublicKey(emulator.hostKey.publicKey).replace(/^SHA256:/, '');
    const devices = emulator.devices().map((d) => {
      const ep = emulator.endpoint(d.name);
      return { name: d.name, address: ep.host, port: ep.port, platform: d.platform, credential: 'lab', hostKeySha256: fingerprint, commands: [{ command: 'show version', intervalSeconds: 60 }] };
    });
    // One device names a credential the poller does not hold: reported, not polled.
    devices.push({ ...devices[0]!, name: 'no-credential', credential: 'nobody' });
    loopback = new LoopbackCma('unimatrix-poller-ssh-', { 'pollers.devices': devices, 'pollers.leaseSeconds': 10 });
    await loopback.start();
  }, 180_000);
  afterAll(async () => {
    await supervisor?.stop();
    await loopback?.close();
    await emulator?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  test('every device is polled by one worker over one SSH session, parsed and stored', async () => {
    const config = path.join(home, 'poller.json');
    writeFileSync(config, JSON.stringify({
      credentials: { lab: { username: 'admin', password: 'admin' } },
      templatesDir: path.join(projectPackage().root, 'test', 'fixtures', 'ntc-templates', 'templates'),
      pollIntervalSeconds: 2,
    }));
    supervisor = new PollerSupervisor({
      workers: 2,
      capacityPerWorker: 1000,
      entry: WORKER,
      workerArgs: ['--config', config],
      log: silentLogger,
      startAgent: (hooks) => startPollerAgent({ ...hooks, cma: loopback.address, stateDir: path.join(home, 'state'), hostname: 'poller-ssh', renewEveryMs: 2_000, log: silentLogger }),
    });
    await supervisor.start();
    const read = () =>
      loopback.cma.graph.store.read<{ device: string; status: string; records: string | null; code: string | null; worker: string }>(
        `MATCH (d:NetworkDevice)-[:HAS_POLL]->(p:PollResult) RETURN d.key AS device, p.status AS status, p.records AS records, p.error_code AS code, p.worker AS worker`,
      );
    const rows = await waitFor(read, (r) => r.length === 9 && r.filter((x) => x.status === 'ok').length === 8, 90_000, 500);
    const byDevice = new Map(rows.map((r) => [r.device, r]));
    for (const d of emulator.devices()) {
      const row = byDevice.get(d.name);
      expect(row?.status).toBe('ok');
      const records = JSON.parse(row!.records ?? '[]') as Array<Record<string, unknown>>;
      expect(records.length).toBeGreaterThan(0);
      // Parsed, not passed through: several fields filled in, and the host name where the
      // platform's show version prints one (EOS's does not).
      expect(Object.values(records[0]!).filter((v) => typeof v === 'string' && v !== '').length).toBeGreaterThanOrEqual(3);
      if (d.platform !== 'arista_eos') expect(JSON.stringify(records[0]).toLowerCase()).toContain(d.name.toLowerCase());
    }
    expect(byDevice.get('no-credential')).toMatchObject({ status: 'error', code: 'UNI_POLL_014' });

    // Confirmed first polls made each worker the holder; both workers have devices.
    const view = (await (await fetch(`${loopback.cma.apiUrl}/api/pollers`)).json()) as { devices: Array<{ device: string; holder: string | null }> };
    const held = view.devices.filter((d) => d.device !== 'no-credential');
    expect(held.every((d) => d.holder !== null)).toBe(true);
    // Held by this poller's workers (which of the two is the hash's choice: 8 devices may all land on one).
    const key = supervisor.keyId!;
    expect(held.every((d) => d.holder === `${key}/0` || d.holder === `${key}/1`)).toBe(true);
    // One SSH session per device, kept open across polls.
    expect(emulator.stats().sessions).toBe(8);
  }, 150_000);
});
