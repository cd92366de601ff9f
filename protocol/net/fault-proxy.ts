/**
 * A UDP fault proxy over real sockets, for tests and benchmarks (this kernel has no netem). Clients
 * send to the proxy's address; for each client the proxy opens its own upstream socket towards the
 * target, so the target's replies find their way back. In both directions it applies seeded faults:
 * loss, duplication, reordering (an extra random delay for some datagrams), fixed delay with jitter,
 * and corruption (one random byte flipped). It counts everything it did.
 */
import { z } from 'zod';
import type { SocketAddress } from '../transport/datagram-socket';
import { SeededRandom } from '../transport/seeded-random';
import { openUdpSocket, type UdpSocket } from './udp-socket';

const probability = z.number().min(0).max(1);
const addressSchema = z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) });

export const faultSettingsSchema = z.object({
  loss: probability.default(0),
  duplicate: probability.default(0),
  reorder: probability.default(0),
  corrupt: probability.default(0),
  delayMs: z.number().min(0).max(60_000).default(0),
  jitterMs: z.number().min(0).max(60_000).default(0),
  reorderDelayMs: z.number().min(0).max(60_000).default(5),
});
export type FaultSettings = z.output<typeof faultSettingsSchema>;

export const faultProxyOptionsSchema = faultSettingsSchema.extend({
  listen: addressSchema.default({ host: '127.0.0.1', port: 0 }),
  target: addressSchema,
  seed: z.number().int().default(1),
  /** Distinct clients served at once; datagrams from further clients are dropped and counted. */
  maxClients: z.number().int().positive().default(1024),
});
export type FaultProxyOptions = z.input<typeof faultProxyOptionsSchema>;

export type DirectionStats = {
  received: number;
  forwarded: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
};

export type FaultProxyStats = { toTarget: DirectionStats; toClient: DirectionStats; clients: number; refusedClients: number };

/** One upstream socket per client; `socket` is set once the bind completed. */
type Client = { upstream: Promise<UdpSocket>; socket: UdpSocket | undefined };

function emptyDirection(): DirectionStats {
  return { received: 0, forwarded: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 };
}

export class FaultProxy {
  private faults: FaultSettings;
  private readonly random: SeededRandom;
  private readonly clients = new Map<string, Client>();
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private readonly counts: FaultProxyStats = { toTarget: emptyDirection(), toClient: emptyDirection(), clients: 0, refusedClients: 0 };
  private closed = false;

  private constructor(
    private readonly front: UdpSocket,
    private readonly target: SocketAddress,
    private readonly maxClients: number,
    faults: FaultSettings,
    seed: number,
  ) {
    this.faults = faults;
    this.random = new SeededRandom(seed);
    front.onDatagram((bytes, from) => void this.fromClient(bytes, from));
  }

  static async start(input: FaultProxyOptions): Promise<FaultProxy> {
    const o = faultProxyOptionsSchema.parse(input);
    const front = await openUdpSocket({ host: o.listen.host, port: o.listen.port });
    return new FaultProxy(front, o.target, o.maxClients, o, o.seed);
  }

  /** Where clients should send. */
  address(): SocketAddress {
    return this.front.localAddress();
  }

  setFaults(faults: Partial<FaultSettings>): void {
    this.faults = faultSettingsSchema.parse({ ...this.faults, ...faults });
  }

  stats(): FaultProxyStats {
    return { toTarget: { ...this.counts.toTarget }, toClient: { ...this.counts.toClient }, clients: this.clients.size, refusedClients: this.counts.refusedClients };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.pendingTimers) clearTimeout(t);
    this.pendingTimers.clear();
    await Promise.all([this.front.close(), ...[...this.clients.values()].map(async (c) => (await c.upstream.catch(() => undefined))?.close())]);
    this.clients.clear();
  }

  private fromClient(bytes: Uint8Array, from: SocketAddress): void {
    if (this.closed) return;
    const key = `${from.host}:${from.port}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      if (this.clients.size >= this.maxClients) {
        this.counts.refusedClients++;
        return;
      }
      client = this.openClient(from);
      this.clients.set(key, client);
    }
    const c = client;
    const forward = (b: Uint8Array): void => {
      if (c.socket !== undefined) c.socket.send(b, this.target);
      // Until the upstream socket is bound, datagrams wait on it in arrival order.
      else void c.upstream.then((s) => s.send(b, this.target), () => undefined);
    };
    this.apply(bytes, this.counts.toTarget, forward);
  }

  private openClient(from: SocketAddress): Client {
    const v6 = this.target.host.includes(':');
    const client: Client = { upstream: openUdpSocket({ host: v6 ? '::' : '0.0.0.0', type: v6 ? 'udp6' : 'udp4' }), socket: undefined };
    client.upstream.then(
      (socket) => {
        client.socket = socket;
        socket.onDatagram((reply) => this.apply(reply, this.counts.toClient, (b) => this.front.send(b, from)));
        if (this.closed) void socket.close();
      },
      () => undefined,
    );
    return client;
  }

  private apply(bytes: Uint8Array, stats: DirectionStats, forward: (b: Uint8Array) => void): void {
    if (this.closed) return;
    stats.received++;
    const f = this.faults;
    if (this.random.chance(f.loss)) {
      stats.lost++;
      return;
    }
    const copies = this.random.chance(f.duplicate) ? 2 : 1;
    if (copies === 2) stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let out = bytes;
      if (this.random.chance(f.corrupt) && bytes.length > 0) {
        out = Uint8Array.from(bytes);
        const at = this.random.int(0, out.length - 1);
        out[at] = (out[at] ?? 0) ^ this.random.int(1, 255);
        stats.corrupted++;
      }
      let delay = f.delayMs + (f.jitterMs > 0 ? this.random.between(0, f.jitterMs) : 0);
      if (this.random.chance(f.reorder)) {
        stats.reordered++;
        delay += this.random.between(0, f.reorderDelayMs);
      }
      if (delay <= 0) {
        stats.forwarded++;
        forward(out);
        continue;
      }
      const timer = setTimeout(() => {
        this.pendingTimers.delete(timer);
        if (this.closed) return;
        stats.forwarded++;
        forward(out);
      }, delay);
      this.pendingTimers.add(timer);
    }
  }
}

export function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  return FaultProxy.start(options);
}
