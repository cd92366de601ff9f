/**
 * TEST AND BENCHMARK HELPER, not used by the daemons: two transport endpoints on real loopback UDP
 * sockets with the real security layer (SecurePacketGuard, fresh identities and sessions), optionally
 * with a fault proxy between them. A sends to B through the proxy; B's replies go back the same way.
 */
import { Endpoint } from '../transport/endpoint';
import type { SocketAddress } from '../transport/datagram-socket';
import type { TransportOptionsInput } from '../transport/options';
import { generateIdentity, type Identity } from '../security/identity';
import { SecurePacketGuard } from '../security/packet-guard';
import { LocalSession } from '../security/session';
import { FaultProxy, type FaultProxyOptions } from './fault-proxy';
import { openUdpSocket } from './udp-socket';

export type LoopbackPair = {
  a: Endpoint;
  b: Endpoint;
  idA: Identity;
  idB: Identity;
  /** Where A should send to reach B (the proxy's address when there is one). */
  bAddress: SocketAddress;
  proxy: FaultProxy | undefined;
  close(): Promise<void>;
};

/** A guard for `self` that knows `peers`, with its own session (as a separate process would have). */
export function secureGuard(self: Identity, peers: Identity[], session = new LocalSession()): SecurePacketGuard {
  const guard = new SecurePacketGuard({ identity: self, session });
  for (const p of peers) guard.learnPeer(p.keyId, p.publicKeys);
  return guard;
}

export async function loopbackPair(config: {
  faults?: Omit<FaultProxyOptions, 'target' | 'listen'>;
  options?: TransportOptionsInput;
  autoAck?: boolean;
}): Promise<LoopbackPair> {
  const idA = generateIdentity();
  const idB = generateIdentity();
  const a = new Endpoint({ socket: await openUdpSocket({ host: '127.0.0.1' }), guard: secureGuard(idA, [idB]), options: config.options ?? {} });
  const b = new Endpoint({
    socket: await openUdpSocket({ host: '127.0.0.1' }),
    guard: secureGuard(idB, [idA]),
    options: config.options ?? {},
    autoAck: config.autoAck ?? true,
  });
  const proxy = config.faults === undefined ? undefined : await FaultProxy.start({ ...config.faults, target: b.localAddress() });
  return {
    a,
    b,
    idA,
    idB,
    bAddress: proxy?.address() ?? b.localAddress(),
    proxy,
    async close() {
      await Promise.all([a.close(), b.close(), proxy?.close()]);
    },
  };
}
