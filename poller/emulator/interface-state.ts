/**
 * Link state rewriting: a test (or `shutdown` in configuration mode) sets an interface up, down or
 * administratively down, and every output that shows interface status says so, in each platform's
 * own words, columns kept where they were. Works on the fixture text line by line, so it needs no
 * model of the device beyond the lines that name an interface's status.
 */
import type { PlatformId } from './device-profile';

export type LinkState = 'up' | 'down' | 'admin-down';

export function isLinkState(value: unknown): value is LinkState {
  return value === 'up' || value === 'down' || value === 'admin-down';
}

/**
 * A name as every platform abbreviates it: the first two letters of the type and the numbering, so
 * `GigabitEthernet0/1`, `Gi0/1` and `gi0/1` are one interface, and NX-OS's `Eth1/1` is `Ethernet1/1`.
 */
export function interfaceKey(name: string): string {
  const m = /^([A-Za-z]+)(.*)$/.exec(name.trim());
  if (!m) return name.trim().toLowerCase();
  return `${(m[1] ?? '').slice(0, 2).toLowerCase()}${(m[2] ?? '').toLowerCase()}`;
}

type Header = { name: string; up: boolean };

const IOS_HEADER = /^(\S+) is (administratively down|up|down)(?: \([^)]*\))?(, line protocol is \S+(?: \([^)]*\))?)?(.*)$/;
const JUNOS_HEADER = /^Physical interface: ([^,\s]+), (Enabled|Administratively down), Physical link is (Up|Down)(.*)$/;

/** The interface a status header line introduces (`Gi0/1 is up, …`, `Physical interface: ge-0/0/0, …`). */
export function parseHeader(line: string, platform: PlatformId): Header | undefined {
  if (platform === 'juniper_junos') {
    const m = JUNOS_HEADER.exec(line);
    return m ? { name: m[1]!, up: m[2] === 'Enabled' && m[3] === 'Up' } : undefined;
  }
  const m = IOS_HEADER.exec(line);
  return m ? { name: m[1]!, up: m[2] === 'up' } : undefined;
}

function header(line: string, platform: PlatformId, state: LinkState): string {
  if (platform === 'juniper_junos') {
    const m = JUNOS_HEADER.exec(line)!;
    const admin = state === 'admin-down' ? 'Administratively down' : 'Enabled';
    return `Physical interface: ${m[1]!}, ${admin}, Physical link is ${state === 'up' ? 'Up' : 'Down'}${m[4] ?? ''}`;
  }
  const m = IOS_HEADER.exec(line)!;
  const name = m[1]!;
  const rest = m[4] ?? '';
  if (platform === 'cisco_nxos') {
    const status = state === 'up' ? 'up' : state === 'down' ? 'down (Link not connected)' : 'down (Administratively down)';
    // Ethernet ports print no line protocol on NX-OS; SVIs and port-channels do.
    const protocol = m[3] === undefined ? '' : `, line protocol is ${state === 'up' ? 'up' : 'down'}`;
    return `${name} is ${status}${protocol}${rest}`;
  }
  const status = state === 'up' ? 'up' : state === 'down' ? 'down' : 'administratively down';
  const eosReason = state === 'up' ? ' (connected)' : state === 'down' ? ' (notconnect)' : ' (disabled)';
  return `${name} is ${status}, line protocol is ${state === 'up' ? 'up' : 'down'}${platform === 'arista_eos' ? eosReason : ''}${rest}`;
}

/** Replaces `fields` (start, old text) in `line` by `values`, keeping later columns where they start. */
function replaceFields(line: string, fields: ReadonlyArray<{ start: number; text: string; width: number }>, values: readonly string[]): string {
  let out = '';
  let at = 0;
  fields.forEach((f, i) => {
    const value = values[i] ?? f.text;
    out += line.slice(at, f.start);
    // width: the field and the blanks after it, up to the next column; at least one blank stays.
    out += f.width > f.text.length ? value.padEnd(Math.max(f.width, value.length + 1)) : value;
    at = f.start + Math.max(f.width, f.text.length);
  });
  return out + line.slice(at);
}

const IOS_BRIEF = /^(\S+\s+\S+\s+\S+\s+\S+\s+)(administratively down|\S+)(\s+)(\S+)(\s*)$/;
const EOS_BRIEF = /^(\S+\s+\S+\s+)(\S+)(\s+)(\S+)(\s+)(\d+\s*)$/;
const NXOS_BRIEF = /^(\S+\s+\S+\s+)(protocol-\w+\/link-\w+\/admin-\w+)(.*)$/;

function briefRow(line: string, platform: PlatformId, state: LinkState): string | undefined {
  if (platform === 'cisco_nxos') {
    const m = NXOS_BRIEF.exec(line);
    if (!m) return undefined;
    const value = state === 'up' ? 'protocol-up/link-up/admin-up' : state === 'down' ? 'protocol-down/link-down/admin-up' : 'protocol-down/link-down/admin-down';
    return `${m[1]!}${value}${m[3] ?? ''}`;
  }
  const re = platform === 'arista_eos' ? EOS_BRIEF : platform === 'cisco_ios' ? IOS_BRIEF : undefined;
  const m = re?.exec(line);
  if (!m) return undefined;
  const statusStart = m[1]!.length;
  const protoStart = statusStart + m[2]!.length + m[3]!.length;
  const fields = [
    { start: statusStart, text: m[2]!, width: m[2]!.length + m[3]!.length },
    { start: protoStart, text: m[4]!, width: platform === 'arista_eos' ? m[4]!.length + m[5]!.length : m[4]!.length },
  ];
  // EOS (and the lab's IOS images) print a one-word status even when the port is shut.
  const status = state === 'up' ? 'up' : state === 'admin-down' && platform === 'cisco_ios' ? 'administratively down' : 'down';
  return replaceFields(line, fields, [status, state === 'up' ? 'up' : 'down']);
}

/** Rewrites every status line of an interface in `states` (keyed by interfaceKey). */
export function applyInterfaceStates(text: string, platform: PlatformId, states: ReadonlyMap<string, LinkState>): string {
  if (states.size === 0) return text;
  const lines = text.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const first = /^\S+/.exec(line)?.[0];
    const named = platform === 'juniper_junos' ? JUNOS_HEADER.exec(line)?.[1] : first;
    if (named === undefined) continue;
    const state = states.get(interfaceKey(named));
    if (state === undefined) continue;
    const rewritten = parseHeader(line, platform) ? header(line, platform, state) : briefRow(line, platform, state);
    if (rewritten !== undefined && rewritten !== line) {
      lines[i] = rewritten;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}

export interface InterfaceSection {
  /** Undefined for text before the first header. */
  name: string | undefined;
  up: boolean;
  text: string;
}

/** Splits `show interfaces`-style output at each header line, so counters can move per interface. */
export function interfaceSections(text: string, platform: PlatformId): InterfaceSection[] {
  const sections: InterfaceSection[] = [];
  let current: InterfaceSection = { name: undefined, up: true, text: '' };
  for (const line of text.split(/(?<=\n)/)) {
    const h = parseHeader(line.replace(/\n$/, ''), platform);
    if (h) {
      if (current.text !== '') sections.push(current);
      current = { name: h.name, up: h.up, text: '' };
    }
    current.text += line;
  }
  if (current.text !== '') sections.push(current);
  return sections;
}
