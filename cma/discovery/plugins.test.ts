import neo4j from 'neo4j-driver';
import { checkPlanConventions, rowsOf } from '../../test/discovery/plan-checks';
import {
  lldpWeb1,
  netconfigWeb1,
  NOW,
  osWeb1,
  packagesWeb1,
  processesWeb1,
  tcpApp1,
  tcpWeb1,
} from '../../test/discovery/fixtures/sample-results';
import { failurePlan } from './raw-result';
import { BUILTIN_PLUGINS, planIngest, PluginRegistry } from './registry';

const web1 = { host: 'web1', now: NOW };
const intOf = (v: unknown): number => {
  if (!neo4j.isInt(v)) throw new Error(`not a neo4j integer: ${String(v)}`);
  return v.toNumber();
};
const props = (row: Record<string, unknown> | undefined) => (row?.props ?? {}) as Record<string, unknown>;

describe('ingest plans', () => {
  test.each([
    ['netconfig', netconfigWeb1],
    ['tcp', tcpWeb1],
    ['processes', processesWeb1],
    ['packages', packagesWeb1],
    ['lldp', lldpWeb1],
    ['os', osWeb1],
  ])('%s: derived, follows the graph conventions, and is a pure function of its input', (_type, doc) => {
    const result = planIngest({ document: doc }, web1);
    expect(result.outcome).toBe('derived');
    expect(result.problem).toBeNull();
    expect(result.plan.length).toBeGreaterThan(1);
    checkPlanConventions(result.plan, NOW);
    expect(planIngest({ document: structuredClone(doc) }, web1)).toEqual(result);
  });

  test('every plan starts by keeping the raw JSON and upserting the host', () => {
    const { plan, hash } = planIngest({ document: netconfigWeb1 }, web1);
    const raw = plan[0];
    expect(raw?.cypher).toContain('MERGE (h:Host {key: row.host})');
    expect(raw?.cypher).toContain('MERGE (d:DiscoveryResult {key: row.key})');
    const row = raw?.rows[0] as Record<string, unknown>;
    expect(row.key).toBe('web1/netconfig');
    expect(row.host).toBe('web1');
    expect(JSON.parse(row.json as string)).toEqual(netconfigWeb1);
    expect(row.truncated).toBe(false);
    expect(row.hash).toBe(hash);
    expect(intOf(row.json_chars)).toBe(JSON.stringify(netconfigWeb1).length);
  });

  test('the content hash ignores key order', () => {
    const reordered = { data: netconfigWeb1.data, source: netconfigWeb1.source, host: 'web1', description: netconfigWeb1.description, discovertype: 'netconfig' };
    expect(planIngest({ document: reordered }, web1).hash).toBe(planIngest({ document: netconfigWeb1 }, web1).hash);
  });

  test('netconfig: NICs by host|name, addresses canonical and without loopback, subnets by CIDR, integers as integers', () => {
    const { plan } = planIngest({ document: netconfigWeb1 }, web1);
    const nics = rowsOf(plan, 'MERGE (n:NIC {key: row.key})');
    expect(nics.map((r) => r.key)).toEqual(['web1/eth0', 'web1/lo']);
    const eth0 = props(nics[0]);
    expect(eth0.mac).toBe('02:fc:00:00:00:01');
    expect(intOf(eth0.mtu)).toBe(1400);
    expect(intOf(eth0.speed_mbps)).toBe(10000);
    expect(props(nics[1]).speed_mbps).toBeNull();

    const addresses = rowsOf(plan, 'MERGE (ip:IPAddress {key: row.address})');
    expect(addresses.map((a) => a.address).sort()).toEqual(['192.0.2.2', 'fd00::2', 'fe80::fc:ff:fe00:1']);
    expect(addresses.every((a) => a.nic === 'web1/eth0')).toBe(true);
    const subnets = rowsOf(plan, 'MERGE (s:Subnet {key: row.cidr})');
    expect(subnets.map((s) => s.cidr).sort()).toEqual(['192.0.2.0/24', 'fd00::/64']);
    expect(intOf(subnets.find((s) => s.cidr === '192.0.2.0/24')?.prefixlen)).toBe(24);

    const hostProps = props(rowsOf(plan, 'SET h += row.props')[0]);
    expect(hostProps.default_gateways).toEqual(['192.0.2.1', 'fd00::1']);
  });

  test('netconfig: cleanup removes only what this write did not refresh, bounded', () => {
    const { plan } = planIngest({ document: netconfigWeb1 }, { ...web1, cleanupLimit: 500 });
    const cleanups = plan.filter((s) => s.cypher.includes('lastupdated < $now'));
    expect(cleanups.length).toBeGreaterThanOrEqual(2);
    for (const c of cleanups) {
      expect(c.rows).toEqual([{ host: 'web1' }]);
      expect(intOf(c.params?.limit)).toBe(500);
    }
    // Deletion comes after all upserts in the plan, so nothing just written is stale; only links
    // between processes and services, which need the addresses as they are now, are made after it.
    const firstCleanup = plan.findIndex((s) => s.cypher.includes('lastupdated < $now'));
    const after = plan.slice(firstCleanup).filter((s) => !s.cypher.includes('lastupdated < $now'));
    expect(after.map((s) => s.cypher.match(/MERGE [^\n]*/g))).toEqual([['MERGE (p)-[r:CONNECTS_TO]->(s)']]);
  });

  test('tcp: services by host|ip|port, their owners, and client connections to resolve', () => {
    const { plan } = planIngest({ document: tcpWeb1 }, web1);
    const services = rowsOf(plan, 'MERGE (n:TCPService {key: row.key})');
    expect(services.map((s) => s.key)).toEqual(['web1/0.0.0.0:80', 'web1/127.0.0.1:5432']);
    expect(intOf(props(services[0]).port)).toBe(80);
    expect(props(services[0]).wildcard).toBe(true);
    const owners = rowsOf(plan, 'MERGE (p:Process {key: row.key})');
    expect(owners.map((o) => o.key)).toEqual(['web1/700/5000', 'web1/701/5003', 'web1/800/4000']);
    const listens = rowsOf(plan, 'MERGE (p)-[r:LISTENS_ON]->(s)');
    expect(listens.map((l) => `${String(l.process)} ${String(l.service)}`)).toEqual([
      'web1/700/5000 web1/0.0.0.0:80',
      'web1/701/5003 web1/0.0.0.0:80',
      'web1/800/4000 web1/127.0.0.1:5432',
    ]);
    // The loopback connection resolves to this host's own service and is recorded as no endpoint.
    const dials = rowsOf(plan, 'MERGE (p)-[d:DIALS]->(e)');
    expect(dials).toHaveLength(1);
    expect(dials[0]).toMatchObject({ process: 'web1/701/5003', ip: '127.0.0.1', loopback: true, endpoint: null });
    expect(intOf(dials[0]?.port)).toBe(5432);
    // As a server, its services are offered to other hosts' dials: wildcard and specific alike.
    const resolving = 'MATCH (s:TCPService {key: row.key})<-[:HAS_SERVICE]-';
    const offered = rowsOf(plan, resolving);
    expect(offered.map((s) => [s.key, s.ip, intOf(s.port)])).toEqual([
      ['web1/0.0.0.0:80', '0.0.0.0', 80],
      ['web1/127.0.0.1:5432', '127.0.0.1', 5432],
    ]);
    // ...after the cleanup, so that only current dials and services are linked.
    const resolveAt = plan.findIndex((s) => s.cypher.includes(resolving));
    const cleanupAt = plan.findIndex((s) => s.cypher.includes('DELETE d'));
    expect(cleanupAt).toBeGreaterThan(0);
    expect(resolveAt).toBeGreaterThan(cleanupAt);
  });

  test('tcp: an IPv4-mapped remote address is the same IPv4 endpoint (one row), recorded as ip:port', () => {
    const { plan } = planIngest({ document: tcpApp1 }, { host: 'app1', now: NOW });
    const dials = rowsOf(plan, 'MERGE (p)-[d:DIALS]->(e)');
    expect(dials).toHaveLength(1);
    expect(dials[0]).toMatchObject({ process: 'app1/4242/9000', ip: '192.0.2.2', loopback: false, endpoint: '192.0.2.2:80', family: 'inet' });
  });

  test('tcp: an IPv6 endpoint is written with brackets, and the result is derived again after a plugin upgrade', () => {
    const v6 = { ...tcpApp1, data: { ...tcpApp1.data, outbound: [{ pid: 1, starttime: 2, comm: 'psql', remote_ip: '2001:DB8::7', remote_port: 5432 }] } };
    const { plan } = planIngest({ document: v6 }, { host: 'app1', now: NOW });
    expect(rowsOf(plan, 'MERGE (p)-[d:DIALS]->(e)')[0]).toMatchObject({ ip: '2001:db8::7', endpoint: '[2001:db8::7]:5432', family: 'inet6' });
    const raw = plan[0]?.rows[0] as Record<string, unknown>;
    expect(intOf(raw.plugin_version)).toBe(2);
    expect(intOf((planIngest({ document: netconfigWeb1 }, web1).plan[0]?.rows[0] as Record<string, unknown>).plugin_version)).toBe(2);
  });

  test('netconfig: completes other hosts\' dials to its addresses, and drops links through addresses it lost', () => {
    const { plan } = planIngest({ document: netconfigWeb1 }, web1);
    const resolveAt = plan.findIndex((s) => s.cypher.includes('WHERE a.lastupdated = $now'));
    const pruneAt = plan.flatMap((s, i) => (s.cypher.includes('DELETE c') ? [i] : []));
    const ownDialsAt = plan.findIndex((s) => s.cypher.includes('MATCH (h:Host {key: row.host})-[:RUNS]->(p:Process)-[:DIALS]->(e:TCPEndpoint)'));
    const addressCleanupAt = plan.findIndex((s) => s.cypher.includes('DELETE r'));
    // Resolution reads only addresses this write refreshed; the prunes (links into its services,
    // links out of its processes) and the resolution of its own dials run once stale ones are gone.
    expect(plan[resolveAt]?.cypher).toContain('MERGE (p)-[r:CONNECTS_TO]->(s)');
    expect(resolveAt).toBeGreaterThan(0);
    expect(pruneAt).toEqual([plan.length - 3, plan.length - 2]);
    expect(ownDialsAt).toBe(plan.length - 1);
    expect(addressCleanupAt).toBeLessThan(plan.length - 3);
    for (const i of [...pruneAt, ownDialsAt]) expect(plan[i]?.rows).toEqual([{ host: 'web1' }]);
  });

  test('processes: keyed host|pid|starttime, argv kept as a list', () => {
    const { plan } = planIngest({ document: processesWeb1 }, web1);
    const rows = rowsOf(plan, 'MERGE (n:Process {key: row.key})');
    expect(rows.map((r) => r.key)).toEqual(['web1/700/5000', 'web1/701/5003']);
    expect(props(rows[1]).user).toBe('www-data');
    expect(props(rows[1]).argv).toEqual(['nginx: worker process']);
    expect(intOf(props(rows[1]).ppid)).toBe(700);
    expect(intOf(props(rows[1]).start_ms)).toBe(1795300277090);
    // A listed process is not ended: null removes a mark an earlier write may have left.
    expect(rows.map((r) => 'ended' in props(r) && props(r).ended === null)).toEqual([true, true]);
  });

  test('packages: one Package per manager|name|version, duplicates folded, arch on the relationship', () => {
    const { plan } = planIngest({ document: packagesWeb1 }, web1);
    const rows = rowsOf(plan, 'MERGE (p:Package {key: row.key})');
    expect(rows.map((r) => r.key)).toEqual(['dpkg:nginx@1.22.1-9', 'dpkg:openssl@3.0.17-1~deb12u2']);
    expect(plan.some((s) => s.cypher.includes('r.arch = row.arch'))).toBe(true);
  });

  test('lldp: Switch by chassis id, SwitchPort by chassis|port, the NIC wired by host|ifname', () => {
    const { plan } = planIngest({ document: lldpWeb1 }, web1);
    const switches = rowsOf(plan, 'MERGE (sw:Switch {key: row.key})');
    expect(switches.map((s) => s.key)).toEqual(['f2:e1:bf:eb:01:0c']);
    expect(props(switches[0]).capabilities).toEqual(['Bridge']);
    expect(props(switches[0]).name).toBe('switch1');
    const ports = rowsOf(plan, 'MERGE (sp:SwitchPort {key: row.key})');
    expect(ports.map((p) => p.key)).toEqual(['f2:e1:bf:eb:01:0c/sw1p3']);
    expect((props(ports[0]).vlans as unknown[]).map(intOf)).toEqual([10]);
    const wires = rowsOf(plan, 'MERGE (n)-[r:WIRED_TO]->(sp)');
    expect(wires).toEqual([expect.objectContaining({ nic: 'web1/eth0', port: 'f2:e1:bf:eb:01:0c/sw1p3' })]);
    expect(props(rowsOf(plan, 'SET h += row.props')[0]).lldp_chassis_id).toBe('5a:bf:68:a4:49:1d');
  });

  test('os: kernel and distribution become Host properties', () => {
    const { plan } = planIngest({ document: osWeb1 }, web1);
    const p = props(rowsOf(plan, 'SET h += row.props')[0]);
    expect(p).toMatchObject({ os_kernel_release: '6.1.0-18-amd64', os_distribution: 'debian', os_distribution_version: '12' });
    expect(intOf(p.os_boot_ms)).toBe(1795300227000);
  });

  test('an empty result still cleans up (everything the host had of that kind goes)', () => {
    const { plan } = planIngest({ document: { ...processesWeb1, data: { processes: [] } } }, web1);
    expect(rowsOf(plan, 'MERGE (n:Process {key: row.key})')).toEqual([]);
    expect(plan.some((s) => s.cypher.includes('DETACH DELETE n') && s.rows.length === 1)).toBe(true);
  });

  test('an unknown discovertype is kept raw, not rejected', () => {
    const doc = { discovertype: 'raid-controllers', description: 'x', host: 'web1', source: 'site-script', data: [{ slot: 1 }] };
    const result = planIngest({ document: doc }, web1);
    expect(result.outcome).toBe('raw_only');
    expect(result.plan).toHaveLength(1);
    expect(result.plan[0]?.rows[0]).toMatchObject({ key: 'web1/raid-controllers', outcome: 'raw_only' });
    checkPlanConventions(result.plan, NOW);
  });

  test('"tool unavailable" is kept raw and leaves the graph alone (no cleanup)', () => {
    const doc = { ...lldpWeb1, data: { socket: null, local_chassis: null, neighbors: [], unavailable: 'lldpcli is not installed' } };
    const result = planIngest({ document: doc }, web1);
    expect(result.outcome).toBe('unavailable');
    expect(result.problem).toBe('lldpcli is not installed');
    expect(result.plan).toHaveLength(1);
    expect(result.plan.some((s) => s.cypher.includes('DELETE'))).toBe(false);
  });

  test('data that does not fit its plugin is recorded as an error: the last good JSON stays, nothing is deleted', () => {
    const bad = structuredClone(netconfigWeb1) as unknown as { data: { nics: Array<Record<string, unknown>> } };
    (bad.data.nics[1] as Record<string, unknown>).mtu = '1400';
    const result = planIngest({ document: bad }, web1);
    expect(result.outcome).toBe('invalid_data');
    expect(result.problem).toMatch(/nics\.1\.mtu/);
    expect(result.plan).toHaveLength(1);
    expect(result.plan[0]?.rows[0]).toMatchObject({ key: 'web1/netconfig', code: 'invalid_data', message: result.problem });
    expect(result.plan[0]?.cypher).not.toMatch(/d\.json\s*=/);
    expect(result.plan.some((s) => /\bDELETE\b/.test(s.cypher))).toBe(false);
    checkPlanConventions(result.plan, NOW);
  });

  test('a document that is not an envelope is recorded as an error for that host and script', () => {
    const result = planIngest({ document: { hello: 'world' }, requestName: 'netconfig' }, web1);
    expect(result.outcome).toBe('invalid_document');
    expect(result.plan).toHaveLength(1);
    expect(result.plan[0]?.rows[0]).toMatchObject({ key: 'web1/netconfig', code: 'wrong_shape' });
    checkPlanConventions(result.plan, NOW);
  });

  test('raw JSON past the cap is kept truncated and flagged', () => {
    const big = { discovertype: 'big', description: '', host: 'web1', source: 's', data: 'x'.repeat(5000) };
    const result = planIngest({ document: big }, web1, undefined, 1000);
    const row = result.plan[0]?.rows[0] as Record<string, unknown>;
    expect((row.json as string).length).toBe(1000);
    expect(row.truncated).toBe(true);
    expect(intOf(row.json_chars)).toBe(JSON.stringify(big).length);
  });

  test('a failed run is recorded with its code, exit status and stderr, keeping the last JSON', () => {
    const plan = failurePlan({ name: 'sshd', code: 'nonzero_exit', message: 'script failed (exit status 3)', exitCode: 3, stderr: 'boom' }, web1);
    checkPlanConventions(plan, NOW);
    expect(plan[0]?.cypher).not.toMatch(/d\.json\s*=/);
    expect(plan[0]?.rows[0]).toMatchObject({ key: 'web1/sshd', code: 'nonzero_exit', stderr: 'boom' });
    expect(intOf(plan[0]?.rows[0]?.exit_code)).toBe(3);
  });

  test('the registry refuses two plugins for one discovertype and lists the built-in ones', () => {
    expect(() => new PluginRegistry([...BUILTIN_PLUGINS, BUILTIN_PLUGINS[0]!])).toThrow(/two ingest plugins/);
    expect(new PluginRegistry().list().map((p) => p.discovertype).sort()).toEqual(
      ['cpu', 'filesystems', 'lldp', 'memory', 'netconfig', 'os', 'packages', 'processes', 'tcp'],
    );
  });
});
