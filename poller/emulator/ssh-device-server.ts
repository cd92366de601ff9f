/**
 * The emulator: many network devices behind real SSH on loopback, for testing SSH pollers.
 *
 * One `ssh2.Server` (one host key, one set of algorithms) is shared by all devices and never listens
 * itself; plain `net` servers accept the TCP connections and hand each socket to it with
 * `injectSocket`, remembering which device the port belongs to. An ssh2.Server per device would
 * cost ~16 KB each (33 MB for 2,000, measured) against ~4 KB for a bare listening socket.
 *
 * Two ways to reach a device (`listen`):
 * - `per-device` (default): each device has its own port (`basePort + index`, or an ephemeral one
 *   with basePort 0): realistic (one address per device, any login name), one socket per device.
 * - `shared`: one port for all; the device comes from the login name (`admin%core-01`, see
 *   ssh-auth.ts). Cheapest for very large fleets (beyond the ~28,000 ephemeral ports, or a low
 *   open-files limit), at the cost of pollers having to put the device into the user name.
 */
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Server as SshServer, type Connection, type ServerChannel, type Session } from 'ssh2';
import { CliSession, type SessionTransport } from './cli-session';
import type { Credential, DeviceSpec } from './device-spec';
import { parseDeviceSpec } from './device-spec';
import { EmulatedDevice, type Clock } from './emulated-device';
import { generateHostKey, type HostKey, type HostKeyType } from './host-key';
import { authenticate, splitLogin, type DeviceResolver, type LoginTarget } from './ssh-auth';

export type ListenMode = 'per-device' | 'shared';

export interface EmulatorOptions {
  devices?: readonly DeviceSpec[];
  listen?: ListenMode;
  /** Default 127.0.0.1: the emulator is for loopback tests. */
  host?: string;
  /** per-device: device i listens on basePort + i (0: each an ephemeral port); shared: the port. */
  basePort?: number;
  /** Credentials of devices whose spec has none; default admin / admin. */
  credentials?: readonly Credential[];
  /** Shared port: login names that select a device without a `%device` suffix. */
  userMap?: Readonly<Record<string, string>>;
  /** A key to reuse, or the type of the one to generate (default ed25519). */
  hostKey?: HostKey | HostKeyType;
  /** Where time comes from (ms since the epoch): uptimes and counters follow it. Default Date.now. */
  clock?: Clock;
  /** Unexpected errors inside a session or connection (default: ignored; the session is dropped). */
  onError?: (err: unknown) => void;
}

export interface Endpoint {
  host: string;
  port: number;
  /** The login name to use for `username` on this endpoint (with the device suffix on the shared port). */
  login(username: string): string;
}

export interface EmulatorStats {
  devices: number;
  listeningPorts: number;
  openConnections: number;
  sessions: number;
  commands: number;
}

export const DEFAULT_CREDENTIALS: readonly Credential[] = [{ username: 'admin', password: 'admin' }];

interface ConnectionContext {
  socket: net.Socket;
  /** Known from the port in per-device mode; from the login on the shared port. */
  device: EmulatedDevice | undefined;
  target: LoginTarget | undefined;
}

/** ssh2 keeps the socket of a server-side connection in a private field; it is the only link back. */
function socketOf(conn: Connection): unknown {
  return (conn as unknown as { _sock?: unknown })._sock;
}

export class DeviceEmulator {
  readonly hostKey: HostKey;
  readonly host: string;
  readonly listen: ListenMode;
  private readonly basePort: number;
  private readonly clock: Clock;
  private readonly credentials: readonly Credential[];
  private readonly userMap: ReadonlyMap<string, string>;
  private readonly byName = new Map<string, EmulatedDevice>();
  private readonly order: EmulatedDevice[] = [];
  private readonly listeners = new Map<EmulatedDevice | 'shared', net.Server>();
  private readonly contexts = new WeakMap<net.Socket, ConnectionContext>();
  private readonly sockets = new Set<net.Socket>();
  private readonly ssh: SshServer;
  private sharedPort: number | undefined;
  private running = false;
  private sessionCount = 0;
  private commandCount = 0;

