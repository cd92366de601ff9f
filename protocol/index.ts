/**
 * Public surface of the protocol's message and security layers. (The reliable transport and the network
 * helpers export themselves from protocol/transport/ and protocol/net/.)
 */
export type { GuardDropReason, KeyId, OpenedFrame, PacketGuard, RejectedFrame, SessionId } from './guard';

export * from './errors';
export * from './counters';
export * from './codec-limits';
export { decodeMessage, encodeMessage } from './codec';
export type { CodecDropReason, DecodeFailure, DecodeResult } from './codec';
export {
  MESSAGE_NAME_BY_NUMBER,
  MESSAGE_NAMES,
  MESSAGE_TABLE,
  makeMessage,
  messageTypeNumber,
} from './message-types';
export type { Message, MessageName, MessageOf, PayloadOf } from './message-types';
export type { JsonValue } from './messages/common';
export { PARTNER_STATUSES } from './messages/liveness';
export { MAX_ANNOUNCED_ADDRESSES, MAX_PARTNERS, MAX_RINGS_PER_PARTNER, ROLES } from './messages/membership';
export {
  MAX_DISCOVERY_PARAMETERS,
  MAX_DISCOVERY_TIMEOUT_SECONDS,
  MAX_PARAMETER_VALUE_CHARS,
  MAX_STDERR_EXCERPT_CHARS,
} from './messages/discovery';

export {
  decodePublicKeys,
  derivePairKey,
  encodePublicKeys,
  generateIdentity,
  identityFromSecrets,
  keyIdOf,
  samePublicKeys,
  signBytes,
  verifyBytes,
} from './security/identity';
export type { Identity, PublicKeys } from './security/identity';
export {
  CMA_PUBKEY_ENV,
  createIdentityFile,
  loadIdentity,
  loadOrCreateIdentity,
  readPublicKeyFile,
  resolveCmaPublicKey,
  writePublicKeyFile,
} from './security/key-files';
export type { KeyFileOptions, LoadedIdentity } from './security/key-files';
export { LocalSession, newSessionId, processSession, sessionIdToHex } from './security/session';
export { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './security/replay-window';
export { ReplayTracker } from './security/replay-tracker';
export type { ReplayTrackerOptions, ReplayVerdict } from './security/replay-tracker';
export { GUARD_COUNTER_NAMES, SecurePacketGuard } from './security/packet-guard';
export type { GuardCounterName, PacketGuardOptions } from './security/packet-guard';
export { MAX_UDP_PAYLOAD, PROTOCOL_VERSION, SEALED_OVERHEAD, SIGNED_OVERHEAD } from './security/packet-format';
export { normaliseHostname, TrustStore } from './security/trust-store';
export type { PinnedHost, TrustDecision, TrustMode } from './security/trust-store';
