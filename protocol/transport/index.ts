/**
 * Public surface of the reliable transport. Test helpers (FakeClock, MemoryNetwork, PlainGuard,
 * memory-harness) are deliberately not exported here: import them by path from tests.
 */
export { SystemClock } from './clock';
export type { Clock, TimerHandle } from './clock';
export { formatAddress } from './datagram-socket';
export type { DatagramSocket, SocketAddress } from './datagram-socket';
export { Endpoint } from './endpoint';
export type { EndpointConfig, EndpointEvents, GiveUpEvent, IncomingMessage, PeerRestartedEvent } from './endpoint';
export type { ConnectionSnapshot, ConnectionState } from './connection';
export type { TransitionEntry } from './history';
export { MIB, resolveTransportOptions, transportOptionsSchema } from './options';
export type { TransportOptions, TransportOptionsInput } from './options';
export { TRANSPORT_COUNTER_NAMES, TRANSPORT_DROP_REASONS } from './transport-counters';
export type { TransportCounterName, TransportDropReason } from './transport-counters';
export { isTransportError, TransportError } from './transport-errors';
export type { TransportErrorCode } from './transport-errors';
