/**
 * The seam between a CLI session and its transport: something that opens one interactive shell and
 * reports its bytes and its end. The SSH implementation is ssh-connector.ts; unit tests plug in an
 * in-memory device (testing/memory-connector.ts), so the session's state machine, queue and timers
 * are tested without sockets.
 */
import type { SessionError } from './errors';

export interface ShellEvents {
  /** Bytes the device wrote (stdout and stderr of the shell channel). */
  data(chunk: Buffer): void;
  /** The shell or its connection ended; `error` says why when it was not our own close(). */
  closed(error: SessionError | undefined): void;
}

export interface ShellChannel {
  write(text: string): void;
  /**
   * Ends the shell and its connection; idempotent. `graceful` says goodbye (SSH disconnect) when
   * closing a healthy session; a reset after a timeout tears the socket down at once.
   */
  close(mode: 'graceful' | 'abort'): void;
}

export interface ShellConnector {
  /**
   * Opens a connection and an interactive shell. Resolves once the shell is open; events may fire
   * as soon as it is, even before the caller's continuation runs (the session buffers them), and
   * never before the shell is open. Rejects with a SessionError
   * (`connect_failed`, `auth_failed`, `host_key_mismatch`, …). Aborting `signal` gives up at once
   * and leaves nothing open.
   */
  connect(events: ShellEvents, signal: AbortSignal): Promise<ShellChannel>;
}