  private constructor(private readonly options: EmulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.listen = options.listen ?? 'per-device';
    this.basePort = options.basePort ?? 0;
    this.clock = options.clock ?? Date.now;
    this.credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    this.userMap = new Map(Object.entries(options.userMap ?? {}));
    this.hostKey = typeof options.hostKey === 'object' ? options.hostKey : generateHostKey(options.hostKey ?? 'ed25519');
    this.ssh = new SshServer({ hostKeys: [this.hostKey.privateKey] }, (conn, info) => this.onConnection(conn, info.ip));
    this.ssh.on('error', (err: unknown) => this.options.onError?.(err));
  }

  /** Creates the devices and starts listening; rejects (and closes what it opened) if a port is taken. */
  static async start(options: EmulatorOptions = {}): Promise<DeviceEmulator> {
    const emulator = new DeviceEmulator(options);
    for (const spec of options.devices ?? []) emulator.createDevice(spec);
    try {
      await emulator.open();
    } catch (err) {
      await emulator.stop();
      throw err;
    }
    return emulator;
  }

  /** Adds a device to a running emulator (listening on its own port in per-device mode). */
  async addDevice(spec: DeviceSpec): Promise<EmulatedDevice> {
    const device = this.createDevice(spec);
    if (this.running && this.listen === 'per-device') await this.listenFor(device, this.order.length - 1);
    return device;
  }

  device(name: string): EmulatedDevice {
    const d = this.byName.get(name);
    if (!d) throw new Error(`no emulated device named ${JSON.stringify(name)}`);
    return d;
  }

  devices(): readonly EmulatedDevice[] {
    return this.order;
  }

  /** Where to connect for a device, and the login name to use there. */
  endpoint(name: string): Endpoint {
    const device = this.device(name);
    if (this.listen === 'shared') {
      if (this.sharedPort === undefined) throw new Error('the emulator is not listening');
      return { host: this.host, port: this.sharedPort, login: (u) => `${u}%${device.name}` };
    }
    if (device.port === undefined) throw new Error(`device ${name} is not listening`);
    return { host: this.host, port: device.port, login: (u) => u };
  }

  /** The host key as a known_hosts line for `port` (OpenSSH writes `[host]:port` for non-22 ports). */
  knownHostsLine(port: number): string {
    return `[${this.host}]:${port} ${this.hostKey.publicKey}`;
  }

  stats(): EmulatorStats {
    return {
      devices: this.order.length,
      listeningPorts: this.listeners.size,
      openConnections: this.sockets.size,
      sessions: this.sessionCount,
      commands: this.commandCount,
    };
  }

