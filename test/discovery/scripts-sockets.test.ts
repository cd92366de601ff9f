/**
 * tcp and processes, run for real: the test opens a listening socket and a client connection and
 * starts a child process, then checks the scripts see them with the right owners.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { processesDataSchema } from '../../cma/discovery/processes-plugin';
import { tcpDataSchema } from '../../cma/discovery/tcp-plugin';
import { discover } from './run-discovery';

function ownStartTime(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

describe('tcp and processes scripts on this machine', () => {
  let server: net.Server;
  let client: net.Socket;
  let port: number;
  let sleeper: ChildProcess;
  let server6: net.Server;
  let port6: number;

  beforeAll(async () => {
    server = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    server6 = net.createServer();
    await new Promise<void>((resolve) => server6.listen(0, '::1', resolve));
    port6 = (server6.address() as net.AddressInfo).port;
    client = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    // A child of this process, i.e. of "the nanoprobe": must not show up in the processes result.
    sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  });

  afterAll(async () => {
    sleeper.kill('SIGKILL');
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => server6.close(resolve));
  });

  test('tcp: the listener, the outbound connection and the inbound one, owned by this process', async () => {
    const data = tcpDataSchema.parse((await discover('tcp')).data);
    const me = { pid: process.pid, starttime: ownStartTime() };
    const listener = data.listening.find((l) => l.port === port);
    expect(listener).toMatchObject({ ip: '127.0.0.1', wildcard: false });
    expect(listener?.processes).toContainEqual(expect.objectContaining(me));
    expect(data.outbound).toContainEqual(expect.objectContaining({ ...me, remote_ip: '127.0.0.1', remote_port: port }));
    expect(data.inbound).toContainEqual({ local_ip: '127.0.0.1', local_port: port, remote_ip: '127.0.0.1' });
    // An IPv6 listener, read from /proc/net/tcp6.
    expect(data.listening.find((l) => l.port === port6)).toMatchObject({ ip: '::1', family: 'inet6' });
    // Only listeners and established connections, sorted: stable output for change detection.
    expect(data.listening.map((l) => l.port)).toEqual([...data.listening.map((l) => l.port)].sort((a, b) => a - b));
  });

  test('processes: this process with its executable, arguments and user; the runner\'s children left out', async () => {
    const data = processesDataSchema.parse((await discover('processes')).data);
    const me = data.processes.find((p) => p.pid === process.pid);
    expect(me).toBeDefined();
    expect(me?.exe).toBe(realpathSync(process.execPath));
    expect(me?.starttime).toBe(ownStartTime());
    expect(me?.user).toBe(os.userInfo().username);
    const cmdline = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter((a, i, all) => i < all.length - 1);
    expect(me?.argv).toEqual(cmdline.slice(0, 64).map((a) => a.slice(0, 512)));
    expect(me?.argv).toContain(process.argv[1]);
    expect(data.processes.some((p) => p.pid === sleeper.pid)).toBe(false);
    // The parent of this process is visible too, and is not a child of the runner.
    expect(data.processes.some((p) => p.pid === process.ppid)).toBe(true);
    // No kernel threads (they have no executable and no command line).
    expect(data.processes.every((p) => p.argv.length > 0 || p.exe !== null)).toBe(true);
  });

  test('processes: long command lines are bounded by the parameters', async () => {
    const data = processesDataSchema.parse((await discover('processes', { max_args: '1', max_arg_chars: '4' })).data);
    const me = data.processes.find((p) => p.pid === process.pid);
    expect(me?.argv).toHaveLength(1);
    expect(me?.argv[0]?.length).toBeLessThanOrEqual(4);
    expect(me?.argv_truncated).toBe(true);
  });
});
