/**
 * The one catalogue of what can go wrong in a CLI session, as stable codes. Every failure a caller
 * sees is a SessionError with one of these codes, the device it concerns and, where one exists, the
 * underlying cause: nothing is swallowed (the proof of concept this replaces ended sessions silently
 * when a regex matched nothing; here such a case is `prompt_not_found` or `command_timeout`).
 */

export const SESSION_ERROR_CODES = [
  /** TCP connect refused or reset, DNS failure, the shell channel refused, any other failure before the shell is up. */
  'connect_failed',
  /** TCP + SSH handshake + login + shell did not finish within the connect timeout. */
  'connect_timeout',
  /** The server refused every authentication method we offered. */
  'auth_failed',
  /** The server's host key is not the pinned one (or not the one trusted on first use). */
  'host_key_mismatch',
  /** Trust-on-first-use: the callback refused (or failed on) a key we had not seen. */
  'host_key_untrusted',
  /** The shell opened but no prompt could be learned within the prompt timeout. */
  'prompt_not_found',
  /** The command's output did not end in the prompt within its timeout; the session is reset. */
  'command_timeout',
  /** The command's output passed the byte cap; the session is reset. */
  'output_too_large',
  /** The device answered with its own error text (`% Invalid input`, `syntax error`). */
  'command_rejected',
  /** The command is empty, too long or holds a line break. */
  'invalid_command',
  /** The connection went away (dropped, keepalive timeout, the device closed the shell). */
  'disconnected',
  /** The session is backing off after failures; the command was not sent (see `cause`). */
  'not_connected',
  /** Too many commands are already waiting on this session. */
  'queue_full',
  /** The session gave up after its maximum number of consecutive failures. */
  'gave_up',
  /** close() was called; the command was never sent or its answer is no longer awaited. */
  'closed',
] as const;

export type SessionErrorCode = (typeof SESSION_ERROR_CODES)[number];

/** Codes after which the shell's byte stream can no longer be trusted: the connection is replaced. */
export const RESETTING_CODES: ReadonlySet<SessionErrorCode> = new Set(['command_timeout', 'output_too_large']);

export interface SessionErrorDetails {
  device: string;
  command?: string;
  /** For `command_rejected`: what the device said. */
  output?: string;
  cause?: unknown;
}

export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly code: SessionErrorCode;
  readonly device: string;
  readonly command: string | undefined;
  readonly output: string | undefined;
  /** The message without the `device: code: ` prefix. */
  readonly detail: string;

  constructor(code: SessionErrorCode, message: string, details: SessionErrorDetails) {
    super(`${details.device}: ${code}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.detail = message;
    this.device = details.device;
    this.command = details.command;
    this.output = details.output;
  }
}

export function isSessionError(value: unknown): value is SessionError {
  return value instanceof SessionError;
}

/** A zeroed count per code, so every code shows in a snapshot (a stable set of series). */
export function zeroCounts(): Record<SessionErrorCode, number> {
  const out = {} as Record<SessionErrorCode, number>;
  for (const code of SESSION_ERROR_CODES) out[code] = 0;
  return out;
}
