/**
 * A real child process running inside a lab namespace (or in the machine's own namespace, for the
 * harness's relays), with its output captured and its whole process group killable. Each process is
 * the leader of its own group, so daemons' helper children (lldpd's privilege-separated half, a
 * shell's children) die with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LAB_ENV } from './names';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: string;
}

export interface SpawnInLab {
  /** Lab id, exported to the process as UNIMATRIX_LAB so strays can be found after a crash. */
  labId: string;
  /** Namespace to run in; null runs in the machine's own namespace. */
  ns: string | null;
  command: string;
  args?: string[];
  /** Run in a fresh UTS namespace with this hostname (namespaces otherwise share the machine's). */
  hostname?: string;
  /** Extra environment, merged over the test process's own. */
  env?: Record<string, string>;
  cwd?: string;
  /** Name used in messages; defaults to the command. */
  label?: string;
  /** Bytes of each stream kept (the newest); default 1 MiB. */
  keepBytes?: number;
}

/** Builds the argv that enters the namespace and, optionally, a UTS namespace with its own hostname. */
export function labArgv(spec: Pick<SpawnInLab, 'ns' | 'command' | 'args' | 'hostname'>): string[] {
  const argv = [spec.command, ...(spec.args ?? [])];
  const named =
    spec.hostname === undefined
      ? argv
      : ['unshare', '--uts', '--', 'sh', '-c', 'printf %s "$0" > /proc/sys/kernel/hostname && exec "$@"', spec.hostname, ...argv];
  return spec.ns === null ? named : ['ip', 'netns', 'exec', spec.ns, ...named];
}

class CappedText {
  private chunks: string[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly cap: number) {}
  push(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.cap && this.chunks.length > 1) {
      const first = this.chunks.shift() as string;
      this.size -= first.length;
      this.dropped += first.length;
    }
  }
  text(): string {
    const all = this.chunks.join('');
    return all.length > this.cap ? all.slice(all.length - this.cap) : all;
  }
}

export class LabProcess {
  readonly label: string;
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | null = null;
  private readonly out: CappedText;
  private readonly err: CappedText;
  private readonly watchers = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor(spec: SpawnInLab) {
    const argv = labArgv(spec);
    this.label = spec.label ?? spec.command;
    this.out = new CappedText(spec.keepBytes ?? 1 << 20);
    this.err = new CappedText(spec.keepBytes ?? 1 << 20);
    this.child = spawn(argv[0] as string, argv.slice(1), {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...spec.env, [LAB_ENV]: spec.labId },
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
    });
    this.pid = this.child.pid ?? -1;
    this.child.stdout?.setEncoding('utf8').on('data', (t: string) => this.onOutput(this.out, t));
    this.child.stderr?.setEncoding('utf8').on('data', (t: string) => this.onOutput(this.err, t));
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (e) => {
        this.status ??= { code: null, signal: null, error: e.message };
        resolve(this.status);
        this.notify();
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.status ??= { code, signal };
        resolve(this.status);
        this.notify();
      };
      // 'close' waits for the output pipes, which a stray grandchild may hold open forever; the
      // leader's 'exit' plus a moment for the last output to drain is final enough.
      this.child.once('exit', (code, signal) => setTimeout(() => finish(code, signal), 200).unref());
      this.child.once('close', finish);
    });
  }

  get running(): boolean {
    return this.status === null && this.pid > 0;
  }

  stdout(): string {
    return this.out.text();
  }

  stderr(): string {
    return this.err.text();
  }

  /** Writes to the process's stdin. */
  write(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already empty.
    }
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs` if the leader still runs; resolves on exit. */
  async stop(graceMs = 2_000): Promise<ExitStatus> {
    if (this.pid <= 0) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    // Children that ignored SIGTERM outlive their leader; they are still in the group.
    this.signal('SIGKILL');
    return status;
  }

  /** Resolves with the first match of `pattern` in stdout or stderr; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const find = (): string | null => {
      for (const text of [this.out.text(), this.err.text()]) {
        if (typeof pattern === 'string') {
          if (text.includes(pattern)) return pattern;
        } else {
          const m = pattern.exec(text);
          if (m) return m[0];
        }
      }
      return null;
    };
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found !== null) done(() => resolve(found));
        else if (this.status) {
          const how = describeExit(this.status);
          done(() => reject(this.failure(`exited (${how}) before printing ${String(pattern)}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(this.failure(`did not print ${String(pattern)} within ${timeoutMs} ms`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.watchers.delete(check);
        settle();
      };
      this.watchers.add(check);
      check();
    });
  }

  /** An error that carries the tail of the process's output, which is usually the explanation. */
  failure(what: string): Error {
    const tail = (s: string): string => s.slice(-2_000).trim() || '(empty)';
    return new Error(`${this.label} (pid ${this.pid}) ${what}\n--- stdout ---\n${tail(this.stdout())}\n--- stderr ---\n${tail(this.stderr())}`);
  }

  private onOutput(buffer: CappedText, text: string): void {
    buffer.push(text);
    this.notify();
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return `failed to start: ${status.error}`;
  return status.signal ? `signal ${status.signal}` : `code ${String(status.code)}`;
}
