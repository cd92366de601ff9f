import type { RunningCma } from '../../cma/cma-service';
import { apiGet, until, type DemoStep } from './demo-steps';
import { loopbackFleet, type NanoprobeFleet } from './nanoprobe-fleet';

type ApiAlert = { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; resolved: boolean };
type ApiRings = { rings: Array<{ name: string; size: number; members: Array<{ host: string; next: string }> }>; audit: unknown[] };
type ApiHost = { name: string; status: string };

function ringLine(r: ApiRings['rings'][number]): string {
  return `${r.name} (${r.size}): ${r.members.map((m) => m.host).join(' → ')} → ${r.members[0]?.host ?? ''}`;
}

/**
 * The membership part of the demo, every step verified through the REST API as a user would see it:
 * ten nanoprobes join, one is killed, the CMA raises one alert and closes the ring, the host returns.
 */
/** `afterJoin`: steps to run once the fleet is up and its rings settled, given the fleet's host names. */
export function fleetSteps(cma: () => RunningCma, fleet: () => NanoprobeFleet, afterJoin: (hosts: string[]) => DemoStep[] = () => [], size = 10): DemoStep[] {
  const members = loopbackFleet(size, 2);
  const victim = members[2]!;
  /** A list route's answer; an error answer (Neo4j busy: 503) reads as an empty list, so steps wait on. */
  const list = async <T>(route: string): Promise<T[]> => (await apiGet<T[]>(cma().apiUrl, route)) ?? [];
  /** The rings come from the membership state in memory: they always answer. */
  const rings = async (): Promise<ApiRings> => (await fetch(`${cma().apiUrl}/api/rings`)).json() as Promise<ApiRings>;
  let killedAt = 0;
  return [
    {
      title: `start ${size} nanoprobes on loopback (two subnets, 127.1/16 and 127.2/16)`,
      run: async () => {
        for (const m of members) fleet().start(m);
        const hosts = await until(() => list<ApiHost>('hosts'), (h) => members.every((m) => h.some((x) => x.name === m.hostname && x.status === 'up')), 60_000, 'every host to join');
        return `${hosts.filter((h) => h.status === 'up').length} hosts up: ${members.map((m) => m.hostname).join(', ')}`;
      },
    },
    {
      title: 'check the heartbeat rings',
      run: async () => {
        const settled = await until(rings, (r) => r.rings.find((x) => x.name === 'global')?.size === size && r.audit.length === 0, 20_000, 'rings to settle');
        return `audit clean\n    ${settled.rings.map(ringLine).join('\n    ')}`;
      },
    },
    ...afterJoin(members.map((m) => m.hostname)),
    {
      title: `kill -9 the nanoprobe of ${victim.hostname}`,
      run: async () => {
        killedAt = Date.now();
        const exit = await fleet().kill(victim.hostname, 'SIGKILL');
        return `process ended (${exit.signal})`;
      },
    },
    {
      title: `wait for the CMA to declare ${victim.hostname} dead`,
      run: async () => {
        const alerts = await until(() => list<ApiAlert>('alerts?active=true'), (a) => a.some((x) => x.labels.host === victim.hostname), 30_000, 'a HostDown alert');
        const alert = alerts.find((x) => x.labels.host === victim.hostname)!;
        const others = alerts.filter((x) => x.labels.host !== victim.hostname);
        if (others.length > 0) throw new Error(`unexpected alerts: ${JSON.stringify(others)}`);
        return `${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill: ${alert.labels.alertname} ${alert.labels.host} — ${alert.annotations.summary}; evidence ${alert.annotations.evidence}`;
      },
    },
    {
      title: 'check the repaired ring',
      run: async () => {
        const settled = await until(rings, (r) => r.rings.find((x) => x.name === 'global')?.size === size - 1, 10_000, 'the ring to close');
        if (settled.audit.length > 0) throw new Error(`audit: ${JSON.stringify(settled.audit)}`);
        if (settled.rings.some((r) => r.members.some((m) => m.host === victim.hostname))) throw new Error(`${victim.hostname} is still on a ring`);
        return `audit clean, ${victim.hostname} removed\n    ${settled.rings.map(ringLine).join('\n    ')}`;
      },
    },
    {
      title: `restart ${victim.hostname}`,
      run: async () => {
        fleet().start(victim);
        await until(() => list<ApiAlert>('alerts'), (a) => a.some((x) => x.labels.host === victim.hostname && x.resolved), 30_000, 'the alert to resolve');
        await until(rings, (r) => r.rings.find((x) => x.name === 'global')?.size === size && r.audit.length === 0, 20_000, 'the ring to take it back');
        return 'alert resolved, host back on its rings';
      },
    },
  ];
}
