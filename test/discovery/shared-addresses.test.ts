/**
 * Addresses that many hosts hold at once (docker0's 172.17.0.1, libvirt's 192.168.122.1, VirtualBox
 * NAT's 10.0.2.15) against the real Neo4j: a connection to an address the client's own host holds
 * stays on that host, so two hosts with a docker bridge do not depend on each other through it, in
 * every order of arrival of their results; and when the client's host gains or loses the address,
 * its connections follow.
 */
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService } from '../../cma/discovery/ingest-service';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { connectsOf, netconfigNics, permutations, tcp, type Nic } from './connection-docs';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { okResult } from './wire-results';

const DOCKER0 = '172.17.0.1';

describeWithNeo4j('addresses that many hosts share', () => {
  let store: GraphStore;
  let ingest: DiscoveryIngestService;
  const prefix = uniquePrefix('shared-addr');
  const net = `198.18.${Math.floor(Math.random() * 250) + 1}`;
  let t = 2_200_000_000_000;
  const clock = () => (t += 1000);

  async function send(host: string, document: unknown): Promise<void> {
    const report = await ingest.ingest(host, okResult(document));
    expect({ host, status: report.status }).toEqual({ host, status: 'derived' });
  }

  /**
   * Hosts A and B, each with its own address on eth0 and 172.17.0.1 on docker0, each running a
   * database on 0.0.0.0:5432. On A, psql dials 172.17.0.1:5432 (its own database); on B, one psql
   * dials 172.17.0.1:5432 (B's own) and another dials A's eth0 address (a real dependency on A).
   */
  function scenario(name: string, octet: number) {
    const a = `${prefix}${name}-a`;
    const b = `${prefix}${name}-b`;
    const ipA = `${net}.${octet}`;
    const ipB = `${net}.${octet + 1}`;
    const nics = (ip: string, docker = true): Nic[] => [{ name: 'eth0', addresses: [ip] }, ...(docker ? [{ name: 'docker0', addresses: [DOCKER0] }] : [])];
    const postgres = { ip: '0.0.0.0', port: 5432, pid: 800, comm: 'postgres' };
    const results = {
      aNetconfig: { host: a, doc: netconfigNics(a, nics(ipA)) },
      aTcp: { host: a, doc: tcp(a, [postgres], [{ ip: DOCKER0, port: 5432, pid: 4000, comm: 'psql' }]) },
      bNetconfig: { host: b, doc: netconfigNics(b, nics(ipB)) },
      bTcp: {
        host: b,
        doc: tcp(b, [postgres], [
          { ip: DOCKER0, port: 5432, pid: 4100, comm: 'psql-local' },
          { ip: ipA, port: 5432, pid: 4200, comm: 'psql-remote' },
        ]),
      },
    };
    const plain = (lines: string[]) => lines.map((l) => l.replaceAll(a, 'A').replaceAll(b, 'B'));
    return { a, b, ipA, nics, results, plain, prefix: `${prefix}${name}-` };
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    ingest = new DiscoveryIngestService({ store, clock });
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    await store.close();
  });

  const orders = permutations(['aNetconfig', 'aTcp', 'bNetconfig', 'bTcp'] as const);

  test.each(orders.map((order, i) => [order.join(' → '), order, i] as const))(
    '%s: each host reaches its own database through 172.17.0.1, and only B depends on A',
    async (_name, order, i) => {
      const s = scenario(`order${i}`, 10 + 2 * i);
      for (const step of order) await send(s.results[step].host, s.results[step].doc);
      expect(s.plain(await connectsOf(store, [s.a, s.b]))).toEqual([
        'A psql -> A/0.0.0.0:5432',
        'B psql-local -> B/0.0.0.0:5432',
        'B psql-remote -> A/0.0.0.0:5432',
      ]);
      // Hosts of other tests hold 172.17.0.1 too: each test starts without them.
      await removeTestHosts(store, s.prefix);
    },
  );

  test('a link the previous netconfig plugin left through a shared address goes when the result is derived again', async () => {
    const s = scenario('upgrade', 120);
    for (const step of ['aNetconfig', 'bNetconfig', 'bTcp', 'aTcp'] as const) await send(s.results[step].host, s.results[step].doc);
    // As version 1 could leave it: A's psql linked to B's database through 172.17.0.1, and A's
    // netconfig result stored without a plugin version.
    await store.write(
      `MATCH (:Host {key: $a})-[:RUNS]->(p:Process {name: 'psql'}), (s:TCPService {key: $service})
       MERGE (p)-[r:CONNECTS_TO]->(s) SET r.firstseen = 1, r.lastupdated = 1
       WITH count(*) AS linked
       MATCH (d:DiscoveryResult {key: $result}) REMOVE d.plugin_version`,
      { a: s.a, service: `${s.b}/0.0.0.0:5432`, result: `${s.a}/netconfig` },
    );
    const fromA = async () => s.plain(await connectsOf(store, [s.a])).filter((l) => l.startsWith('A '));
    expect(await fromA()).toEqual(['A psql -> A/0.0.0.0:5432', 'A psql -> B/0.0.0.0:5432']);

    const wire = okResult(s.results.aNetconfig.doc);
    expect((await ingest.ingest(s.a, wire)).status).toBe('derived');
    expect(await fromA()).toEqual(['A psql -> A/0.0.0.0:5432']);
    expect((await ingest.ingest(s.a, wire)).status).toBe('unchanged');
    await removeTestHosts(store, s.prefix);
  });

  test("when the client's host gains or loses the shared address, its connections follow", async () => {
    const s = scenario('moves', 100);
    await send(s.a, netconfigNics(s.a, s.nics(s.ipA, false)));
    await send(s.b, s.results.bNetconfig.doc);
    await send(s.b, tcp(s.b, [{ ip: '0.0.0.0', port: 5432, pid: 800, comm: 'postgres' }], []));
    await send(s.a, s.results.aTcp.doc);
    // A has no docker bridge: 172.17.0.1 is somewhere else, and B is the one host known to hold it.
    expect(s.plain(await connectsOf(store, [s.a]))).toEqual(['A psql -> B/0.0.0.0:5432']);

    await send(s.a, netconfigNics(s.a, s.nics(s.ipA)));
    expect(s.plain(await connectsOf(store, [s.a]))).toEqual(['A psql -> A/0.0.0.0:5432']);

    // Losing it again: the dial leaves A, to B. The link to A's own database stays until A's next
    // tcp write (links within one host are its tcp result's: a loopback dial leaves no record that
    // the netconfig result could check).
    await send(s.a, netconfigNics(s.a, s.nics(s.ipA, false)));
    expect(s.plain(await connectsOf(store, [s.a]))).toEqual(['A psql -> A/0.0.0.0:5432', 'A psql -> B/0.0.0.0:5432']);
    await send(s.a, tcp(s.a, [{ ip: '0.0.0.0', port: 5432, pid: 800, comm: 'postgres' }, { ip: '0.0.0.0', port: 22, pid: 700, comm: 'sshd' }], [
      { ip: DOCKER0, port: 5432, pid: 4000, comm: 'psql' },
    ]));
    expect(s.plain(await connectsOf(store, [s.a]))).toEqual(['A psql -> B/0.0.0.0:5432']);
    await removeTestHosts(store, s.prefix);
  });
});
