/** Real sockets for the transport: UDP, multicast bootstrap, and the UDP fault proxy (tests, benchmarks, CLI). */
export { DEFAULT_SOCKET_BUFFER_BYTES, openUdpSocket, UdpSocket } from './udp-socket';
export type { UdpSocketOptions } from './udp-socket';
export {
  bootstrapSchema,
  bootstrapTarget,
  DEFAULT_BOOTSTRAP_PORT,
  DEFAULT_MULTICAST_GROUP,
  MulticastSocket,
  multicastOptionsSchema,
  openMulticastSocket,
} from './multicast';
export type { BootstrapConfig, MulticastOptions } from './multicast';
export { FaultProxy, faultProxyOptionsSchema, faultSettingsSchema, startFaultProxy } from './fault-proxy';
export type { DirectionStats, FaultProxyOptions, FaultProxyStats, FaultSettings } from './fault-proxy';
