/**
 * The CMA's REST API as a lab test reads it: hosts, alerts (Alertmanager v2 shape) and rings. The
 * shapes are checked with zod, so an API that changes shape fails with the field that changed rather
 * than with an undefined deep inside an assertion.
 */
import { z } from 'zod';

const hostSchema = z.object({ name: z.string(), status: z.string(), reason: z.string().nullable() }).loose();
const alertSchema = z
  .object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    startsAt: z.string(),
    endsAt: z.string(),
    resolved: z.boolean(),
  })
  .loose();
const ringsSchema = z
  .object({
    rings: z.array(
      z
        .object({
          name: z.string(),
          kind: z.string(),
          size: z.number(),
          members: z.array(z.object({ host: z.string(), keyid: z.string(), next: z.string() }).loose()),
        })
        .loose(),
    ),
    audit: z.array(z.unknown()),
  })
  .loose();

const discoveryStatusSchema = z
  .object({
    host: z.string(),
    results: z.array(
      z.object({ discovertype: z.string(), status: z.string(), outcome: z.string().nullable(), okAt: z.string().nullable(), lastError: z.unknown() }).loose(),
    ),
  })
  .loose();

export type ApiHost = z.infer<typeof hostSchema>;
export type ApiDiscoveryStatus = z.infer<typeof discoveryStatusSchema>['results'][number];
export type ApiAlert = z.infer<typeof alertSchema>;
export type ApiRings = z.infer<typeof ringsSchema>;

export class CmaApi {
  constructor(readonly baseUrl: string) {}

  private async get<T>(route: string, schema: z.ZodType<T>): Promise<T> {
    const res = await fetch(`${this.baseUrl}/api/${route}`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`GET /api/${route}: HTTP ${res.status} ${await res.text()}`);
    return schema.parse(await res.json());
  }

  async hosts(): Promise<Map<string, ApiHost>> {
    return new Map((await this.get('hosts', z.array(hostSchema))).map((h) => [h.name, h]));
  }

  alerts(): Promise<ApiAlert[]> {
    return this.get('alerts', z.array(alertSchema));
  }

  rings(): Promise<ApiRings> {
    return this.get('rings', ringsSchema);
  }

  /** Per discovertype, how the host's last result was used; null while the CMA knows no such host. */
  async discovery(host: string): Promise<ApiDiscoveryStatus[] | null> {
    const route = `hosts/${encodeURIComponent(host)}/discovery`;
    const res = await fetch(`${this.baseUrl}/api/${route}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET /api/${route}: HTTP ${res.status} ${await res.text()}`);
    return discoveryStatusSchema.parse(await res.json()).results;
  }
}

/** Open alerts named `alertname` (HostDown, SegmentDown, SwitchDown). */
export function firing(alerts: ApiAlert[], alertname: string): ApiAlert[] {
  return alerts.filter((a) => a.labels.alertname === alertname && !a.resolved);
}

/** Members of a ring by name, sorted; [] when there is no such ring. */
export function ringMembers(rings: ApiRings, name: string): string[] {
  return (rings.rings.find((r) => r.name === name)?.members ?? []).map((m) => m.host).sort();
}

/** Hosts (sorted) whose status is `status`. */
export function withStatus(hosts: Map<string, ApiHost>, status: string): string[] {
  return [...hosts.values()].filter((h) => h.status === status).map((h) => h.name).sort();
}

/** Each host's heartbeat partners by key id, as the CMA's rings say: its neighbours on every ring. */
export function partnersByKey(rings: ApiRings): Map<string, string[]> {
  const partners = new Map<string, Set<string>>();
  const add = (a: string, b: string): void => {
    if (a === b) return;
    const set = partners.get(a) ?? new Set<string>();
    set.add(b);
    partners.set(a, set);
  };
  for (const ring of rings.rings) {
    const keyOf = new Map(ring.members.map((m) => [m.host, m.keyid]));
    for (const m of ring.members) {
      const next = keyOf.get(m.next);
      if (next === undefined) continue;
      add(m.keyid, next);
      add(next, m.keyid);
    }
  }
  return new Map([...partners].map(([k, v]) => [k, [...v].sort()]));
}
