/**
 * TEST AND BENCHMARK HELPER, never used in production: two endpoints on an in-memory network with a
 * fake clock and plain (crypto-free) guards, so transport tests run deterministically in milliseconds.
 */
import { Endpoint } from './endpoint';
import { FakeClock } from './fake-clock';
import { MemoryNetwork, type NetworkFaults } from './memory-network';
import type { TransportOptionsInput } from './options';
import { PlainGuard } from './plain-guard';

export type MemoryPair = {
  clock: FakeClock;
  network: MemoryNetwork;
  a: Endpoint;
  b: Endpoint;
  guardA: PlainGuard;
  guardB: PlainGuard;
  /**
   * Starts a fresh incarnation of B (new session, same keys, same address). The old one is closed
   * gracefully (it says CLOSE) or, with `crash`, just loses its socket, as a killed process would.
   */
  restartB(options?: { autoAck?: boolean; crash?: boolean }): Promise<Endpoint>;
};

export function memoryPair(config: {
  seed?: number;
  faults?: NetworkFaults;
  options?: TransportOptionsInput;
  receiverOptions?: TransportOptionsInput;
  autoAck?: boolean;
  replayFilter?: boolean;
}): MemoryPair {
  const clock = new FakeClock();
  const network = new MemoryNetwork(clock, { seed: config.seed ?? 1, faults: config.faults ?? {} });
  const replayFilter = config.replayFilter ?? false;
  const guardA = new PlainGuard({ keyId: 'aaaaaaaaaaaaaaaa', replayFilter });
  const makeGuardB = (): PlainGuard => {
    const g = new PlainGuard({ keyId: 'bbbbbbbbbbbbbbbb', replayFilter });
    g.learnPeer(guardA.keyId);
    return g;
  };
  const guardB = makeGuardB();
  guardA.learnPeer(guardB.keyId);
  const a = new Endpoint({ socket: network.bind('10.0.0.1', 1000), guard: guardA, clock, options: config.options ?? {} });
  const receiverOptions = config.receiverOptions ?? config.options ?? {};
  let socketB = network.bind('10.0.0.2', 2000);
  const b = new Endpoint({
    socket: socketB,
    guard: guardB,
    clock,
    options: receiverOptions,
    autoAck: config.autoAck ?? true,
  });
  const pair: MemoryPair = {
    clock,
    network,
    a,
    b,
    guardA,
    guardB,
    async restartB(options = {}) {
      if (options.crash === true) await socketB.close();
      else await pair.b.close();
      pair.guardB = makeGuardB();
      socketB = network.bind('10.0.0.2', 2000);
      pair.b = new Endpoint({
        socket: socketB,
        guard: pair.guardB,
        clock,
        options: receiverOptions,
        autoAck: options.autoAck ?? config.autoAck ?? true,
      });
      return pair.b;
    },
  };
  return pair;
}

/** Deterministic test payload: `size` bytes derived from `index`; every 3rd one is compressible. */
export function payload(index: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (index * 2654435761) >>> 0 || 1;
  const compressible = index % 3 === 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = compressible ? (i % 97) ^ (index & 0xff) : x & 0xff;
  }
  if (size >= 4) new DataView(out.buffer).setUint32(0, index);
  return out;
}
