import { loopbackFleet, NanoprobeFleet } from '../../cli/demo/nanoprobe-fleet';
import { describeWithNeo4j } from '../support/neo4j';
import { waitFor } from '../support/wait-for';
import { LoopbackCma } from './loopback-cma';

type ApiHost = { name: string; status: string; reason: string | null };
type ApiAlert = { labels: Record<string, string>; annotations: Record<string, string>; resolved: boolean };
type ApiRings = { rings: Array<{ name: string; kind: string; size: number; members: Array<{ host: string; next: string }> }>; audit: unknown[] };

/**
 * The CMA and real nanoprobe processes on loopback: 8 hosts in two subnets (127.1/16 and 127.2/16).
 * The CMA has its own Neo4j (see loopback-cma.ts).
 */
describeWithNeo4j('membership: real nanoprobes join, die, leave, and survive a CMA restart', () => {
  const loopback = new LoopbackCma('unimatrix-membership-');
  let fleet: NanoprobeFleet;
  const members = loopbackFleet(8, 2);
  const segment1 = members.filter((m) => m.ip.startsWith('127.1.')).map((m) => m.hostname);
  const segment2 = members.filter((m) => m.ip.startsWith('127.2.')).map((m) => m.hostname);
  const api = async <T>(route: string): Promise<T> => (await fetch(`${loopback.cma.apiUrl}/api/${route}`)).json() as Promise<T>;
  const hosts = async (): Promise<Map<string, ApiHost>> => new Map((await api<ApiHost[]>('hosts')).map((h) => [h.name, h]));
  const alerts = (): Promise<ApiAlert[]> => api<ApiAlert[]>('alerts');
  const rings = (): Promise<ApiRings> => api<ApiRings>('rings');
  const globalSize = (r: ApiRings): number => r.rings.find((x) => x.name === 'global')?.size ?? 0;

  beforeAll(async () => {
    await loopback.start();
    fleet = new NanoprobeFleet(loopback.address, loopback.path('nanoprobes'));
  }, 180_000);

  afterAll(async () => {
    await fleet?.stopAll();
    await loopback.close();
  });

  test('eight nanoprobes join and are placed on a global ring and one ring per subnet', async () => {
    for (const m of members) fleet.start(m);
    const joined = await waitFor(hosts, (h) => members.every((m) => h.get(m.hostname)?.status === 'up'), 60_000);
    expect([...joined.values()].filter((h) => h.status === 'up').map((h) => h.name).sort()).toEqual(members.map((m) => m.hostname).sort());

    const r = await waitFor(rings, (x) => globalSize(x) === 8, 30_000);
    expect(r.audit).toEqual([]);
    expect(globalSize(r)).toBe(8);
    const subnetRings = r.rings.filter((x) => x.kind === 'subnet').map((x) => [x.name, x.size]);
    expect(subnetRings.sort()).toEqual([
      ['subnet:127.1.0.0/16', 4],
      ['subnet:127.2.0.0/16', 4],
    ]);
  }, 120_000);

  test('GET /api/hosts/<name> shows one host with its rings and partners, as /api/rings has them', async () => {
    const name = segment2[0]!;
    const detail = await api<{ name: string; status: string; rings: string[]; partners: Array<{ host: string; address: string; rings: string[] }>; discovery: string }>(`hosts/${name}`);
    expect(detail).toMatchObject({ name, status: 'up', discovery: `/api/hosts/${name}/discovery` });
    expect([...detail.rings].sort()).toEqual(['global', 'subnet:127.2.0.0/16']);
    // Its partners are exactly its neighbours on the rings the API lists.
    const r = await rings();
    const neighbours = new Set<string>();
    for (const ring of r.rings.filter((x) => detail.rings.includes(x.name))) {
      const order = ring.members.map((m) => m.host);
      const i = order.indexOf(name);
      neighbours.add(order[(i + 1) % order.length]!);
      neighbours.add(order[(i - 1 + order.length) % order.length]!);
    }
    expect(detail.partners.map((p) => p.host).sort()).toEqual([...neighbours].sort());
    expect(detail.partners.length).toBeLessThanOrEqual(4);
    for (const p of detail.partners) expect(p.address).toMatch(/^127\.[12]\.\d+\.\d+:\d+$/);

    const missing = await fetch(`${loopback.cma.apiUrl}/api/hosts/no-such-host`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'UNI_API_NO_SUCH_HOST', message: 'no host named "no-such-host"' });
  }, 30_000);

  test('GET /api/metrics is Prometheus text with the fleet and the CMA counters', async () => {
    const response = await fetch(`${loopback.cma.apiUrl}/api/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const sample = (line: string): number => {
      const found = text.split('\n').find((l) => l.startsWith(`${line} `));
      if (found === undefined) throw new Error(`no sample ${line} in:\n${text}`);
      return Number(found.slice(line.length + 1));
    };
    expect(sample('unimatrix_hosts{status="up"}')).toBe(8);
    expect(sample('unimatrix_hosts{status="down"}')).toBe(0);
    expect(sample('unimatrix_ring_hosts{state="live"}')).toBe(8);
    expect(sample('unimatrix_graph_up')).toBe(1);
    expect(sample('unimatrix_membership_events_total{event="received_ANNOUNCE"}')).toBeGreaterThanOrEqual(8);
    expect(sample('unimatrix_transport_total{counter="signed_received"}')).toBeGreaterThanOrEqual(8);
    expect(text).toMatch(/^# TYPE unimatrix_transport_total counter$/m);
  }, 30_000);

  test('a killed nanoprobe becomes one HostDown alert and the rings close over it', async () => {
    const victim = segment1[0]!;
    await fleet.kill(victim, 'SIGKILL');
    const seen = await waitFor(alerts, (a) => a.some((x) => x.labels.alertname === 'HostDown' && x.labels.host === victim && !x.resolved), 30_000);
    const mine = seen.filter((x) => x.labels.alertname === 'HostDown' && x.labels.host === victim);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.annotations.evidence).toMatch(/confirmedBy/);
    expect((await hosts()).get(victim)?.status).toBe('down');

    const r = await waitFor(rings, (x) => globalSize(x) === 7, 10_000);
    expect(r.audit).toEqual([]);
    expect(r.rings.flatMap((x) => x.members).some((m) => m.host === victim)).toBe(false);
    // Nobody else was declared dead.
    expect(seen.filter((x) => x.labels.alertname === 'HostDown' && !x.resolved).map((x) => x.labels.host)).toEqual([victim]);
    const metrics = await (await fetch(`${loopback.cma.apiUrl}/api/metrics`)).text();
    expect(metrics).toMatch(/^unimatrix_alerts_firing\{alertname="HostDown"\} 1$/m);
    expect(metrics).toMatch(/^unimatrix_hosts\{status="down"\} 1$/m);
  }, 60_000);

  test('the dead host comes back: its alert is resolved and it rejoins the rings', async () => {
    const victim = segment1[0]!;
    fleet.start(members.find((m) => m.hostname === victim)!);
    const after = await waitFor(alerts, (a) => a.some((x) => x.labels.host === victim && x.resolved), 30_000);
    expect(after.filter((x) => x.labels.host === victim).every((x) => x.resolved)).toBe(true);
    expect((await hosts()).get(victim)?.status).toBe('up');
    const r = await waitFor(rings, (x) => globalSize(x) === 8, 10_000);
    expect(r.audit).toEqual([]);
  }, 60_000);

  test('SIGTERM makes a graceful leave: exit 0 once the CMA acknowledged it, status left, no alert', async () => {
    const leaver = segment1[1]!;
    const exit = await fleet.kill(leaver, 'SIGTERM');
    expect(exit.code).toBe(0);
    const h = await waitFor(hosts, (x) => x.get(leaver)?.status === 'left', 10_000);
    expect(h.get(leaver)?.status).toBe('left');
    // Longer than the dead time: a leave must never turn into a death.
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await alerts()).some((a) => a.labels.host === leaver)).toBe(false);
    expect(globalSize(await rings())).toBe(7);
  }, 60_000);

  test('a whole subnet dying is one SegmentDown alert naming its hosts, and the other subnet sees no death', async () => {
    await Promise.all(segment2.map((h) => fleet.kill(h, 'SIGKILL')));
    const seen = await waitFor(alerts, (a) => a.some((x) => x.labels.alertname === 'SegmentDown' && !x.resolved), 40_000);
    const segmentAlerts = seen.filter((x) => x.labels.alertname === 'SegmentDown' && !x.resolved);
    expect(segmentAlerts).toHaveLength(1);
    expect(segmentAlerts[0]!.labels.segment).toBe('127.2.0.0/16');
    expect(segmentAlerts[0]!.annotations.hosts!.split(', ').sort()).toEqual([...segment2].sort());
    // One root cause, not N host alerts; and no false death in the other subnet.
    expect(seen.filter((x) => x.labels.alertname === 'HostDown' && !x.resolved)).toEqual([]);
    const h = await hosts();
    for (const name of segment2) expect(h.get(name)?.status).toBe('down');
    for (const name of segment1.filter((n) => n !== segment1[1])) expect(h.get(name)?.status).toBe('up');
    expect((await rings()).audit).toEqual([]);
  }, 90_000);

  test('a restarted CMA rebuilds its rings from the graph and every live nanoprobe re-joins', async () => {
    const live = segment1.filter((n) => n !== segment1[1]);
    await loopback.stop();
    const cma = await loopback.start();
    const restored = await rings();
    expect(globalSize(restored)).toBe(live.length);
    expect(restored.audit).toEqual([]);
    // The probe from the CMA's new session makes each nanoprobe announce again.
    await waitFor(() => cma.membership.counts(), (c) => (c.received_ANNOUNCE ?? 0) >= live.length, 30_000);
    expect(cma.membership.counts().received_ANNOUNCE ?? 0).toBeGreaterThanOrEqual(live.length);
    const after = await rings();
    expect(after.audit).toEqual([]);
    expect(after.rings.find((x) => x.name === 'global')?.members.map((m) => m.host).sort()).toEqual([...live].sort());
    // Still no false death after the restart.
    await new Promise((r) => setTimeout(r, 6_000));
    const h = await hosts();
    for (const name of live) expect(h.get(name)?.status).toBe('up');
  }, 90_000);
});
