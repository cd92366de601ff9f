/**
 * Removes what tests wrote under a host-key prefix, shared nodes included once nothing else uses
 * them: first empty results through the real plans (their cleanup removes orphaned addresses,
 * subnets, switch ports, switches and packages), then the hosts and what they own.
 */
import type { GraphStore } from '../../cma/graph/graph-store';
import { planIngest } from '../../cma/discovery/registry';

const EMPTY = [
  { discovertype: 'netconfig', data: { nics: [], default_routes: [] } },
  { discovertype: 'packages', data: { packages: [] } },
  { discovertype: 'lldp', data: { local_chassis: null, neighbors: [] } },
  { discovertype: 'tcp', data: { listening: [], outbound: [] } },
];

export async function removeTestHosts(store: GraphStore, prefix: string): Promise<void> {
  if (!prefix.startsWith('test-')) throw new Error(`refusing to remove hosts outside a test prefix: ${prefix}`);
  const hosts = await store.read<{ key: string }>('MATCH (h:Host) WHERE h.key STARTS WITH $prefix RETURN h.key AS key', { prefix });
  // Later than any clock a test may have injected: everything the hosts have is stale to these writes.
  let now = 8_000_000_000_000_000;
  for (const { key } of hosts) {
    for (const e of EMPTY) {
      const doc = { ...e, description: 'cleanup', host: key, source: 'test' };
      await store.runPlan(planIngest({ document: doc }, { host: key, now: ++now }).plan);
    }
  }
  await store.write(
    `MATCH (h:Host) WHERE h.key STARTS WITH $prefix
     OPTIONAL MATCH (h)-->(x) WHERE x:DiscoveryResult OR x:Process OR x:TCPService OR x:NIC OR x:Filesystem
     DETACH DELETE x, h`,
    { prefix },
  );
}
