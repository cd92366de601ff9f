import type { RunningCma } from '../../cma/cma-service';
import { apiGet, until, type DemoStep } from './demo-steps';

type DiscoveryStatus = { discovertype: string; status: string; outcome: string | null; lastSeen: string | null };
type InventoryRow = { host: string; os: string | null; nics: number; processes: number; packages: number };

/**
 * What every host must have in the graph before the demo calls discovery working. All ten nanoprobes
 * share one machine, so each reports the same processes and packages; what is shown is that every
 * result was run, sent, stored and turned into graph data, and that a named query answers from it.
 */
const REQUIRED = ['netconfig', 'os', 'processes'];

export function discoverySteps(cma: () => RunningCma, hosts: string[]): DemoStep[] {
  const api = <T>(route: string): Promise<T | null> => apiGet<T>(cma().apiUrl, route);
  // Results of this run only: the demo's graph outlives it, and an earlier run's would pass at once.
  const since = Date.now();
  const derived = async (host: string): Promise<string[]> =>
    ((await api<{ results: DiscoveryStatus[] }>(`hosts/${host}/discovery`))?.results ?? [])
      .filter((r) => r.status === 'ok' && r.outcome === 'derived' && r.lastSeen !== null && Date.parse(r.lastSeen) >= since)
      .map((r) => r.discovertype);
  return [
    {
      title: `wait for every host's discovery results (${REQUIRED.join(', ')}) in the graph`,
      run: async () => {
        const seen = await until(
          async () => Object.fromEntries(await Promise.all(hosts.map(async (h) => [h, await derived(h)] as const))),
          (d) => hosts.every((h) => REQUIRED.every((t) => d[h]?.includes(t))),
          180_000,
          'discovery results',
        );
        const total = Object.values(seen).reduce((n, types) => n + types.length, 0);
        return `${total} results derived over ${hosts.length} hosts`;
      },
    },
    {
      title: 'ask the graph: GET /api/queries/host-inventory',
      run: async () => {
        const answer = await api<{ rows: InventoryRow[] }>('queries/host-inventory');
        const rows = (answer?.rows ?? []).filter((r) => hosts.includes(r.host));
        const missing = hosts.filter((h) => !rows.some((r) => r.host === h && r.nics > 0 && r.processes > 0));
        if (missing.length > 0) throw new Error(`no NICs or processes in the graph for ${missing.join(', ')}`);
        const first = rows[0]!;
        return `${rows.length} hosts, e.g. ${first.host}: ${first.os ?? 'unknown OS'}, ${first.nics} NICs, ${first.processes} processes, ${first.packages} packages`;
      },
    },
  ];
}
