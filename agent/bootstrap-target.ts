import type { SocketAddress } from '../protocol/transport/datagram-socket';

/** Where an agent's announcements go: the CMA's unicast address, or the multicast group. */
export type BootstrapTarget = { kind: 'unicast' | 'multicast'; address: SocketAddress };
