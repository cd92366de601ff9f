/**
 * Where announcements go, sent from the nanoprobe's one socket (so the CMA answers to the address we
 * heartbeat from): the CMA's unicast address when configured, else the multicast group. For the group
 * the socket gets the TTL, the outgoing interface and loopback (so a CMA on the same host hears us).
 * When multicast cannot be set up the error says so and names the way out.
 */
import type { UdpSocket } from '../protocol/net/udp-socket';
import type { SocketAddress } from '../protocol/transport/datagram-socket';
import { TransportError } from '../protocol/transport/transport-errors';
import type { BootstrapTarget } from '../agent/bootstrap-target';
import type { NanoprobeConfig } from './config';

export type { BootstrapTarget };

export function bootstrapTarget(config: NanoprobeConfig): BootstrapTarget {
  if (config.cma !== undefined) return { kind: 'unicast', address: { host: config.cma.host, port: config.cma.port } };
  return { kind: 'multicast', address: { host: config.multicast.group, port: config.multicast.port } };
}

/** Prepares `socket` to send to the multicast group; a no-op for a unicast CMA. */
export function prepareBootstrapSocket(socket: UdpSocket, config: NanoprobeConfig): void {
  if (config.cma !== undefined) return;
  const m = config.multicast;
  try {
    socket.raw.setMulticastTTL(m.ttl);
    socket.raw.setMulticastLoopback(true);
    if (m.interface !== undefined) socket.raw.setMulticastInterface(m.interface);
  } catch (err) {
    const where = m.interface === undefined ? '' : ` on interface ${m.interface}`;
    throw new TransportError(
      'UNI_TRANS_006',
      `cannot send to ${m.group}:${m.port}${where} (${(err as Error).message}); check --multicast-if, or give the CMA's address with --cma`,
      { cause: err },
    );
  }
}
