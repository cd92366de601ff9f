/**
 * lldp, against real lldpd daemons (Debian package lldpd): two network namespaces joined by a veth
 * pair, one lldpd in each with its own control socket, named "host" and "switch". The script is asked
 * through the host's socket and must report the switch's chassis and port. Needs root (namespaces).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lldpDataSchema } from '../../cma/discovery/lldp-plugin';
import { planIngest } from '../../cma/discovery/registry';
import { rowsOf } from './plan-checks';
import { discover } from './run-discovery';
import { describeNeedingRoot } from '../support/needs-root';


function run(cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${res.error?.message ?? res.stderr}`);
}

async function until(what: string, check: () => boolean, limitMs = 45_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeNeedingRoot('lldp script with real lldpd instances', () => {
  const id = randomBytes(3).toString('hex');
  const hostNs = `umx-h-${id}`;
  const switchNs = `umx-s-${id}`;
  const hostIf = `uh${id}`;
  const switchIf = `us${id}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-lldp-'));
  const hostSock = path.join(dir, 'host.sock');
  const switchSock = path.join(dir, 'switch.sock');
  const daemons: ChildProcess[] = [];

  function startLldpd(ns: string, sock: string, iface: string): void {
    // -d keeps lldpd in the foreground, so this test owns its pid and can stop it.
    const child = spawn('ip', ['netns', 'exec', ns, 'lldpd', '-d', '-u', sock, '-O', '/dev/null', '-I', iface], { stdio: 'ignore' });
    daemons.push(child);
  }

  function neighborsSeen(): boolean {
    const res = spawnSync('lldpcli', ['-u', hostSock, '-f', 'json0', 'show', 'neighbors'], { encoding: 'utf8' });
    return res.status === 0 && res.stdout.includes('"switch-lab"');
  }

  beforeAll(async () => {
    // lldpd drops to its own user (_lldpd) before it creates its socket.
    chmodSync(dir, 0o755);
    run('ip', ['netns', 'add', hostNs]);
    run('ip', ['netns', 'add', switchNs]);
    run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', switchIf]);
    run('ip', ['link', 'set', hostIf, 'netns', hostNs]);
    run('ip', ['link', 'set', switchIf, 'netns', switchNs]);
    run('ip', ['-n', hostNs, 'link', 'set', hostIf, 'up']);
    run('ip', ['-n', switchNs, 'link', 'set', switchIf, 'up']);
    startLldpd(hostNs, hostSock, hostIf);
    startLldpd(switchNs, switchSock, switchIf);
    const answers = (sock: string) =>
      existsSync(sock) && spawnSync('lldpcli', ['-u', sock, 'show', 'chassis'], { stdio: 'ignore' }).status === 0;
    await until('lldpd to answer on its control sockets', () => answers(hostSock) && answers(switchSock));
    // Namespaces share the machine's hostname: name each lldpd, and make them talk every second.
    run('lldpcli', ['-u', hostSock, 'configure', 'system', 'hostname', 'host-lab']);
    run('lldpcli', ['-u', switchSock, 'configure', 'system', 'hostname', 'switch-lab']);
    run('lldpcli', ['-u', hostSock, 'configure', 'lldp', 'tx-interval', '1']);
    run('lldpcli', ['-u', switchSock, 'configure', 'lldp', 'tx-interval', '1']);
    await until('the host lldpd to hear the switch', neighborsSeen);
  }, 90_000);

  afterAll(() => {
    for (const d of daemons) if (d.pid !== undefined) d.kill('SIGTERM');
    spawnSync('ip', ['netns', 'del', hostNs]);
    spawnSync('ip', ['netns', 'del', switchNs]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('reports the switch chassis and port heard on the interface, and the local chassis', async () => {
    const doc = await discover('lldp', { socket: hostSock });
    const data = lldpDataSchema.parse(doc.data);
    expect(data.local_chassis?.name).toBe('host-lab');
    expect(data.neighbors).toHaveLength(1);
    const n = data.neighbors[0];
    expect(n?.interface).toBe(hostIf);
    expect(n?.chassis.name).toBe('switch-lab');
    expect(n?.port.descr).toBe(switchIf);
    // The chassis id is what the switch itself reports as its own.
    const own = spawnSync('lldpcli', ['-u', switchSock, '-f', 'json0', 'show', 'chassis'], { encoding: 'utf8' });
    expect(own.stdout).toContain(`"${n?.chassis.id}"`);

    // And the lldp plugin turns it into wiring from this host's NIC to that port.
    const { plan, outcome } = planIngest({ document: doc }, { host: 'host-lab', now: Date.now() });
    expect(outcome).toBe('derived');
    expect(rowsOf(plan, 'MERGE (n)-[r:WIRED_TO]->(sp)')).toEqual([
      expect.objectContaining({ nic: `host-lab/${hostIf}`, port: `${n?.chassis.id}/${n?.port.id}` }),
    ]);
  });

  test('the same result twice in a row: nothing volatile (ages, TTLs) in the output', async () => {
    const a = await discover('lldp', { socket: hostSock });
    await new Promise((r) => setTimeout(r, 1100));
    const b = await discover('lldp', { socket: hostSock });
    expect(b).toEqual(a);
  });

  test('a socket with no lldpd behind it gives a valid empty result with the reason', async () => {
    const data = lldpDataSchema
      .extend({})
      .passthrough()
      .parse((await discover('lldp', { socket: path.join(dir, 'nobody.sock') })).data) as { neighbors: unknown[]; unavailable?: string };
    expect(data.neighbors).toEqual([]);
    expect(data.unavailable).toMatch(/nobody\.sock/);
  });
});
