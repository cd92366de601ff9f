/**
 * Turns a LabPlan into kernel objects: one namespace per node, a bridge `br0` in each switch, and a veth
 * per host NIC or trunk whose ends are created directly inside the two namespaces (so no interface of
 * the lab ever exists in the machine's own namespace, and short names like eth0/swp1 never collide
 * between parallel labs).
 */
import { mustRun } from './command';
import { namespaceName } from './names';
import { addNamespace, ipIn, setSysctl } from './netns';
import type { LabPlan, PlannedHost, PlannedSwitch } from './topology';

export const BRIDGE = 'br0';

/** Every namespace the plan needs, switches first. */
export function planNamespaces(labId: string, plan: LabPlan): string[] {
  return [...plan.switches.map((s) => s.name), ...plan.hosts.map((h) => h.name)].map((n) => namespaceName(labId, n));
}

async function veth(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
  await mustRun('ip', ['link', 'add', 'name', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
}

async function buildSwitch(labId: string, sw: PlannedSwitch): Promise<void> {
  const ns = namespaceName(labId, sw.name);
  // No IGMP snooping: without a querier in the lab a snooping bridge may stop flooding a group, and
  // the bootstrap multicast must reach every port as it would on an unmanaged switch.
  await ipIn(ns, ['link', 'add', BRIDGE, 'type', 'bridge', 'mcast_snooping', '0']);
  await ipIn(ns, ['link', 'set', BRIDGE, 'up']);
}

async function plugPort(labId: string, switchName: string, port: string): Promise<void> {
  const ns = namespaceName(labId, switchName);
  await ipIn(ns, ['link', 'set', port, 'master', BRIDGE]);
  await ipIn(ns, ['link', 'set', port, 'up']);
}

async function buildHost(labId: string, host: PlannedHost): Promise<void> {
  const ns = namespaceName(labId, host.name);
  for (const nic of host.nics) {
    await veth(ns, nic.ifname, namespaceName(labId, nic.switch), nic.switchPort);
    await plugPort(labId, nic.switch, nic.switchPort);
    for (const cidr of nic.addresses) await ipIn(ns, ['addr', 'add', cidr, 'dev', nic.ifname]);
    await ipIn(ns, ['link', 'set', nic.ifname, 'up']);
  }
  for (const route of host.routes) await ipIn(ns, ['route', 'add', ...route]);
  if (host.forwarding) await setSysctl(ns, 'net.ipv4.ip_forward', '1');
}

/**
 * Creates everything. `created` is told about each namespace as soon as it exists, so that a failure
 * half-way leaves nothing the caller's teardown does not know about.
 */
export async function buildNetwork(labId: string, plan: LabPlan, created: (ns: string) => void): Promise<void> {
  for (const ns of planNamespaces(labId, plan)) {
    await addNamespace(ns);
    created(ns);
    await ipIn(ns, ['link', 'set', 'lo', 'up']);
  }
  for (const sw of plan.switches) await buildSwitch(labId, sw);
  for (const trunk of plan.trunks) {
    await veth(namespaceName(labId, trunk.a), trunk.aPort, namespaceName(labId, trunk.b), trunk.bPort);
    await plugPort(labId, trunk.a, trunk.aPort);
    await plugPort(labId, trunk.b, trunk.bPort);
  }
  for (const host of plan.hosts) await buildHost(labId, host);
}
