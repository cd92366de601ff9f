import type { CliMode, CommandEntry, DeviceProfile, OutputContext } from '../device-profile';
import { loadFixtures } from '../fixtures';
import { carriageReturnEraser, dayName, fixtureCommands, hms, isoSeconds, monthName, pad2, plural, serialFrom, uptimeParts } from './shared';

/** Junos's "ago" wording: `22w0d 19:16` beyond a day, `05:12:09` within one. */
export function junosUptime(seconds: number): string {
  const p = uptimeParts(seconds, 'week');
  if (p.weeks || p.days) return `${p.weeks}w${p.days}d ${pad2(p.hours)}:${pad2(p.minutes)}`;
  return `${pad2(p.hours)}:${pad2(p.minutes)}:${pad2(p.seconds)}`;
}

/** `show system uptime`, computed from the injected clock and the device's boot time. */
function systemUptime(ctx: OutputContext): string {
  const protocolsDelay = Math.min(ctx.uptimeSeconds, 300);
  const protocols = new Date(ctx.bootTime.getTime() + protocolsDelay * 1000);
  const h = ctx.now.getUTCHours();
  const clock12 = `${h % 12 === 0 ? 12 : h % 12}:${pad2(ctx.now.getUTCMinutes())}${h < 12 ? 'AM' : 'PM'}`;
  const days = Math.floor(ctx.uptimeSeconds / 86400);
  const rest = ctx.uptimeSeconds - days * 86400;
  const upFor = `${days > 0 ? `${plural(days, 'day')}, ` : ''}${Math.floor(rest / 3600)}:${pad2(Math.floor((rest % 3600) / 60))}`;
  return (
    `Current time: ${isoSeconds(ctx.now)} UTC\n` +
    'Time Source:  LOCAL CLOCK\n' +
    `System booted: ${isoSeconds(ctx.bootTime)} UTC (${junosUptime(ctx.uptimeSeconds)} ago)\n` +
    `Protocols started: ${isoSeconds(protocols)} UTC (${junosUptime(ctx.uptimeSeconds - protocolsDelay)} ago)\n` +
    `${clock12.padStart(7)}  up ${upFor}, 1 user, load averages: 0.04, 0.04, 0.01\n`
  );
}

const OPER: readonly CliMode[] = ['user'];
const CONFIG: readonly CliMode[] = ['config'];

const BUILTINS: readonly CommandEntry[] = [
  { pattern: 'exit', modes: OPER, action: { kind: 'logout' } },
  { pattern: 'quit', modes: OPER, action: { kind: 'logout' } },
  { pattern: 'set cli screen-length <0-100000>', modes: OPER, action: { kind: 'page-length' } },
  { pattern: 'set cli screen-width <0-1024>', modes: OPER, action: { kind: 'noop', say: 'Screen width set to $1\n' } },
  { pattern: 'set cli complete-on-space on', modes: OPER, action: { kind: 'complete-on-space', on: true } },
  { pattern: 'set cli complete-on-space off', modes: OPER, action: { kind: 'complete-on-space', on: false } },
  { pattern: 'set cli terminal WORD', modes: OPER, action: { kind: 'noop' } },
  { pattern: 'show system uptime', modes: OPER, action: { kind: 'output', command: 'show system uptime' } },
  { pattern: 'configure', modes: OPER, action: { kind: 'configure' } },
  { pattern: 'configure private', modes: OPER, action: { kind: 'configure' } },
  { pattern: 'configure exclusive', modes: OPER, action: { kind: 'configure' } },
  { pattern: 'exit', modes: CONFIG, action: { kind: 'exit-level' } },
  { pattern: 'quit', modes: CONFIG, action: { kind: 'exit-level' } },
  { pattern: 'exit configuration-mode', modes: CONFIG, action: { kind: 'end' } },
  { pattern: 'run LINE', modes: CONFIG, action: { kind: 'run-exec' } },
  { pattern: 'commit', modes: CONFIG, action: { kind: 'commit', quit: false } },
  { pattern: 'commit and-quit', modes: CONFIG, action: { kind: 'commit', quit: true } },
  { pattern: 'set LINE', modes: CONFIG, action: { kind: 'config-line' } },
  { pattern: 'delete LINE', modes: CONFIG, action: { kind: 'config-line' } },
  { pattern: 'top', modes: CONFIG, action: { kind: 'noop' } },
];

let cached: DeviceProfile | undefined;

export function juniperJunosProfile(): DeviceProfile {
  if (cached) return cached;
  const commands = fixtureCommands(loadFixtures('juniper_junos'), {
    'show interfaces': [
      { pattern: /Input packets : (\d+)/g, ratePerSecond: [15] },
      { pattern: /Output packets: (\d+)/g, ratePerSecond: [4] },
    ],
  });
  commands['show system uptime'] = { output: systemUptime };
  const caret = (column: number): string => `${' '.repeat(column)}^\n`;
  cached = {
    platform: 'juniper_junos',
    label: 'Juniper Junos',
    dialect: 'junos',
    loginMode: 'user',
    prompt: (s) => (s.mode === 'config' ? `[edit]\n${s.username}@${s.hostname}# ` : `${s.username}@${s.hostname}> `),
    builtins: BUILTINS,
    showKeywords: [
      'arp', 'bgp', 'chassis', 'cli', 'configuration', 'ethernet-switching', 'interfaces', 'isis', 'lacp', 'ldp', 'lldp',
      'log', 'mpls', 'ntp', 'ospf', 'route', 'security', 'snmp', 'system', 'version', 'virtual-chassis', 'vlans',
    ],
    commands,
    pager: {
      prompt: (percent) => `---(more ${percent}%)---`,
      erase: carriageReturnEraser,
    },
    configure: { enterMessage: 'Entering configuration mode\n', exitMessage: 'Exiting configuration mode\n' },
    blankLineBeforePrompt: true,
    completeOnSpace: true,
    errors: {
      invalid: (e) => `${caret(e.column)}${e.wordIndex === 0 ? 'unknown command.' : 'syntax error, expecting <command>.'}\n`,
      ambiguous: (e) => `${caret(e.column)}'${e.word}' is ambiguous.\nPossible completions:\n${e.candidates.map((c) => `  ${c}`).join('\n')}\n`,
      incomplete: (e) => `${caret(e.column)}syntax error, expecting <command>.\n`,
    },
    banner: (ctx) => {
      const d = ctx.now;
      return `Last login: ${dayName(d)} ${monthName(d)} ${d.getUTCDate()} ${hms(d)} ${d.getUTCFullYear()} from ${ctx.from}\n\n--- JUNOS 13.3R1.4 built 2014-01-23 22:00:00 UTC\n`;
    },
    formatUptime: junosUptime,
    serial: (seed) => serialFrom('JN', seed, 10),
  };
  return cached;
}
