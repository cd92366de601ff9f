/**
 * Simulated switch failures. Two ways a real switch dies, which look different to a host:
 * - "power": every port goes down, so the hosts' NICs lose carrier (the kernel marks them NO-CARRIER);
 * - "hang": the bridge stops forwarding but the ports stay up, so links look fine and frames vanish.
 * Either way every host on the switch is cut off from everything else, including its switch-mates,
 * and traffic across the switch's trunks stops too.
 */
import { BRIDGE } from './build';
import { ipIn } from './netns';

export type SwitchFailure = 'power' | 'hang';

export async function failSwitch(ns: string, ports: string[], how: SwitchFailure): Promise<void> {
  await ipIn(ns, ['link', 'set', BRIDGE, 'down']);
  if (how === 'power') for (const port of ports) await ipIn(ns, ['link', 'set', port, 'down']);
}

export async function restoreSwitch(ns: string, ports: string[]): Promise<void> {
  for (const port of ports) await ipIn(ns, ['link', 'set', port, 'up']);
  await ipIn(ns, ['link', 'set', BRIDGE, 'up']);
}

/** Link state of one interface in a namespace: operstate and whether the carrier is present. */
export async function linkState(ns: string, ifname: string): Promise<{ operstate: string; carrier: boolean }> {
  const parsed: unknown = JSON.parse(await ipIn(ns, ['-j', 'link', 'show', 'dev', ifname]));
  const entry = (Array.isArray(parsed) ? parsed[0] : undefined) as { operstate?: unknown; flags?: unknown } | undefined;
  const flags = Array.isArray(entry?.flags) ? (entry.flags as unknown[]) : [];
  return {
    operstate: typeof entry?.operstate === 'string' ? entry.operstate : 'UNKNOWN',
    carrier: !flags.includes('NO-CARRIER'),
  };
}
