/**
 * The SSH transport of a CLI session: one ssh2 Client and one pty shell on it. Login by password
 * (also answered on keyboard-interactive, which some devices use instead) and/or private key, an
 * SSH keepalive, and the host key checked on every handshake (host-key.ts). Every failure becomes a
 * SessionError with the code a poller can act on: a refused login is `auth_failed`, a wrong key
 * `host_key_mismatch`, a timeout `connect_timeout`, anything else before the shell opens
 * `connect_failed`, and any end after it `disconnected`.
 */
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { SessionError, type SessionErrorCode } from './errors';
import { HostKeyChecker, type HostKeyVerdict } from './host-key';
import type { ShellChannel, ShellConnector, ShellEvents } from './shell-connector';
import type { SshTarget } from './ssh-target';

export interface SshConnectorOptions {
  /** The device's name, for errors. */
  device: string;
  /** ssh2's own handshake timeout (the session's connect deadline normally fires first). Default 30 s. */
  readyTimeoutMs?: number;
  /** Terminal size of the pty: wide, so that long lines and long commands are not wrapped. */
  cols?: number;
  rows?: number;
}

const DEFAULT_KEEPALIVE_MS = 30_000;
const DEFAULT_KEEPALIVE_COUNT = 3;

type Level = { level?: unknown };

function levelOf(err: unknown): string | undefined {
  const level = (err as Level | null)?.level;
  return typeof level === 'string' ? level : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sshConnector(target: SshTarget, options: SshConnectorOptions): ShellConnector {
  const device = options.device;
  // One checker per connector: a key trusted on first use stays pinned across reconnects.
  const hostKeys = new HostKeyChecker(target.hostKey, { name: device, host: target.host, port: target.port });
  const error = (code: SessionErrorCode, message: string, cause?: unknown): SessionError => new SessionError(code, message, { device, cause });

  /** Why a connection failed before its shell opened. */
  function beforeShell(err: unknown, hostKey: HostKeyVerdict | undefined): SessionError {
    if (hostKey && !hostKey.ok) return error(hostKey.code, hostKey.message, hostKey.cause ?? err);
    const level = levelOf(err);
    if (level === 'client-authentication') return error('auth_failed', `login as ${target.username} refused (${messageOf(err)})`, err);
    if (level === 'client-timeout') return error('connect_timeout', messageOf(err), err);
    return error('connect_failed', `${target.host}:${target.port}: ${messageOf(err)}`, err);
  }

  return {
    connect(events: ShellEvents, signal: AbortSignal): Promise<ShellChannel> {
      return new Promise<ShellChannel>((resolve, reject) => {
        if (signal.aborted) return reject(error('closed', 'connect aborted before it began'));
        const client = new Client();
        // connecting → open (shell up, events flow) → done (closed; nothing more is reported).
        let stage: 'connecting' | 'open' | 'done' = 'connecting';
        let lastError: unknown;
        let hostKey: HostKeyVerdict | undefined;

        const fail = (e: SessionError): void => {
          if (stage !== 'connecting') return;
          stage = 'done';
          signal.removeEventListener('abort', onAbort);
          client.destroy();
          reject(e);
        };
        const onAbort = (): void => fail(error('closed', 'connect aborted'));
        const lost = (why: string): void => {
          if (stage !== 'open') return;
          stage = 'done';
          const level = levelOf(lastError);
          const message = lastError === undefined ? why : level === 'client-timeout' ? `${messageOf(lastError)} (no answer to SSH keepalives)` : messageOf(lastError);
          client.destroy();
          events.closed(error('disconnected', message, lastError));
        };
        signal.addEventListener('abort', onAbort, { once: true });

        // Errors end the client; 'close' follows. Without a listener Node would throw them.
        client.on('error', (err: unknown) => {
          lastError = err;
          if (stage === 'connecting') fail(beforeShell(err, hostKey));
        });
        client.on('close', () => {
          if (stage === 'connecting') fail(lastError !== undefined ? beforeShell(lastError, hostKey) : error('connect_failed', 'connection closed during login'));
          else lost('connection closed');
        });
        if (target.password !== undefined) {
          const password = target.password;
          client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)));
        }
        client.on('ready', () => {
          client.shell({ term: 'vt100', cols: options.cols ?? 511, rows: options.rows ?? 200 }, (err: Error | undefined, channel: ClientChannel) => {
            if (stage !== 'connecting') {
              channel?.close();
              return;
            }
            if (err) return fail(error('connect_failed', `the device refused a shell: ${err.message}`, err));
            stage = 'open';
            signal.removeEventListener('abort', onAbort);
            channel.on('data', (d: Buffer) => events.data(d));
            channel.stderr.on('data', (d: Buffer) => events.data(d));
            channel.on('close', () => lost('the device closed the shell'));
            resolve({
              write: (text) => {
                if (stage === 'open') channel.write(text);
              },
              close: (mode) => {
                if (stage === 'done') return;
                stage = 'done';
                if (mode === 'graceful') client.end();
                else client.destroy();
              },
            });
          });
        });

        const config: ConnectConfig = {
          host: target.host,
          port: target.port,
          username: target.username,
          readyTimeout: options.readyTimeoutMs ?? 30_000,
          keepaliveInterval: target.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
          keepaliveCountMax: target.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT,
          tryKeyboard: target.password !== undefined,
          hostVerifier: (key: Buffer, verify: (valid: boolean) => void): void => {
            hostKeys.check(key).then(
              (verdict) => {
                hostKey = verdict;
                verify(verdict.ok);
              },
              (cause: unknown) => {
                hostKey = { ok: false, code: 'host_key_untrusted', fingerprint: '', message: 'host-key check failed', cause };
                verify(false);
              },
            );
          },
        };
        if (target.password !== undefined) config.password = target.password;
        if (target.privateKey !== undefined) config.privateKey = target.privateKey;
        if (target.passphrase !== undefined) config.passphrase = target.passphrase;
        try {
          client.connect(config);
        } catch (err) {
          // ssh2 throws synchronously for a malformed private key.
          fail(error('connect_failed', `bad SSH configuration: ${messageOf(err)}`, err));
        }
      });
    },
  };
}
