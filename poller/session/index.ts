/** The poller's persistent SSH CLI sessions (docs in cli-session.ts and session-pool.ts). */
export { CliSession, type CliSessionOptions, type RunOptions, type SessionInfo } from './cli-session';
export { SessionPool, type OpenSummary, type PollCommand, type PollResult, type PoolDevice, type PoolStats, type SessionDefaults, type SessionPoolOptions } from './session-pool';
export { SessionError, SESSION_ERROR_CODES, isSessionError, type SessionErrorCode } from './errors';
export type { SessionCounters, SessionState, StateTransition } from './session-stats';
export { ConnectGate } from './connect-gate';
export { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
export { fingerprintOfKeyBlob, fingerprintOfPublicKey, normalizeFingerprint, type HostKeyPolicy, type TrustOnFirstUse } from './host-key';
export { parseSshTarget, type SshTarget } from './ssh-target';
export { sshConnector, type SshConnectorOptions } from './ssh-connector';
export type { ShellChannel, ShellConnector, ShellEvents } from './shell-connector';
export { platformCli, type PlatformCli } from './platforms';
