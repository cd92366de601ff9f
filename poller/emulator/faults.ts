/**
 * Faults a test injects into one emulated device, to see how a poller copes with what real devices
 * do to it: refusing a login, dropping the connection halfway through an output, hanging, trickling
 * output slowly. A fault applies to every session of the device (new and open ones) until it is
 * removed or has fired `times` times.
 */

export type FaultSpec =
  /** Every authentication attempt fails, as with a wrong password or a locked account. */
  | { kind: 'refuse-auth' }
  /**
   * The TCP connection is destroyed (no SSH disconnect message) after `afterBytes` bytes of the
   * command's output (default: half of it), as when a device reloads or a link flaps mid-poll.
   */
  | { kind: 'drop'; command?: string; afterBytes?: number; times?: number }
  /**
   * Nothing more is ever written: at `login` the shell opens and no banner or prompt comes; at
   * `command` (the default) the command is echoed and its output never comes. The connection stays up.
   */
  | { kind: 'stall'; at?: 'login' | 'command'; command?: string; times?: number }
  /** Output is written `bytesPerChunk` at a time, `intervalMs` apart (a slow or congested device). */
  | { kind: 'slow'; bytesPerChunk: number; intervalMs: number; command?: string; times?: number };

export type FaultKind = FaultSpec['kind'];

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** Left to fire; Infinity when the spec set no `times`. */
  remaining: number;
}

/** The fault list of one device; absent (undefined) on devices that never had one, to stay small. */
export class FaultSet {
  private readonly faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): number {
    validateFault(spec);
    const id = this.nextId++;
    const times = 'times' in spec && spec.times !== undefined ? spec.times : Infinity;
    this.faults.push({ id, spec, remaining: times });
    return id;
  }

  remove(id: number): boolean {
    const at = this.faults.findIndex((f) => f.id === id);
    if (at < 0) return false;
    this.faults.splice(at, 1);
    return true;
  }

  clear(): void {
    this.faults.length = 0;
  }

  get size(): number {
    return this.faults.length;
  }

  has(kind: FaultKind): boolean {
    return this.faults.some((f) => f.spec.kind === kind);
  }

  /**
   * The first fault of `kind` that applies to `command` (canonical, e.g. `show version`; undefined at
   * login), consumed once: a fault with `times` left at 0 is removed.
   */
  take<K extends FaultKind>(kind: K, command: string | undefined, phase: 'login' | 'command' = 'command'): Extract<FaultSpec, { kind: K }> | undefined {
    const at = this.faults.findIndex((f) => f.spec.kind === kind && applies(f.spec, command, phase));
    if (at < 0) return undefined;
    const fault = this.faults[at]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(at, 1);
    return fault.spec as Extract<FaultSpec, { kind: K }>;
  }
}

function applies(spec: FaultSpec, command: string | undefined, phase: 'login' | 'command'): boolean {
  if (spec.kind === 'refuse-auth') return true;
  if (spec.kind === 'stall' && (spec.at ?? 'command') !== phase) return false;
  if (phase === 'login') return spec.kind === 'stall';
  const wanted = spec.command;
  return wanted === undefined || wanted.trim().toLowerCase().split(/\s+/).join(' ') === command;
}

/** Faults come from test code and, through runEmulator, from JSON: checked where they enter. */
export function validateFault(spec: unknown): asserts spec is FaultSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('a fault must be an object');
  const f = spec as Record<string, unknown>;
  const optionalCount = (key: string, min: number): void => {
    const v = f[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
      throw new TypeError(`fault ${String(f.kind)}: ${key} must be an integer ≥ ${min}`);
    }
  };
  if (f.command !== undefined && typeof f.command !== 'string') throw new TypeError('fault command must be a string');
  optionalCount('times', 1);
  switch (f.kind) {
    case 'refuse-auth':
      return;
    case 'drop':
      optionalCount('afterBytes', 0);
      return;
    case 'stall':
      if (f.at !== undefined && f.at !== 'login' && f.at !== 'command') throw new TypeError("stall fault: at must be 'login' or 'command'");
      return;
    case 'slow':
      optionalCount('bytesPerChunk', 1);
      optionalCount('intervalMs', 0);
      if (f.bytesPerChunk === undefined || f.intervalMs === undefined) throw new TypeError('slow fault needs bytesPerChunk and intervalMs');
      return;
    default:
      throw new TypeError(`unknown fault kind ${JSON.stringify(f.kind)}`);
  }
}
