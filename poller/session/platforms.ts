/**
 * What the session client needs to know of each platform's CLI: the shape of its prompt, how to turn
 * paging off, what its pager and its error messages look like. Plain data, one entry per platform,
 * with the platform ids the emulator and ntc-templates use.
 *
 * The paging commands are the ones Netmiko sends, checked against what the emulator accepts:
 * `terminal width` takes <0-512> on IOS, <24-511> on NX-OS and <10-32767> on EOS, so 511 suits all.
 * Junos completes keywords on space by default, which rewrites the echoed line; it is turned off
 * first so that the echo of every later command is exactly what was typed.
 */

/**
 * Netmiko's / ntc-templates' names, the same as the emulator's (poller/emulator/device-profile.ts;
 * platforms.test.ts keeps the two lists equal). Not imported from there: production code does not
 * depend on the test emulator.
 */
export const PLATFORM_IDS = ['cisco_ios', 'cisco_nxos', 'arista_eos', 'juniper_junos'] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

export function isPlatformId(value: unknown): value is PlatformId {
  return typeof value === 'string' && (PLATFORM_IDS as readonly string[]).includes(value);
}

export interface PlatformCli {
  platform: PlatformId;
  /** IOS-style `host>` / `host#` / `host(config-if)#`, or Junos `user@host> ` / `user@host# `. */
  promptStyle: 'ios' | 'junos';
  /** Sent once after the prompt is learned, in order. */
  setupCommands: readonly string[];
  /** The version command, for health checks and tests. */
  versionCommand: string;
  /** Junos leaves an empty line between a command's output and the next prompt: it is not output. */
  blankLineBeforePrompt: boolean;
  /** Lines (among the first few of an output) that mean the device refused the command. */
  rejection: RegExp;
}

const IOS_REJECTION = /^% ?(Invalid|Ambiguous|Incomplete|Unknown|Unrecognized|Bad) /;

const TABLE: Readonly<Record<PlatformId, PlatformCli>> = {
  cisco_ios: {
    platform: 'cisco_ios',
    promptStyle: 'ios',
    setupCommands: ['terminal length 0', 'terminal width 511'],
    versionCommand: 'show version',
    blankLineBeforePrompt: false,
    rejection: IOS_REJECTION,
  },
  cisco_nxos: {
    platform: 'cisco_nxos',
    promptStyle: 'ios',
    setupCommands: ['terminal length 0', 'terminal width 511'],
    versionCommand: 'show version',
    blankLineBeforePrompt: false,
    rejection: IOS_REJECTION,
  },
  arista_eos: {
    platform: 'arista_eos',
    promptStyle: 'ios',
    setupCommands: ['terminal length 0', 'terminal width 511'],
    versionCommand: 'show version',
    blankLineBeforePrompt: false,
    // EOS says only `% Invalid input` (no trailing words), so the space is optional here.
    rejection: /^% ?(Invalid|Ambiguous|Incomplete|Unknown|Unrecognized|Bad)\b/,
  },
  juniper_junos: {
    platform: 'juniper_junos',
    promptStyle: 'junos',
    setupCommands: ['set cli complete-on-space off', 'set cli screen-length 0', 'set cli screen-width 511'],
    versionCommand: 'show version',
    blankLineBeforePrompt: true,
    rejection: /^(unknown command\.|syntax error|error: |'[^']*' is ambiguous\.)/,
  },
};

export function platformCli(platform: PlatformId): PlatformCli {
  return TABLE[platform];
}
