/**
 * Each named query in cypher/ answered against a small fleet that the real plugins wrote into the
 * real Neo4j, and checked row by row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GraphStore } from '../../cma/graph/graph-store';
import { QueryCatalog } from '../../cma/queries/query-catalog';
import { runNamedQuery, type QueryAnswer } from '../../cma/queries/query-runner';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { migratedTestStore } from '../discovery/migrated-store';
import { removeTestHosts } from '../discovery/remove-test-hosts';
import { buildSmallFleet, type SmallFleet } from './small-fleet';

describeWithNeo4j('named queries against a small fleet', () => {
  let store: GraphStore;
  let fleet: SmallFleet;
  const catalog = new QueryCatalog();
  const prefix = uniquePrefix('queries');

  async function ask(name: string, params: Record<string, unknown>): Promise<QueryAnswer> {
    const query = catalog.get(name);
    if (!query) throw new Error(`no query ${name}`);
    const outcome = await runNamedQuery(store, query, params);
    if (!outcome.ok) throw new Error(`${name}: ${outcome.parameter}: ${outcome.message}`);
    return outcome.answer;
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    fleet = await buildSmallFleet(store, prefix);
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  test('host-inventory: the hosts with their facts and counts', async () => {
    const { rows, parameters } = await ask('host-inventory', { prefix });
    expect(parameters).toEqual({ prefix, status: null, limit: 1000 });
    expect(rows.map((r) => r.host)).toEqual([fleet.app, fleet.db, fleet.web]);
    expect(rows[2]).toMatchObject({
      host: fleet.web,
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      architecture: 'x86_64',
      addresses: [fleet.ip.web, fleet.webIpv6].sort(),
      nics: 1,
      services: 2,
      processes: 3,
      packages: 2,
    });
    expect(rows[0]).toMatchObject({ host: fleet.app, services: 0, processes: 1, packages: 0, os: null });
    expect((await ask('host-inventory', { prefix, limit: 1 })).rows.map((r) => r.host)).toEqual([fleet.app]);
  });

  test('address-owner: by IPv4, by IPv6 written any way, by MAC in any case and separator', async () => {
    const byIp = await ask('address-owner', { address: fleet.ip.web });
    expect(byIp.rows).toEqual([
      { host: fleet.web, status: null, nic: 'eth0', mac: fleet.mac.web, matched_by: 'ip', nic_addresses: [fleet.ip.web, fleet.webIpv6].sort() },
    ]);
    const byIpv6 = await ask('address-owner', { address: fleet.webIpv6Long.toUpperCase() });
    expect(byIpv6.parameters.address).toBe(fleet.webIpv6);
    expect(byIpv6.rows.map((r) => [r.host, r.matched_by])).toEqual([[fleet.web, 'ip']]);
    const byMac = await ask('address-owner', { address: fleet.mac.web.toUpperCase().replaceAll(':', '-') });
    expect(byMac.rows.map((r) => [r.host, r.nic, r.matched_by])).toEqual([[fleet.web, 'eth0', 'mac']]);
    expect((await ask('address-owner', { address: '100.63.255.254' })).rows).toEqual([]);
  });

  test('host-services: what listens on a host, who owns it, which hosts use it', async () => {
    const { rows } = await ask('host-services', { host: fleet.web });
    expect(rows).toEqual([
      { ip: '0.0.0.0', port: 80, wildcard: true, processes: ['nginx'], users: ['root', 'www-data'], client_processes: 1, client_hosts: [fleet.app] },
      { ip: '127.0.0.1', port: 6379, wildcard: false, processes: ['redis-server'], users: ['redis'], client_processes: 0, client_hosts: [] },
    ]);
  });

  test('port-listeners: the hosts listening on a port', async () => {
    expect((await ask('port-listeners', { port: 5432, prefix })).rows).toEqual([{ host: fleet.db, ip: '0.0.0.0', wildcard: true, processes: ['postgres'] }]);
    expect((await ask('port-listeners', { port: '6379', prefix })).rows.map((r) => r.host)).toEqual([fleet.web]);
    expect((await ask('port-listeners', { port: 443, prefix })).rows).toEqual([]);
  });

  test('host-dependents: the clients of a host, and theirs with depth', async () => {
    expect((await ask('host-dependents', { host: fleet.db })).rows).toEqual([
      { host: fleet.web, distance: 1, depends_on: [fleet.db], ports: [5432], programs: ['nginx'] },
    ]);
    expect((await ask('host-dependents', { host: fleet.db, depth: 2 })).rows).toEqual([
      { host: fleet.web, distance: 1, depends_on: [fleet.db], ports: [5432], programs: ['nginx'] },
      { host: fleet.app, distance: 2, depends_on: [fleet.web], ports: [80], programs: ['curl'] },
    ]);
    expect((await ask('host-dependents', { host: fleet.web, depth: 4 })).rows.map((r) => r.host)).toEqual([fleet.app]);
    expect((await ask('host-dependents', { host: fleet.app })).rows).toEqual([]);
  });

  test('switch-hosts: the hosts wired to a switch, by name or chassis id', async () => {
    const { front, back } = fleet.switches;
    const byName = await ask('switch-hosts', { switch: front.name });
    expect(byName.rows.map((r) => [r.switch, r.chassis_id, r.port, r.host, r.nic])).toEqual([
      [front.name, front.chassis, 'p1', fleet.web, 'eth0'],
      [front.name, front.chassis, 'p2', fleet.app, 'eth0'],
    ]);
    expect(byName.rows[0]?.addresses).toEqual([fleet.ip.web, fleet.webIpv6].sort());
    expect((await ask('switch-hosts', { switch: back.chassis })).rows.map((r) => r.host)).toEqual([fleet.db]);
    expect((await ask('switch-hosts', { switch: 'no-such-switch' })).rows).toEqual([]);
  });

  test('unmonitored-services: every listening service (no MonitorAction yet), loopback ones optional', async () => {
    const all = await ask('unmonitored-services', { prefix });
    expect(all.rows.map((r) => [r.host, r.ip, r.port, r.processes])).toEqual([
      [fleet.db, '0.0.0.0', 5432, ['postgres']],
      [fleet.web, '0.0.0.0', 80, ['nginx']],
      [fleet.web, '127.0.0.1', 6379, ['redis-server']],
    ]);
    const external = await ask('unmonitored-services', { prefix, include_loopback: 'false' });
    expect(external.rows.map((r) => r.port)).toEqual([5432, 80]);
  });

  test('discovery-errors and package-hosts', async () => {
    expect((await ask('discovery-errors', { prefix })).rows).toEqual([
      { host: fleet.app, discovery: 'sshd', code: 'nonzero_exit', message: 'exit status 255', exit_code: 255, failed_at: expect.any(Number) },
    ]);
    expect((await ask('package-hosts', { name: fleet.library, prefix })).rows).toEqual([
      { host: fleet.db, manager: 'dpkg', version: '2.0', arch: 'amd64' },
      { host: fleet.web, manager: 'dpkg', version: '1.0', arch: 'amd64' },
    ]);
    expect((await ask('package-hosts', { name: fleet.library, version: '1.0' })).rows.map((r) => r.host)).toEqual([fleet.web]);
  });

  test('queries run in read transactions: a query that writes is refused by the database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-queries-'));
    try {
      writeFileSync(path.join(dir, 'sneaky.cypher'), '// Tries to write.\n// @param key: string\nCREATE (h:Host {key: $key}) RETURN h.key AS key\n');
      const sneaky = new QueryCatalog([dir]).get('sneaky');
      expect(sneaky).toBeDefined();
      const key = `${prefix}sneaky`;
      await expect(runNamedQuery(store, sneaky!, { key })).rejects.toThrow(/read|access mode|not allowed/i);
      const rows = await store.read<{ n: { toNumber(): number } }>('MATCH (h:Host {key: $key}) RETURN count(h) AS n', { key });
      expect(rows[0]?.n.toNumber()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('answers past the row cap are cut and flagged', async () => {
    const outcome = await runNamedQuery(store, catalog.get('host-inventory')!, { prefix }, { timeoutMs: 10_000, maxRows: 2 });
    expect(outcome.ok && outcome.answer.rowCount).toBe(2);
    expect(outcome.ok && outcome.answer.truncated).toBe(true);
  });
});
