/**
 * What one emulated platform looks like from a CLI client: its prompts, how privilege and paging are
 * switched, its pager, its error texts and its command table. A profile is pure data plus small
 * formatting functions; the behaviour that uses it lives in cli-interpreter.ts (commands, modes) and
 * cli-session.ts (terminal, pager), so that adding a platform means writing one file under
 * platforms/, not touching the state machine.
 */

export const PLATFORM_IDS = ['cisco_ios', 'cisco_nxos', 'arista_eos', 'juniper_junos'] as const;
/** Named as Netmiko / ntc-templates name them, so fixtures and poller configs line up. */
export type PlatformId = (typeof PLATFORM_IDS)[number];

export function isPlatformId(value: unknown): value is PlatformId {
  return typeof value === 'string' && (PLATFORM_IDS as readonly string[]).includes(value);
}

/**
 * `user` is IOS user exec (`host>`) and Junos operational mode (`user@host>`); `enable` is privileged
 * exec (`host#`); `config` is configuration mode, at any depth (the depth is in PromptState.configPath).
 */
export type CliMode = 'user' | 'enable' | 'config';

export interface PromptState {
  hostname: string;
  /** The login name without the `%device` suffix: Junos shows it in its prompt. */
  username: string;
  mode: CliMode;
  /** Config sub-modes entered, outermost first: `['interface Ethernet2']` → `(config-if-Et2)#`. */
  configPath: readonly string[];
}

/** What a command's output function may depend on; everything time-like comes from the injected clock. */
export interface OutputContext {
  name: string;
  hostname: string;
  serial: string;
  platform: PlatformId;
  now: Date;
  bootTime: Date;
  uptimeSeconds: number;
  /** How many times this command has run on this device before, across sessions (0 the first time). */
  runCount: number;
  /** Configuration statements entered since boot, in order (what `show running-config` reflects). */
  configLines: readonly string[];
  /** The profile's uptime wording, for generated outputs. */
  formatUptime(seconds: number): string;
}

export type CommandOutput = string | ((ctx: OutputContext) => string);

/**
 * Makes a static fixture change between polls: every match of `pattern` (global) gets each numeric
 * capture group increased by `ratePerSecond[i] × seconds since boot`. A zero in the fixture stays
 * zero, so a down interface stays silent. Counters fall back to the fixture's values on reboot, as real
 * counters reset.
 */
export interface CounterRule {
  pattern: RegExp;
  ratePerSecond: readonly number[];
}

export interface CommandSpec {
  output: CommandOutput;
  counters?: readonly CounterRule[];
  /** Only in privileged exec (IOS `show running-config`); elsewhere it is invalid input, as on the device. */
  privileged?: boolean;
}

/** What a matched command line does, beyond printing a table entry. */
export type CommandAction =
  | { kind: 'output'; command: string }
  /** A real keyword this emulator has no output for: it exists so abbreviations are as ambiguous as on the device. */
  | { kind: 'shadow' }
  | { kind: 'enable' }
  | { kind: 'disable' }
  | { kind: 'logout' }
  /** args[0]: lines per screen; 0 turns paging off. */
  | { kind: 'page-length' }
  /** Accepted and otherwise ignored (`terminal width 511`); `say` is printed, `$1` standing for args[0]. */
  | { kind: 'noop'; say?: string }
  | { kind: 'configure' }
  /** Leaves configuration mode altogether (`end`, Ctrl-Z). */
  | { kind: 'end' }
  /** Up one level; from the top of configuration mode back to exec mode. */
  | { kind: 'exit-level' }
  /** args[0] is an exec command run from configuration mode (`do …`, Junos `run …`). */
  | { kind: 'run-exec' }
  | { kind: 'hostname' }
  | { kind: 'interface' }
  | { kind: 'commit'; quit: boolean }
  | { kind: 'complete-on-space'; on: boolean }
  /** A configuration statement: recorded, no output. */
  | { kind: 'config-line' };

/**
 * One command of the grammar. `pattern` words: a keyword (matched by unique prefix, like IOS), `<a-b>`
 * an integer in range, `WORD` one argument word, `LINE` the rest of the line.
 */
export interface CommandEntry {
  pattern: string;
  modes: readonly CliMode[];
  action: CommandAction;
}

export interface ErrorContext {
  /** The line as typed. */
  line: string;
  /** Where the caret goes, counted from the start of the prompt's last line (the echo starts there). */
  column: number;
  /** 0-based index of the offending word; the word itself ('' when the line ended early). */
  wordIndex: number;
  word: string;
  /** For ambiguity: the keywords the word could be. */
  candidates: readonly string[];
}

export interface BannerContext {
  hostname: string;
  username: string;
  now: Date;
  /** The client's address, for "Last login … from …" lines. */
  from: string;
}

export interface DeviceProfile {
  platform: PlatformId;
  /** "Cisco IOS", for logs and docs. */
  label: string;
  /** `ios` covers IOS, NX-OS and EOS: one pipe, `% …` errors; `junos` is Junos's CLI. */
  dialect: 'ios' | 'junos';
  /** The mode a new session starts in (NX-OS and Junos users land in their working mode directly). */
  loginMode: 'user' | 'enable';
  prompt(state: PromptState): string;
  /** Built-in commands (enable, terminal length, configure, exit, …). */
  builtins: readonly CommandEntry[];
  /** Show-level keywords the real platform has; only used to make abbreviations realistically ambiguous. */
  showKeywords: readonly string[];
  /** Canonical command (lower case, single spaces) → output. Fixtures plus generated ones. */
  commands: Readonly<Record<string, CommandSpec>>;
  pager: {
    /** What waits for a key; `percent` is how much of the output has been shown. */
    prompt(percent: number): string;
    /** Written after the key, to wipe the pager prompt from the line. */
    erase(shownPrompt: string): string;
  };
  enable?: {
    passwordPrompt: string;
    /** Wrong secrets allowed before giving up (IOS 3, EOS 1). */
    attempts: number;
    /** Printed after the last wrong secret. */
    failure: string;
    /** Printed when no secret is configured; null means enable succeeds without one (EOS). */
    noSecret: string | null;
  };
  configure: { enterMessage: string; exitMessage: string };
  /** Junos leaves an empty line between a command's output and the next prompt. */
  blankLineBeforePrompt: boolean;
  /** Junos completes a unique keyword when space is typed, rewriting the echoed line. */
  completeOnSpace: boolean;
  errors: {
    invalid(e: ErrorContext): string;
    ambiguous(e: ErrorContext): string;
    incomplete(e: ErrorContext): string;
  };
  banner(ctx: BannerContext): string;
  formatUptime(seconds: number): string;
  /** A plausible chassis serial number derived from a stable per-device number. */
  serial(seed: number): string;
}
