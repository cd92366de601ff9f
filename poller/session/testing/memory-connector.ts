/**
 * TEST HELPER: a ShellConnector wired to an emulated device in memory (the emulator's own
 * transport-free CLI session), so CliSession's queue, timeouts and reconnects can be unit-tested
 * with a fake clock and real device behaviour (prompts, pager, echo, errors, faults) but no sockets.
 * Bytes cross in microtasks, as they would cross an event-loop turn on a socket.
 *
 * Connect outcomes can be scripted (`failNext`): a SessionError code to reject with, or `hang` (the
 * connect never finishes until aborted). Slow and latency faults use real timers in the emulator:
 * use them over SSH (test/poller/session-*.test.ts), not here.
 */
import { CliSession as DeviceCli } from '../../emulator/cli-session';
import { parseDeviceSpec, type DeviceSpec } from '../../emulator/device-spec';
import { EmulatedDevice } from '../../emulator/emulated-device';
import { SessionError, type SessionErrorCode } from '../errors';
import type { ShellChannel, ShellConnector, ShellEvents } from '../shell-connector';

export type ConnectOutcome = 'ok' | 'hang' | SessionErrorCode;

interface Connection {
  cli: DeviceCli;
  events: ShellEvents;
  open: boolean;
}

export class MemoryDevice {
  readonly device: EmulatedDevice;
  /** Connect attempts seen, whatever their outcome. */
  attempts = 0;
  /** Command lines typed while the device was still answering the previous one (should stay 0). */
  typedWhileBusy = 0;
  /** Every line the client typed, in order. */
  readonly typed: string[] = [];
  private readonly outcomes: ConnectOutcome[] = [];
  private readonly connections = new Set<Connection>();
  private lastOut = '';

  constructor(spec: DeviceSpec, clock: () => number = () => Date.UTC(2024, 0, 15, 8, 0, 0)) {
    this.device = new EmulatedDevice(parseDeviceSpec(spec), { credentials: [{ username: 'admin', password: 'admin' }] }, clock);
  }

  get name(): string {
    return this.device.name;
  }

  get openConnections(): number {
    return [...this.connections].filter((c) => c.open).length;
  }

  /** The next connects end so, in order; after them, connects succeed. */
  failNext(...outcomes: ConnectOutcome[]): void {
    this.outcomes.push(...outcomes);
  }

  /** Every open connection goes away at once, as when the device reloads. */
  dropAll(): void {
    for (const c of this.connections) this.lose(c, new SessionError('disconnected', 'connection reset (test)', { device: this.name }));
  }

  connector(): ShellConnector {
    return { connect: (events, signal) => this.connect(events, signal) };
  }

  private connect(events: ShellEvents, signal: AbortSignal): Promise<ShellChannel> {
    this.attempts += 1;
    const outcome = this.outcomes.shift() ?? 'ok';
    const aborted = (): SessionError => new SessionError('closed', 'connect aborted', { device: this.name });
    if (signal.aborted) return Promise.reject(aborted());
    if (outcome === 'hang') return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(aborted()), { once: true }));
    if (outcome !== 'ok') return Promise.reject(new SessionError(outcome, 'scripted failure', { device: this.name }));
    const conn: Connection = { events, open: true, cli: undefined as unknown as DeviceCli };
    conn.cli = new DeviceCli(
      this.device,
      {
        write: (text) => {
          this.lastOut = text;
          queueMicrotask(() => {
            if (conn.open) events.data(Buffer.from(text, 'utf8'));
          });
        },
        close: () => queueMicrotask(() => this.lose(conn, new SessionError('disconnected', 'the device closed the shell', { device: this.name }))),
        drop: () => queueMicrotask(() => this.lose(conn, new SessionError('disconnected', 'connection dropped (fault)', { device: this.name }))),
      },
      { username: 'admin', privilege: 1, from: '192.0.2.1' },
    );
    this.connections.add(conn);
    const channel: ShellChannel = {
      write: (text) => {
        this.note(text);
        queueMicrotask(() => {
          if (conn.open) conn.cli.receive(text);
        });
      },
      close: () => {
        conn.open = false;
        conn.cli.end();
        this.connections.delete(conn);
      },
    };
    // The banner comes once the shell is open, i.e. after the connect has resolved.
    queueMicrotask(() => conn.cli.start());
    return Promise.resolve(channel);
  }

  private note(text: string): void {
    for (const line of text.split('\n').slice(0, -1)) {
      if (line.trim() === '') continue;
      this.typed.push(line);
      // The device is idle when the last thing it wrote ended in its prompt.
      if (!/[>#] ?$/.test(this.lastOut)) this.typedWhileBusy += 1;
    }
  }

  private lose(conn: Connection, error: SessionError): void {
    if (!conn.open) return;
    conn.open = false;
    conn.cli.end();
    this.connections.delete(conn);
    conn.events.closed(error);
  }
}
