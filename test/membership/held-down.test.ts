/**
 * Issue #4's two lost-host bugs, on loopback with everything real (the CMA in this process, its own
 * Neo4j, nanoprobe processes started from the sources): a nanoprobe the CMA declared dead while it
 * still ran (here: paused with SIGSTOP, as a VM is paused or a host cut off) must come back by
 * itself once it runs again, and a restarted CMA must bring back such hosts it holds as down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { Alert } from '../../cma/alerts/alert';
import type { HostRecord } from '../../cma/fleet/host-store';
import { tsEntryArgs } from '../lab/ts-entry';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';
import { LoopbackCma } from './loopback-cma';

/** Four hosts in one subnet and two in another: a paused host has live partners that report it. */
const MEMBERS = [
  ['alpha', '127.1.0.21'],
  ['bravo', '127.1.0.22'],
  ['charlie', '127.1.0.23'],
  ['delta', '127.1.0.24'],
  ['echo', '127.2.0.21'],
  ['foxtrot', '127.2.0.22'],
] as const;
const NAMES = MEMBERS.map(([name]) => name);

/** Junk datagrams sent at most to fill one socket's receive buffer: room for a ~200 MB buffer. */
const MAX_FLOOD_DATAGRAMS = 100_000;
/** Sent between two looks at the socket's drop counter. */
const FLOOD_ROUND = 200;

/**
 * How many datagrams the kernel dropped for the UDP socket bound to `ip:port` because its receive
 * buffer was full: the `drops` column of /proc/net/udp (addresses in hex, as the kernel stores them).
 */
function udpDrops(ip: string, port: number): number {
  const octets = Buffer.from(ip.split('.').map(Number));
  const hexIp = (os.endianness() === 'LE' ? octets.readUInt32LE(0) : octets.readUInt32BE(0)).toString(16).toUpperCase().padStart(8, '0');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = [`${hexIp}:${hexPort}`, `00000000:${hexPort}`];
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 13 || !wanted.includes(columns[1] ?? '')) continue;
    return Number(columns[columns.length - 1]);
  }
  throw new Error(`no UDP socket bound to ${ip}:${port} in /proc/net/udp`);
}

/** Whether process `pid` is stopped (SIGSTOP has taken effect): state T in /proc/<pid>/stat. */
function isStopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

