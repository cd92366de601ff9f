import type { DeviceProfile, OutputContext } from '../device-profile';
import { loadFixtures } from '../fixtures';
import {
  IOS_FAMILY_PAGER,
  IOS_INTERFACE_COUNTERS,
  dayName,
  fixtureCommands,
  hms,
  iosFamilyBuiltins,
  iosFamilyPrompt,
  monthName,
  pad2,
  plural,
  serialFrom,
  uptimeParts,
} from './shared';

/** `134 weeks, 5 days, 23 hours and 44 minutes`: leading zero units dropped, "and" before the last. */
export function eosUptime(seconds: number): string {
  const p = uptimeParts(seconds);
  const weeks = p.weeks + p.years * 52;
  const parts: string[] = [];
  if (weeks) parts.push(plural(weeks, 'week'));
  if (weeks || p.days) parts.push(plural(p.days, 'day'));
  if (parts.length || p.hours) parts.push(plural(p.hours, 'hour'));
  parts.push(plural(p.minutes, 'minute'));
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

/** `Mon Jan 14 18:42:49 2013`, the C library's layout (EOS runs on Linux). */
function eosDate(d: Date): string {
  return `${dayName(d)} ${monthName(d)} ${pad2(d.getUTCDate())} ${hms(d)} ${d.getUTCFullYear()}`;
}

/** EOS names sub-modes after the interface's two-letter short form: `(config-if-Et2)`. */
function shortInterface(name: string): string {
  const m = /^([A-Za-z-]+)\s*(.*)$/.exec(name.trim());
  if (!m) return name;
  const letters = (m[1] ?? '').replace(/-/g, '');
  return `${letters.charAt(0).toUpperCase()}${letters.charAt(1).toLowerCase()}${m[2] ?? ''}`;
}

function eosSubModeLabel(subMode: string): string {
  const m = /^interface\s+(.*)$/i.exec(subMode);
  return m ? `if-${shortInterface(m[1] ?? '')}` : 'sub';
}

let cached: DeviceProfile | undefined;

export function aristaEosProfile(): DeviceProfile {
  if (cached) return cached;
  const commands = fixtureCommands(loadFixtures('arista_eos'), { 'show interfaces': IOS_INTERFACE_COUNTERS });
  commands['show clock'] = { output: (ctx: OutputContext) => `${eosDate(ctx.now)}\ntimezone is UTC\n` };
  commands['show hostname'] = { output: (ctx) => `Hostname: ${ctx.hostname}\nFQDN:     ${ctx.hostname}\n` };
  cached = {
    platform: 'arista_eos',
    label: 'Arista EOS',
    dialect: 'ios',
    loginMode: 'user',
    prompt: iosFamilyPrompt(eosSubModeLabel),
    builtins: iosFamilyBuiltins({ hasEnable: true, lengthRange: '<0-32767>', widthRange: '<10-32767>', configureAlone: true, showHostname: true }),
    showKeywords: [
      'aaa', 'arp', 'bgp', 'boot-config', 'clock', 'environment', 'extensions', 'hostname', 'interfaces', 'inventory',
      'ip', 'ipv6', 'lacp', 'lldp', 'logging', 'mac', 'management', 'mlag', 'module', 'ntp', 'platform',
      'port-channel', 'processes', 'reload', 'running-config', 'snmp', 'spanning-tree', 'startup-config', 'system',
      'tech-support', 'terminal', 'users', 'version', 'vlan', 'vrf',
    ],
    commands,
    pager: IOS_FAMILY_PAGER,
    // EOS enables without a password unless an enable secret is configured, and gives one try.
    enable: { passwordPrompt: 'Password: ', attempts: 1, failure: '% Access denied\n', noSecret: null },
    configure: { enterMessage: '', exitMessage: '' },
    blankLineBeforePrompt: false,
    completeOnSpace: false,
    errors: {
      invalid: () => '% Invalid input\n',
      ambiguous: () => '% Ambiguous command\n',
      incomplete: () => '% Incomplete command\n',
    },
    banner: (ctx) => `Last login: ${eosDate(ctx.now)} from ${ctx.from}\n`,
    formatUptime: eosUptime,
    serial: (seed) => serialFrom('JPE', seed, 8),
  };
  return cached;
}
