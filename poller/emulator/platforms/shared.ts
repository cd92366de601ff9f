/** Pieces the four platform profiles share: time wording, the IOS-family built-ins, prompt and pager, the pager erasers. */
import type { CliMode, CommandEntry, CommandSpec, CounterRule, DeviceProfile, OutputContext, PromptState } from '../device-profile';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export const pad2 = (n: number): string => String(n).padStart(2, '0');

export function dayName(d: Date): string {
  return DAYS[d.getUTCDay()] ?? '';
}
export function monthName(d: Date): string {
  return MONTHS[d.getUTCMonth()] ?? '';
}
export function hms(d: Date): string {
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}
/** `2021-08-31 08:48:11` (Junos style), always UTC: emulated devices keep UTC clocks. */
export function isoSeconds(d: Date): string {
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${hms(d)}`;
}

export type UptimeParts = { years: number; weeks: number; days: number; hours: number; minutes: number; seconds: number };

/**
 * Whole seconds split into units, from `largestUnit` down; the units above it stay 0 and their time
 * is counted in it instead (NX-OS counts whole days, Junos whole weeks, IOS years of 365 days).
 */
export function uptimeParts(totalSeconds: number, largestUnit: 'year' | 'week' | 'day' = 'year'): UptimeParts {
  let s = Math.max(0, Math.floor(totalSeconds));
  const take = (unitSeconds: number): number => {
    const n = Math.floor(s / unitSeconds);
    s -= n * unitSeconds;
    return n;
  };
  const years = largestUnit === 'year' ? take(365 * 86400) : 0;
  const weeks = largestUnit !== 'day' ? take(7 * 86400) : 0;
  const days = take(86400);
  const hours = take(3600);
  const minutes = take(60);
  return { years, weeks, days, hours, minutes, seconds: s };
}

export const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** `prefix` + `length` characters of [0-9A-Z] from the seed: serials look like FOC1234ABCD. */
export function serialFrom(prefix: string, seed: number, length: number): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    out += alphabet[x % alphabet.length];
  }
  return prefix + out;
}

/**
 * The IOS pager prompt is wiped by backspacing over it, writing spaces and backspacing again: the
 * sequence screen-scrapers have to strip (Netmiko does), so the emulator sends it too.
 */
export function backspaceEraser(shown: string): string {
  const n = shown.length;
  return '\b'.repeat(n) + ' '.repeat(n) + '\b'.repeat(n);
}

/** Junos wipes its `---(more)---` line with a carriage return and spaces. */
export function carriageReturnEraser(shown: string): string {
  return `\r${' '.repeat(shown.length)}\r`;
}

const EXEC: readonly CliMode[] = ['user', 'enable'];
const ENABLE: readonly CliMode[] = ['enable'];
const CONFIG: readonly CliMode[] = ['config'];

/**
 * Built-ins common to IOS, NX-OS and EOS. The options are where the three differ: the ranges
 * `terminal length/width` accept, a bare `configure`, an enable level, and `show hostname` (NX-OS
 * and EOS have it; its output is the platform's own `show hostname` command).
 */
export function iosFamilyBuiltins(opts: {
  hasEnable: boolean;
  lengthRange: string;
  widthRange: string;
  configureAlone: boolean;
  showHostname: boolean;
}): CommandEntry[] {
  const entries: CommandEntry[] = [
    { pattern: 'exit', modes: EXEC, action: { kind: 'logout' } },
    { pattern: 'logout', modes: EXEC, action: { kind: 'logout' } },
    { pattern: 'quit', modes: EXEC, action: { kind: 'logout' } },
    { pattern: `terminal length ${opts.lengthRange}`, modes: EXEC, action: { kind: 'page-length' } },
    { pattern: `terminal width ${opts.widthRange}`, modes: EXEC, action: { kind: 'noop' } },
    { pattern: 'terminal monitor', modes: EXEC, action: { kind: 'noop' } },
    { pattern: 'terminal no monitor', modes: EXEC, action: { kind: 'noop' } },
    { pattern: 'show clock', modes: EXEC, action: { kind: 'output', command: 'show clock' } },
    { pattern: 'configure terminal', modes: ENABLE, action: { kind: 'configure' } },
    { pattern: 'end', modes: CONFIG, action: { kind: 'end' } },
    { pattern: 'exit', modes: CONFIG, action: { kind: 'exit-level' } },
    { pattern: 'do LINE', modes: CONFIG, action: { kind: 'run-exec' } },
    { pattern: 'hostname WORD', modes: CONFIG, action: { kind: 'hostname' } },
    { pattern: 'interface LINE', modes: CONFIG, action: { kind: 'interface' } },
  ];
  if (opts.configureAlone) entries.push({ pattern: 'configure', modes: ENABLE, action: { kind: 'configure' } });
  if (opts.hasEnable) {
    entries.push(
      { pattern: 'enable', modes: EXEC, action: { kind: 'enable' } },
      { pattern: 'disable', modes: ENABLE, action: { kind: 'disable' } },
    );
  }
  if (opts.showHostname) entries.push({ pattern: 'show hostname', modes: EXEC, action: { kind: 'output', command: 'show hostname' } });
  return entries;
}

/** IOS and NX-OS call every interface sub-mode `config-if` and, in this emulator, any other one `config-sub`. */
export function ciscoSubModeLabel(subMode: string): string {
  return subMode.startsWith('interface') ? 'if' : 'sub';
}

/**
 * The IOS prompt, which EOS copies: `host>` in user exec, `host#` privileged, `host(config)#` at the
 * top of configuration mode and `host(config-<label>)#` below it, `label` naming the innermost sub-mode.
 */
export function iosFamilyPrompt(subModeLabel: (subMode: string) => string): (s: PromptState) => string {
  return (s) => {
    if (s.mode === 'user') return `${s.hostname}>`;
    if (s.mode === 'enable') return `${s.hostname}#`;
    const sub = s.configPath[s.configPath.length - 1];
    return sub === undefined ? `${s.hostname}(config)#` : `${s.hostname}(config-${subModeLabel(sub)})#`;
  };
}

/** The ` --More-- ` pager of IOS, NX-OS and EOS, wiped by backspacing. */
export const IOS_FAMILY_PAGER: DeviceProfile['pager'] = { prompt: () => ' --More-- ', erase: backspaceEraser };

/** `show interfaces` counter lines as IOS prints them, and EOS after it: `1234 packets input, 567890 bytes`. */
export const IOS_INTERFACE_COUNTERS: readonly CounterRule[] = [
  { pattern: /(\d+) packets input, (\d+) bytes/g, ratePerSecond: [12, 9_000] },
  { pattern: /(\d+) packets output, (\d+) bytes/g, ratePerSecond: [10, 7_000] },
];

/** Fixture text as a command spec, with counter rules for the commands whose numbers should move. */
export function fixtureCommands(
  fixtures: Readonly<Record<string, string>>,
  counters: Readonly<Record<string, readonly CounterRule[]>>,
): Record<string, CommandSpec> {
  const out: Record<string, CommandSpec> = {};
  for (const [command, text] of Object.entries(fixtures)) {
    const rules = counters[command];
    out[command] = rules ? { output: text, counters: rules } : { output: text };
  }
  return out;
}

/** `HH:MM:SS.mmm UTC Ddd Mmm D YYYY`, as IOS and NX-OS print `show clock`. */
export function ciscoClock(ctx: OutputContext): string {
  const d = ctx.now;
  const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
  return `${hms(d)}.${ms} UTC ${dayName(d)} ${monthName(d)} ${d.getUTCDate()} ${d.getUTCFullYear()}\n`;
}