describeWithNeo4j('membership: hosts declared dead while they ran come back', () => {
  const loopback = new LoopbackCma('unimatrix-held-down-');
  const children = new Map<string, ChildProcess>();
  const output = new Map<string, string>();
  const killAll = (): void => {
    for (const child of children.values()) child.kill('SIGKILL');
  };
  function startNanoprobe(name: string, ip: string): void {
    const stateDir = loopback.path('nanoprobes', name);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const args = ['--cma', `${loopback.address.host}:${loopback.address.port}`, '--hostname', name, '--bind', ip, '--address', `${ip}/16`, '--state-dir', stateDir, '--log-level', 'warn'];
    const child = spawn(process.execPath, tsEntryArgs('nanoprobe/main.ts', args), { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => void output.set(name, ((output.get(name) ?? '') + chunk.toString()).slice(-50_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.set(name, child);
  }

  const hosts = async (): Promise<Map<string, HostRecord>> => new Map((await loopback.cma.membership.hosts.list()).map((h) => [h.name, h]));
  const withStatus = (h: Map<string, HostRecord>, status: HostRecord['status']): string[] => NAMES.filter((n) => h.get(n)?.status === status);
  const alerts = (): Promise<Alert[]> => loopback.cma.membership.alerts.list();
  const hostDowns = (all: Alert[], host: string): Alert[] => all.filter((a) => a.labels.alertname === 'HostDown' && a.labels.host === host);
  const firingHostDowns = (all: Alert[]): string[] => all.filter((a) => a.labels.alertname === 'HostDown' && a.state === 'firing').map((a) => a.labels.host ?? '').sort();
  const globalRing = (): string[] => {
    const m = loopback.cma.membership;
    return (m.membership.ringSet.ring('global')?.ordered() ?? []).map((x) => m.peers.nameOf(x.host)).sort();
  };
  /**
   * Fills a paused nanoprobe's socket buffer with datagrams it will drop (no valid version byte), so
   * that what the CMA sends it next is lost, as on a cut link: without this, the probes of the death
   * judge would wait in the buffer and their late answers would bring the host back by another path.
   * It floods until the kernel drops datagrams for that socket (its drop counter grows): the buffer is
   * then over its limit, and with the process stopped nothing drains it, so every later datagram is
   * dropped too, whatever size the kernel allowed the buffer (net.core.rmem_max differs by machine).
   */
  const floodSocketOf = async (name: string): Promise<void> => {
    const peer = loopback.cma.membership.peers.all().find((p) => p.hostname === name);
    if (peer === undefined) throw new Error(`${name} is not known to the CMA`);
    const pid = children.get(name)?.pid;
    if (pid === undefined) throw new Error(`${name} has no process`);
    // Not a datagram sooner: a process still running would read some and leave room.
    expect(await waitFor(() => isStopped(pid), (stopped) => stopped, 10_000, 20)).toBe(true);
    const { ip, port } = peer.endpoint;
    const dropsBefore = udpDrops(ip, port);
    const socket = dgram.createSocket('udp4');
    const junk = Buffer.alloc(1_000);
    let sent = 0;
    try {
      while (udpDrops(ip, port) === dropsBefore) {
        if (sent >= MAX_FLOOD_DATAGRAMS) throw new Error(`${name}'s socket buffer still takes datagrams after ${sent} of ${junk.length} bytes`);
        const round = Array.from({ length: FLOOD_ROUND }, () => new Promise<void>((resolve) => socket.send(junk, port, ip, () => resolve())));
        await Promise.all(round);
        sent += FLOOD_ROUND;
      }
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  };
  const signal = (name: string, sig: NodeJS.Signals): void => {
    const child = children.get(name);
    if (child === undefined || !child.kill(sig)) throw new Error(`cannot send ${sig} to ${name}`);
  };

  beforeAll(async () => {
    process.on('exit', killAll);
    await loopback.start();
    for (const [name, ip] of MEMBERS) startNanoprobe(name, ip);
    const joined = await waitFor(hosts, (h) => withStatus(h, 'up').length === NAMES.length, 90_000, 500);
    expect(withStatus(joined, 'up')).toEqual(NAMES);
    const ring = await waitFor(globalRing, (r) => r.length === NAMES.length, 30_000);
    expect(ring).toEqual([...NAMES].sort());
  }, 180_000);

  afterAll(async () => {
    // A paused process would not die of SIGTERM; SIGKILL ends stopped ones too.
    killAll();
    process.off('exit', killAll);
    await loopback.close();
  }, 60_000);

  test('a nanoprobe cut off and declared dead rejoins by itself once it runs again: HostDown resolved, back on its rings', async () => {
    signal('alpha', 'SIGSTOP');
    await floodSocketOf('alpha');
    const down = await waitFor(alerts, (a) => firingHostDowns(a).includes('alpha'), 30_000);
    expect(firingHostDowns(down)).toEqual(['alpha']);
    expect((await hosts()).get('alpha')?.status).toBe('down');
    expect(await waitFor(globalRing, (r) => !r.includes('alpha'), 10_000)).not.toContain('alpha');

    signal('alpha', 'SIGCONT');
    // Its partners stopped heartbeating it when it was declared dead: its late reports, or the
    // unexpected heartbeats its former partners see, make the CMA send it REJOIN.
    const back = await waitFor(hosts, (h) => h.get('alpha')?.status === 'up', 30_000);
    expect(back.get('alpha')?.status).toBe('up');
    const after = await waitFor(alerts, (a) => firingHostDowns(a).length === 0, 10_000);
    expect(firingHostDowns(after)).toEqual([]);
    expect(hostDowns(after, 'alpha')).toHaveLength(1); // the one occurrence, resolved
    expect(await waitFor(globalRing, (r) => r.length === NAMES.length, 10_000)).toEqual([...NAMES].sort());
    expect(loopback.cma.membership.membership.audit()).toEqual([]);
    // The way back was REJOIN: the CMA sent one, and the nanoprobe announced again because of it.
    expect(loopback.cma.membership.counts().rejoin_sent ?? 0).toBeGreaterThanOrEqual(1);
    expect(output.get('alpha') ?? '').toMatch(/"reason":"cma_asked".*"msg":"lost the CMA; announcing again"/);
  }, 90_000);

  test('a restarted CMA greets hosts it holds as down: a running one rejoins and its alert resolves, a dead one raises no second alert', async () => {
    signal('bravo', 'SIGSTOP');
    children.get('foxtrot')?.kill('SIGKILL'); // really gone
    const downs = await waitFor(alerts, (a) => ['bravo', 'foxtrot'].every((h) => firingHostDowns(a).includes(h)), 30_000);
    expect(firingHostDowns(downs)).toEqual(['bravo', 'foxtrot']);

    await loopback.stop();
    signal('bravo', 'SIGCONT'); // runs again while no CMA is there: nothing tells it it was declared dead
    // It holds bravo as dead (not as unknown): bravo's announcement resolves the alert it had.
    await loopback.start();

    const back = await waitFor(hosts, (h) => h.get('bravo')?.status === 'up', 30_000);
    expect(back.get('bravo')?.status).toBe('up');
    const after = await waitFor(alerts, (a) => !firingHostDowns(a).includes('bravo'), 10_000);
    expect(firingHostDowns(after)).toEqual(['foxtrot']);
    expect(hostDowns(after, 'bravo').map((a) => a.state)).toEqual(['resolved']);

    // The greeting of the dead host goes unanswered (about ten seconds) and is only counted.
    const counts = await waitFor(() => loopback.cma.membership.counts(), (c) => (c.greeting_unanswered ?? 0) >= 1, 30_000);
    expect(counts.greeting_unanswered).toBe(1);
    const final = await alerts();
    expect(hostDowns(final, 'foxtrot')).toHaveLength(1);
    expect(firingHostDowns(final)).toEqual(['foxtrot']);
    expect((await hosts()).get('foxtrot')?.status).toBe('down');
    expect(globalRing()).toEqual(NAMES.filter((n) => n !== 'foxtrot').sort());
    expect(loopback.cma.membership.membership.audit()).toEqual([]);
  }, 120_000);
});
