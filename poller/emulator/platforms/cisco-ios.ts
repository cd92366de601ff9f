import type { DeviceProfile, OutputContext } from '../device-profile';
import { loadFixtures } from '../fixtures';
import {
  IOS_FAMILY_PAGER,
  IOS_INTERFACE_COUNTERS,
  ciscoClock,
  ciscoSubModeLabel,
  fixtureCommands,
  iosFamilyBuiltins,
  iosFamilyPrompt,
  plural,
  serialFrom,
  uptimeParts,
} from './shared';

/** `2 years, 31 weeks, 6 days, 9 hours, 55 minutes`: IOS leaves out the zero units. */
export function iosUptime(seconds: number): string {
  const p = uptimeParts(seconds);
  const parts: string[] = [];
  if (p.years) parts.push(plural(p.years, 'year'));
  if (p.weeks) parts.push(plural(p.weeks, 'week'));
  if (p.days) parts.push(plural(p.days, 'day'));
  if (p.hours) parts.push(plural(p.hours, 'hour'));
  if (p.minutes || parts.length === 0) parts.push(plural(p.minutes, 'minute'));
  return parts.join(', ');
}

/** Enough of a running configuration for config-backup pollers: what was configured since boot shows up. */
function runningConfig(ctx: OutputContext): string {
  const body = [`!`, `version 15.2`, `service timestamps debug datetime msec`, `!`, `hostname ${ctx.hostname}`, `!`];
  // The session records sub-mode statements indented by one space, as IOS prints them.
  for (const line of ctx.configLines) {
    if (/^hostname\s/i.test(line)) continue;
    if (/^interface\s/i.test(line)) body.push('!');
    body.push(line);
  }
  body.push('!', 'end');
  const text = body.join('\n');
  return `Building configuration...\n\nCurrent configuration : ${text.length} bytes\n${text}\n`;
}

let cached: DeviceProfile | undefined;

export function ciscoIosProfile(): DeviceProfile {
  if (cached) return cached;
  const commands = fixtureCommands(loadFixtures('cisco_ios'), { 'show interfaces': IOS_INTERFACE_COUNTERS });
  commands['show clock'] = { output: ciscoClock };
  commands['show running-config'] = { output: runningConfig, privileged: true };
  cached = {
    platform: 'cisco_ios',
    label: 'Cisco IOS',
    dialect: 'ios',
    loginMode: 'user',
    prompt: iosFamilyPrompt(ciscoSubModeLabel),
    builtins: iosFamilyBuiltins({ hasEnable: true, lengthRange: '<0-512>', widthRange: '<0-512>', configureAlone: false, showHostname: false }),
    showKeywords: [
      'aaa', 'access-lists', 'adjacency', 'archive', 'arp', 'bgp', 'boot', 'cdp', 'clock', 'controllers', 'crypto',
      'debugging', 'dhcp', 'dot1x', 'environment', 'etherchannel', 'file', 'flash:', 'history', 'hosts', 'interfaces',
      'inventory', 'ip', 'ipv6', 'license', 'line', 'lldp', 'logging', 'mac', 'memory', 'module', 'ntp', 'platform',
      'policy-map', 'power', 'privilege', 'processes', 'protocols', 'redundancy', 'running-config', 'sessions', 'snmp',
      'spanning-tree', 'standby', 'startup-config', 'switch', 'tech-support', 'terminal', 'users', 'version', 'vlan',
      'vrf', 'vtp',
    ],
    commands,
    pager: IOS_FAMILY_PAGER,
    enable: { passwordPrompt: 'Password: ', attempts: 3, failure: '% Bad secrets\n\n', noSecret: '% No password set\n' },
    configure: { enterMessage: 'Enter configuration commands, one per line.  End with CNTL/Z.\n', exitMessage: '' },
    blankLineBeforePrompt: false,
    completeOnSpace: false,
    errors: {
      invalid: (e) => `${' '.repeat(e.column)}^\n% Invalid input detected at '^' marker.\n\n`,
      ambiguous: (e) => `% Ambiguous command:  "${e.line.trim()}"\n`,
      incomplete: () => '% Incomplete command.\n\n',
    },
    banner: () =>
      '\n' +
      '**************************************************************************\n' +
      '* Unauthorized access to this device is prohibited. All access is logged *\n' +
      '**************************************************************************\n' +
      '\n',
    formatUptime: iosUptime,
    serial: (seed) => serialFrom('FOC', seed, 8),
  };
  return cached;
}
