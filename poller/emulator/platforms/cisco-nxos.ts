import type { DeviceProfile } from '../device-profile';
import { loadFixtures } from '../fixtures';
import { IOS_FAMILY_PAGER, ciscoClock, ciscoSubModeLabel, fixtureCommands, iosFamilyBuiltins, serialFrom, uptimeParts } from './shared';

/** `123 day(s), 5 hour(s), 15 minute(s), 19 second(s)`: NX-OS counts whole days and prints every unit. */
export function nxosUptime(seconds: number): string {
  const p = uptimeParts(seconds, 'day');
  return `${p.days} day(s), ${p.hours} hour(s), ${p.minutes} minute(s), ${p.seconds} second(s)`;
}

let cached: DeviceProfile | undefined;

export function ciscoNxosProfile(): DeviceProfile {
  if (cached) return cached;
  const commands = fixtureCommands(loadFixtures('cisco_nxos'), {
    'show interface': [
      { pattern: /(\d+) input packets {2}(\d+) bytes/g, ratePerSecond: [12, 9_000] },
      { pattern: /(\d+) output packets {2}(\d+) bytes/g, ratePerSecond: [10, 7_000] },
    ],
  });
  commands['show clock'] = { output: ciscoClock };
  commands['show hostname'] = { output: (ctx) => `${ctx.hostname} \n` };
  // NX-OS puts the caret under the word and names the failure in the same sentence shape for all three.
  const caret = (column: number, what: string): string => `${' '.repeat(column)}^\n% ${what} at '^' marker.\n`;
  cached = {
    platform: 'cisco_nxos',
    label: 'Cisco NX-OS',
    dialect: 'ios',
    // Role network-admin lands in privileged mode; NX-OS has no user exec level to enable from.
    loginMode: 'enable',
    // Not iosFamilyPrompt: no `>` level, and NX-OS leaves a space after the `#`.
    prompt: (s) => {
      if (s.mode !== 'config') return `${s.hostname}# `;
      const sub = s.configPath[s.configPath.length - 1];
      return sub === undefined ? `${s.hostname}(config)# ` : `${s.hostname}(config-${ciscoSubModeLabel(sub)})# `;
    },
    builtins: iosFamilyBuiltins({ hasEnable: false, lengthRange: '<0-511>', widthRange: '<24-511>', configureAlone: true, showHostname: true }),
    showKeywords: [
      'accounting', 'bgp', 'boot', 'cdp', 'clock', 'copyright', 'environment', 'feature', 'hardware', 'hostname',
      'interface', 'inventory', 'ip', 'ipv6', 'lacp', 'license', 'lldp', 'logging', 'mac', 'module', 'ntp',
      'port-channel', 'processes', 'running-config', 'snmp', 'spanning-tree', 'startup-config', 'system',
      'tech-support', 'terminal', 'users', 'version', 'vlan', 'vpc', 'vrf',
    ],
    commands,
    pager: IOS_FAMILY_PAGER,
    configure: { enterMessage: 'Enter configuration commands, one per line. End with CNTL/Z.\n', exitMessage: '' },
    blankLineBeforePrompt: false,
    completeOnSpace: false,
    errors: {
      invalid: (e) => caret(e.column, 'Invalid command'),
      ambiguous: (e) => caret(e.column, 'Ambiguous command'),
      incomplete: (e) => caret(e.column, 'Incomplete command'),
    },
    banner: () =>
      'Cisco Nexus Operating System (NX-OS) Software\n' +
      'TAC support: http://www.cisco.com/tac\n' +
      'Copyright (C) 2002-2014, Cisco and/or its affiliates.\n' +
      'All rights reserved.\n',
    formatUptime: nxosUptime,
    serial: (seed) => serialFrom('SAL', seed, 8),
  };
  return cached;
}
