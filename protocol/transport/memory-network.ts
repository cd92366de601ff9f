/**
 * An in-memory datagram network for deterministic tests: sockets bound to made-up addresses, every
 * datagram delivered through the given (fake) clock after a delay, and seeded faults: loss,
 * duplication, reordering (an extra random delay for some datagrams) and jitter. Same seed, same run.
 */
import type { Clock } from './clock';
import type { DatagramSocket, SocketAddress } from './datagram-socket';
import { SeededRandom } from './seeded-random';

export type NetworkFaults = {
  /** Probability that a datagram is lost. */
  loss?: number;
  /** Probability that a datagram is delivered twice. */
  duplicate?: number;
  /** Probability that a datagram is held back by up to `reorderDelayMs` extra. */
  reorder?: number;
  /** Base one-way delay. */
  delayMs?: number;
  /** Uniform extra delay in [0, jitterMs) for every datagram. */
  jitterMs?: number;
  reorderDelayMs?: number;
};

export type NetworkStats = {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  undeliverable: number;
};

type Handler = (bytes: Uint8Array, from: SocketAddress) => void;

export class MemoryNetwork {
  private readonly random: SeededRandom;
  private faults: Required<NetworkFaults>;
  private readonly sockets = new Map<string, MemorySocket>();
  private nextPort = 40000;
  private readonly counts: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, undeliverable: 0 };

  constructor(
    private readonly clock: Clock,
    options: { seed: number; faults?: NetworkFaults },
  ) {
    this.random = new SeededRandom(options.seed);
    this.faults = withDefaults(options.faults ?? {});
  }

  setFaults(faults: NetworkFaults): void {
    this.faults = withDefaults(faults);
  }

  bind(host = '10.0.0.1', port?: number): MemorySocket {
    const address = { host, port: port ?? this.nextPort++ };
    const key = keyOf(address);
    if (this.sockets.has(key)) throw new Error(`memory network: ${key} already bound`);
    const socket = new MemorySocket(this, address);
    this.sockets.set(key, socket);
    return socket;
  }

  stats(): NetworkStats {
    return { ...this.counts };
  }

  /** @internal used by MemorySocket */
  carry(bytes: Uint8Array, from: SocketAddress, to: SocketAddress): void {
    this.counts.sent++;
    const f = this.faults;
    if (this.random.chance(f.loss)) {
      this.counts.lost++;
      return;
    }
    const copies = this.random.chance(f.duplicate) ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = f.delayMs + (f.jitterMs > 0 ? this.random.between(0, f.jitterMs) : 0);
      if (this.random.chance(f.reorder)) {
        this.counts.reordered++;
        delay += this.random.between(0, f.reorderDelayMs);
      }
      const copy = bytes.slice();
      this.clock.setTimer(delay, () => {
        const target = this.sockets.get(keyOf(to));
        if (target === undefined) {
          this.counts.undeliverable++;
          return;
        }
        this.counts.delivered++;
        target.arrive(copy, from);
      });
    }
  }

  /** @internal */
  unbind(address: SocketAddress): void {
    this.sockets.delete(keyOf(address));
  }
}

export class MemorySocket implements DatagramSocket {
  private handler: Handler | undefined;
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    private readonly address: SocketAddress,
  ) {}

  send(bytes: Uint8Array, to: SocketAddress): void {
    if (!this.closed) this.network.carry(bytes, this.address, to);
  }

  onDatagram(handler: Handler): void {
    this.handler = handler;
  }

  localAddress(): SocketAddress {
    return { ...this.address };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.network.unbind(this.address);
  }

  /** @internal */
  arrive(bytes: Uint8Array, from: SocketAddress): void {
    if (!this.closed) this.handler?.(bytes, { ...from });
  }
}

function keyOf(a: SocketAddress): string {
  return `${a.host}:${a.port}`;
}

function withDefaults(f: NetworkFaults): Required<NetworkFaults> {
  for (const p of ['loss', 'duplicate', 'reorder'] as const) {
    const v = f[p];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${p} must be a probability, got ${v}`);
  }
  return {
    loss: f.loss ?? 0,
    duplicate: f.duplicate ?? 0,
    reorder: f.reorder ?? 0,
    delayMs: f.delayMs ?? 1,
    jitterMs: f.jitterMs ?? 0,
    reorderDelayMs: f.reorderDelayMs ?? 10,
  };
}
