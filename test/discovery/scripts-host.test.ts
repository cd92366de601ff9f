/**
 * The host-inventory scripts, run for real on this machine; each result is validated against the
 * schema its ingest plugin reads, and a few facts are checked against another source.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { cpuDataSchema } from '../../cma/discovery/cpu-plugin';
import { filesystemsDataSchema } from '../../cma/discovery/filesystems-plugin';
import { memoryDataSchema } from '../../cma/discovery/memory-plugin';
import { netconfigDataSchema } from '../../cma/discovery/netconfig-plugin';
import { osDataSchema } from '../../cma/discovery/os-plugin';
import { packagesDataSchema } from '../../cma/discovery/packages-plugin';
import { discover } from './run-discovery';

describe('host inventory scripts on this machine', () => {
  test('os: kernel, hostname and distribution as the system reports them', async () => {
    const doc = await discover('os');
    expect(doc.host).toBe(os.hostname());
    const data = osDataSchema.parse(doc.data);
    expect(data.kernel_release).toBe(os.release());
    expect(data.hostname).toBe(os.hostname());
    const id = /^ID=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, '');
    expect(data.distribution.id).toBe(id);
    expect(data.architecture).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
  });

  test('cpu: as many logical CPUs as the kernel schedules on', async () => {
    const data = cpuDataSchema.parse((await discover('cpu')).data);
    expect(data.logical_cpus).toBe(os.cpus().length);
    expect(data.physical_cores).toBeLessThanOrEqual(data.logical_cpus);
  });

  test('memory: the total the kernel reports', async () => {
    const data = memoryDataSchema.parse((await discover('memory')).data);
    expect(data.total_bytes).toBe(os.totalmem());
  });

  test('netconfig: every interface Node sees, with its MAC and addresses; the default gateway', async () => {
    const data = netconfigDataSchema.parse((await discover('netconfig')).data);
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      const nic = data.nics.find((n) => n.name === name);
      expect(nic).toBeDefined();
      for (const a of addrs ?? []) {
        expect(nic?.mac).toBe(a.mac);
        const [address, prefix] = (a.cidr ?? '').split('/');
        expect(nic?.addresses).toContainEqual(expect.objectContaining({ address: address?.split('%')[0], prefixlen: Number(prefix) }));
      }
    }
    for (const nic of data.nics) {
      expect(nic.mtu).toBe(Number(readFileSync(`/sys/class/net/${nic.name}/mtu`, 'utf8')));
    }
    // IPv4 default gateway from the kernel's routing table (hex, little-endian).
    const fromProc = readFileSync('/proc/net/route', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === '00000000' && f[7] === '00000000' && f[2])
      .map((f) => Buffer.from(f[2] as string, 'hex').reverse().join('.'));
    const v4 = (data.default_routes ?? []).filter((r) => r.family === 'inet').map((r) => r.gateway);
    expect(v4.sort()).toEqual(fromProc.sort());
  });

  test('filesystems: the root filesystem with its type and capacity', async () => {
    const data = filesystemsDataSchema.parse((await discover('filesystems')).data);
    const root = data.filesystems.find((f) => f.mountpoint === '/');
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
    const rootType = mounts.filter((m) => m[1] === '/').pop()?.[2];
    expect(root?.fstype).toBe(rootType);
    const st = statfsSync('/');
    expect(root?.size_bytes).toBe(st.blocks * st.bsize);
    expect(data.filesystems.some((f) => f.fstype === 'proc')).toBe(false);
  });

  test('packages: every installed dpkg package, with the versions dpkg reports', async () => {
    const data = packagesDataSchema.parse((await discover('packages')).data);
    const dpkg = data.managers?.find((m) => m.name === 'dpkg');
    expect(dpkg?.available).toBe(true);
    const installed = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\n'], { encoding: 'utf8' })
      .split('\n')
      .filter((s) => s.startsWith('ii')).length;
    expect(dpkg?.count).toBe(installed);
    const dpkgVersion = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'dpkg'], { encoding: 'utf8' });
    expect(data.packages).toContainEqual(expect.objectContaining({ manager: 'dpkg', name: 'dpkg', version: dpkgVersion }));
    for (const m of data.managers ?? []) {
      if (!m.available) expect(m.reason).toMatch(/\S/);
    }
    const rpm = data.managers?.find((m) => m.name === 'rpm');
    if (spawnSync('rpm', ['--version']).error) expect(rpm).toMatchObject({ available: false, reason: 'rpm is not installed' });
  });

  test('packages: a manager left out by parameter is not asked', async () => {
    const data = packagesDataSchema.parse((await discover('packages', { managers: 'dpkg' })).data);
    expect(data.managers?.map((m) => m.name)).toEqual(['dpkg']);
    expect(new Set(data.packages.map((p) => p.manager))).toEqual(new Set(['dpkg']));
  });

  test('arp: the resolved entries of the kernel neighbour table', async () => {
    const schema = z.object({
      neighbors: z.array(z.object({ ip: z.string(), family: z.enum(['inet', 'inet6']), dev: z.string(), mac: z.string(), permanent: z.boolean(), router: z.boolean() })),
    });
    const data = schema.parse((await discover('arp')).data);
    const complete = readFileSync('/proc/net/arp', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 6 && (Number.parseInt(f[2] ?? '0', 16) & 2) !== 0);
    for (const f of complete) {
      expect(data.neighbors).toContainEqual(expect.objectContaining({ ip: f[0], mac: f[3]?.toLowerCase(), dev: f[5] }));
    }
  });

  test('systemd: units when systemd is init, otherwise a valid empty result with the reason', async () => {
    const data = z
      .object({ units: z.array(z.object({ name: z.string(), load: z.string(), active: z.string(), sub: z.string() })), unavailable: z.string().optional() })
      .parse((await discover('systemd')).data);
    if (existsSync('/run/systemd/system')) {
      expect(data.unavailable).toBeUndefined();
      expect(data.units.length).toBeGreaterThan(0);
    } else {
      expect(data.units).toEqual([]);
      expect(data.unavailable).toMatch(/systemd is not the init system/);
    }
  });
});

describe('sshd script', () => {
  const schema = z.object({
    config: z.string().nullable(),
    settings: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    unavailable: z.string().optional(),
  });

  test('the effective settings, as sshd -T prints them (needs openssh-server)', async () => {
    // What the sshd service does before it starts: sshd -T refuses to run without it.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const data = schema.parse((await discover('sshd')).data);
    expect(data.unavailable).toBeUndefined();
    const direct = execFileSync('sshd', ['-T'], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    const permitRoot = /^permitrootlogin (.*)$/m.exec(direct)?.[1];
    expect(data.settings.permitrootlogin).toBe(permitRoot);
    expect(data.settings.port).toEqual([...direct.matchAll(/^port (\d+)$/gm)].map((m) => m[1]));
    expect(Array.isArray(data.settings.hostkey)).toBe(true);
  });

  test('without sshd, or with a config it cannot read, a valid empty result with the reason', async () => {
    const missing = schema.parse((await discover('sshd', { sshd: '/nonexistent/sshd' })).data);
    expect(missing.settings).toEqual({});
    expect(missing.unavailable).toMatch(/not installed/);
    const badConfig = schema.parse((await discover('sshd', { config: '/nonexistent/sshd_config' })).data);
    expect(badConfig.config).toBe('/nonexistent/sshd_config');
    expect(badConfig.unavailable).toMatch(/\/nonexistent\/sshd_config/);
  });
});