  /** Stops listening and cuts every open connection. */
  async stop(): Promise<void> {
    this.running = false;
    const closing = [...this.listeners.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.listeners.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all(closing);
  }

  // ---- listening --------------------------------------------------------------------------------

  private createDevice(spec: DeviceSpec): EmulatedDevice {
    const valid = parseDeviceSpec(spec);
    if (this.byName.has(valid.name)) throw new Error(`duplicate device name ${valid.name}`);
    const device = new EmulatedDevice(valid, { credentials: this.credentials }, this.clock);
    this.byName.set(device.name, device);
    this.order.push(device);
    return device;
  }

  private async open(): Promise<void> {
    this.running = true;
    if (this.listen === 'shared') {
      const server = this.server(undefined);
      this.sharedPort = await listenOn(server, this.host, this.basePort);
      this.listeners.set('shared', server);
      return;
    }
    await Promise.all(this.order.map((d, i) => this.listenFor(d, i)));
  }

  private async listenFor(device: EmulatedDevice, index: number): Promise<void> {
    const wanted = device.port ?? (this.basePort > 0 ? this.basePort + index : 0);
    const server = this.server(device);
    this.listeners.set(device, server);
    device.port = await listenOn(server, this.host, wanted);
  }

  private server(device: EmulatedDevice | undefined): net.Server {
    return net.createServer({ noDelay: true }, (socket) => {
      socket.on('error', () => undefined); // resets from clients that give up are normal here
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.contexts.set(socket, { socket, device, target: undefined });
      this.ssh.injectSocket(socket);
    });
  }

  // ---- SSH --------------------------------------------------------------------------------------

  private onConnection(conn: Connection, from: string): void {
    const socket = socketOf(conn);
    const ctx = socket instanceof net.Socket ? this.contexts.get(socket) : undefined;
    conn.on('error', () => undefined);
    if (!ctx) {
      conn.end();
      return;
    }
    conn.on('authentication', (auth) => authenticate(auth, this.resolver(ctx), (target) => (ctx.target = target)));
    conn.on('ready', () => {
      conn.on('session', (accept) => this.onSession(accept(), conn, ctx, from));
    });
  }

  private resolver(ctx: ConnectionContext): DeviceResolver {
    return (login) => {
      const { username, device: suffix } = splitLogin(login);
      if (ctx.device) {
        // On a device's own port a suffix naming that device is tolerated, any other is part of the name.
        return suffix === ctx.device.name ? { device: ctx.device, username } : { device: ctx.device, username: login };
      }
      const bySuffix = suffix !== undefined ? this.byName.get(suffix) : undefined;
      if (bySuffix) return { device: bySuffix, username };
      const mapped = this.userMap.get(login);
      const device = mapped !== undefined ? this.byName.get(mapped) : undefined;
      return device ? { device, username: login } : undefined;
    };
  }

  private onSession(session: Session, conn: Connection, ctx: ConnectionContext, from: string): void {
    const target = ctx.target;
    if (!target) return;
    let started = false;
    session.on('pty', (accept) => accept?.());
    session.on('window-change', (accept) => accept?.());
    session.on('env', (accept) => accept?.());
    session.on('subsystem', (_accept, reject) => reject?.());
    session.on('shell', (accept, reject) => {
      if (started) return void reject?.();
      started = true;
      const channel = accept();
      const cli = this.cliSession(target, channel, ctx, from, () => conn.end());
      const decoder = new StringDecoder('utf8'); // a character split across packets stays whole
      channel.on('data', (data: Buffer) => cli.receive(decoder.write(data)));
      channel.on('close', () => cli.end());
      cli.start();
    });
    session.on('exec', (accept, reject, info) => {
      if (started) return void reject?.();
      started = true;
      const channel = accept();
      const cli = this.cliSession(target, channel, ctx, from, () => undefined);
      channel.on('close', () => cli.end());
      cli.exec(info.command).catch((err: unknown) => {
        this.options.onError?.(err);
        ctx.socket.destroy();
      });
    });
  }

  private cliSession(target: LoginTarget, channel: ServerChannel, ctx: ConnectionContext, from: string, afterClose: () => void): CliSession {
    this.sessionCount += 1;
    channel.on('error', () => undefined);
    const transport: SessionTransport = {
      write: (text) => void channel.write(text),
      close: (code) => {
        // IOS and the others hang up when the shell ends (the exec channel leaves the connection to
        // the client). Hanging up only once the client has closed its side of the channel lets it
        // read the exit status first: OpenSSH otherwise reports 255, "connection closed".
        channel.once('close', afterClose);
        channel.exit(code);
        channel.end();
      },
      drop: () => ctx.socket.destroy(),
    };
    return new CliSession(target.device, transport, {
      username: target.username,
      privilege: target.credential.privilege ?? 1,
      from,
      onCommand: () => void (this.commandCount += 1),
      onError: (err) => this.options.onError?.(err),
    });
  }
}

function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
