/**
 * Bootstrap addressing: multicast where the network carries it (default group 224.0.2.5, port 1984,
 * the address the original project reserved), a unicast CMA address where it does not (clouds and
 * containers carry no multicast).
 *
 * A multicast socket binds the group's port on all addresses (with SO_REUSEADDR, so several processes
 * on one host can listen), joins the group on the chosen interface, and sends to the group with the
 * configured TTL. When no interface can carry multicast (no route for 224.0.0.0/4, interface without
 * the MULTICAST flag, unknown interface address) the error says so and names the way out.
 */
import { z } from 'zod';
import type { DatagramSocket, SocketAddress } from '../transport/datagram-socket';
import { TransportError } from '../transport/transport-errors';
import { openUdpSocket, type UdpSocket } from './udp-socket';

export const DEFAULT_MULTICAST_GROUP = '224.0.2.5';
export const DEFAULT_BOOTSTRAP_PORT = 1984;

export const multicastOptionsSchema = z.object({
  group: z.ipv4().default(DEFAULT_MULTICAST_GROUP),
  port: z.number().int().min(0).max(65535).default(DEFAULT_BOOTSTRAP_PORT),
  /** IPv4 address of the interface to join and send on; default: the kernel's choice (routing). */
  interfaceAddress: z.ipv4().optional(),
  /** 1 keeps announcements on the local link; raise it to cross multicast routers. */
  ttl: z.number().int().min(0).max(255).default(1),
  /** Deliver our own group datagrams to listeners on this host too (several daemons on one host). */
  loopback: z.boolean().default(true),
});
export type MulticastOptions = z.input<typeof multicastOptionsSchema>;

const firstOctet = (ip: string): number => Number(ip.split('.')[0]);

/** A socket joined to the group: send to the group, or reply to anyone by unicast (same socket). */
export class MulticastSocket implements DatagramSocket {
  constructor(
    private readonly socket: UdpSocket,
    readonly group: SocketAddress,
    readonly interfaceAddress: string | undefined,
  ) {}

  sendToGroup(bytes: Uint8Array): void {
    this.socket.send(bytes, this.group);
  }

  send(bytes: Uint8Array, to: SocketAddress): void {
    this.socket.send(bytes, to);
  }

  onDatagram(handler: (bytes: Uint8Array, from: SocketAddress) => void): void {
    this.socket.onDatagram(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.socket.onError(handler);
  }

  localAddress(): SocketAddress {
    return this.socket.localAddress();
  }

  async close(): Promise<void> {
    try {
      this.socket.raw.dropMembership(this.group.host, this.interfaceAddress);
    } catch {
      // Already gone with the interface; closing the socket leaves the group anyway.
    }
    await this.socket.close();
  }
}

function unavailable(group: string, iface: string | undefined, cause: unknown): TransportError {
  const code = (cause as { code?: unknown }).code;
  const where = iface === undefined ? 'on the default interface' : `on interface ${iface}`;
  const hint =
    code === 'ENODEV' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || code === 'EINVAL'
      ? `(${String(code)}: no route for 224.0.0.0/4, or the interface has no MULTICAST flag or no such address)`
      : `(${String(code ?? cause)})`;
  return new TransportError(
    'UNI_TRANS_006',
    `cannot join ${group} ${where} ${hint}; add a route (ip route add 224.0.0.0/4 dev <if>), name an interface address, or configure the CMA's unicast address instead`,
    { cause },
  );
}

/** Binds the group port and joins the group. Rejects with UNI_TRANS_006 when multicast is unavailable. */
export async function openMulticastSocket(input: MulticastOptions = {}): Promise<MulticastSocket> {
  const o = multicastOptionsSchema.parse(input);
  const first = firstOctet(o.group);
  if (first < 224 || first > 239) throw new TransportError('UNI_TRANS_006', `${o.group} is not an IPv4 multicast group (224.0.0.0/4)`);
  const socket = await openUdpSocket({ host: '0.0.0.0', port: o.port, reuseAddr: true });
  try {
    socket.raw.addMembership(o.group, o.interfaceAddress);
    if (o.interfaceAddress !== undefined) socket.raw.setMulticastInterface(o.interfaceAddress);
    socket.raw.setMulticastTTL(o.ttl);
    socket.raw.setMulticastLoopback(o.loopback);
  } catch (err) {
    await socket.close();
    throw unavailable(o.group, o.interfaceAddress, err);
  }
  return new MulticastSocket(socket, { host: o.group, port: o.port }, o.interfaceAddress);
}

export const bootstrapSchema = z.union([
  z.object({ kind: z.literal('unicast'), cma: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }) }),
  z.object({ kind: z.literal('multicast'), multicast: multicastOptionsSchema.optional() }),
]);
export type BootstrapConfig = z.input<typeof bootstrapSchema>;

/** Where announcements go: the CMA's unicast address when one is configured, else the group. */
export function bootstrapTarget(config: BootstrapConfig): SocketAddress {
  const c = bootstrapSchema.parse(config);
  if (c.kind === 'unicast') return { host: c.cma.host, port: c.cma.port };
  const m = multicastOptionsSchema.parse(c.multicast ?? {});
  return { host: m.group, port: m.port };
}
