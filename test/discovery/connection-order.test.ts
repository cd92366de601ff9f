/**
 * Dependencies between hosts (Process)-[:CONNECTS_TO]->(TCPService) against the real Neo4j, whatever
 * the order in which the client's tcp, the server's tcp and the server's netconfig results arrive
 * (issue #5): every order ends in the same graph; what later results no longer contain goes; two
 * writes at the same moment do not miss each other; resolution from the server's side is bounded.
 */
import { randomBytes } from 'node:crypto';
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService } from '../../cma/discovery/ingest-service';
import { planIngest } from '../../cma/discovery/registry';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { countOf, netconfig, permutations, processes, tcp, type Dial, type Listener } from './connection-docs';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { okResult } from './wire-results';

describeWithNeo4j('connections between hosts, in every order of arrival', () => {
  let store: GraphStore;
  let ingest: DiscoveryIngestService;
  const prefix = uniquePrefix('connections');
  // Addresses from the benchmarking range and an external port, unique per run: IPAddress and
  // TCPEndpoint nodes are shared by key across hosts.
  const net = `198.18.${Math.floor(Math.random() * 250) + 1}`;
  const net6 = `2001:db8:${(0x1000 + Math.floor(Math.random() * 0xe000)).toString(16)}:`;
  const externalPort = 20_000 + (randomBytes(2).readUInt16BE() % 40_000);
  let t = 2_000_000_000_000;
  const clock = () => (t += 1000);

  /**
   * One client/server pair of its own: hosts, the server's address (IPv4, or IPv6 whose endpoint
   * keys are written `[ip]:port`), and the three results.
   */
  function scenario(name: string, octet: number, family: 'inet' | 'inet6' = 'inet') {
    const db = `${prefix}${name}-db`;
    const app = `${prefix}${name}-app`;
    const ip = family === 'inet' ? `${net}.${octet}` : `${net6}:${octet}`;
    const listening: Listener[] = [
      { ip: family === 'inet' ? '0.0.0.0' : '::', port: 5432, pid: 800, comm: 'postgres' },
      { ip, port: 6379, pid: 900, comm: 'redis-server' },
    ];
    const outbound: Dial[] = [
      { ip, port: 5432, pid: 4000, comm: 'psql' },
      { ip, port: 6379, pid: 4100, comm: 'redis-cli' },
      { ip: '203.0.113.9', port: externalPort, pid: 4200, comm: 'curl' },
    ];
    return {
      db, app, ip, family, listening, outbound,
      results: {
        serverNetconfig: { host: db, doc: netconfig(db, [ip]) },
        serverTcp: { host: db, doc: tcp(db, listening, []) },
        clientTcp: { host: app, doc: tcp(app, [], outbound) },
      },
    };
  }
  type Scenario = ReturnType<typeof scenario>;

  async function send(host: string, document: unknown): Promise<void> {
    const report = await ingest.ingest(host, okResult(document));
    expect({ host, status: report.status }).toEqual({ host, status: 'derived' });
  }

  /** The pair's dependencies and dials, with its own names and address replaced by placeholders. */
  async function snapshot(s: Scenario): Promise<{ connects: string[]; dials: string[] }> {
    const plain = (text: string) => text.replaceAll(s.db, 'DB').replaceAll(s.app, 'APP').replaceAll(s.ip, 'IP');
    const connects = await store.read<{ c: string }>(
      `MATCH (ch:Host)-[:RUNS]->(p:Process)-[:CONNECTS_TO]->(svc:TCPService)<-[:HAS_SERVICE]-(sh:Host)
       WHERE ch.key IN $hosts OR sh.key IN $hosts
       RETURN ch.key + ' ' + p.name + ' -> ' + svc.key AS c`,
      { hosts: [s.db, s.app] },
    );
    const dials = await store.read<{ d: string }>(
      `MATCH (h:Host)-[:RUNS]->(p:Process)-[:DIALS]->(e:TCPEndpoint)
       WHERE h.key IN $hosts
       RETURN h.key + ' ' + p.name + ' dials ' + e.key AS d`,
      { hosts: [s.db, s.app] },
    );
    return { connects: connects.map((r) => plain(r.c)).sort(), dials: dials.map((r) => plain(r.d)).sort() };
  }

  const count = (cypher: string, params: Record<string, unknown>) => countOf(store, cypher, params);

  const EXPECTED = {
    connects: ['APP psql -> DB/0.0.0.0:5432', 'APP redis-cli -> DB/IP:6379'],
    dials: ['APP curl dials 203.0.113.9:EXT', 'APP psql dials IP:5432', 'APP redis-cli dials IP:6379'],
  };
  const EXPECTED_V6 = {
    connects: ['APP psql -> DB/:::5432', 'APP redis-cli -> DB/IP:6379'],
    dials: ['APP curl dials 203.0.113.9:EXT', 'APP psql dials [IP]:5432', 'APP redis-cli dials [IP]:6379'],
  };
  const expected = (family: 'inet' | 'inet6' = 'inet') => {
    const e = family === 'inet' ? EXPECTED : EXPECTED_V6;
    return { connects: e.connects, dials: e.dials.map((d) => d.replace('EXT', String(externalPort))) };
  };

  beforeAll(async () => {
    store = await migratedTestStore();
    ingest = new DiscoveryIngestService({ store, clock });
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    expect(await count('MATCH (e:TCPEndpoint) WHERE e.ip STARTS WITH $net + "." OR e.ip STARTS WITH $net6 RETURN count(e) AS n', { net, net6 })).toBe(0);
    await store.close();
  });

  const orders = permutations(['serverNetconfig', 'serverTcp', 'clientTcp'] as const);

  test.each(orders.map((order, i) => [order.join(' → '), order, i] as const))('%s ends in the same graph', async (_name, order, i) => {
    const s = scenario(`order${i}`, 10 + i);
    for (const step of order) await send(s.results[step].host, s.results[step].doc);
    expect(await snapshot(s)).toEqual(expected());
  });

  test.each(orders.map((order, i) => [order.join(' → '), order, i] as const))('IPv6: %s ends in the same graph', async (_name, order, i) => {
    const s = scenario(`v6order${i}`, 10 + i, 'inet6');
    for (const step of order) await send(s.results[step].host, s.results[step].doc);
    expect(await snapshot(s)).toEqual(expected('inet6'));
  });

  test('what later results no longer contain goes, and what comes back is linked again', async () => {
    const s = scenario('removal', 30);
    for (const step of ['clientTcp', 'serverTcp', 'serverNetconfig'] as const) await send(s.results[step].host, s.results[step].doc);
    expect(await snapshot(s)).toEqual(expected());

    // The server loses its address: no dependency through it any more; the client's dials stay.
    await send(s.db, netconfig(s.db, []));
    expect(await snapshot(s)).toEqual({ connects: [], dials: expected().dials });
    await send(s.db, netconfig(s.db, [s.ip]));
    expect(await snapshot(s)).toEqual(expected());

    // The database stops listening, and starts again (a new process): the client sent nothing new.
    await send(s.db, tcp(s.db, s.listening.filter((l) => l.port !== 5432), []));
    expect((await snapshot(s)).connects).toEqual(['APP redis-cli -> DB/IP:6379']);
    await send(s.db, tcp(s.db, [{ ip: '0.0.0.0', port: 5432, pid: 801, comm: 'postgres' }, ...s.listening.slice(1)], []));
    expect(await snapshot(s)).toEqual(expected());

    // The client stops dialling the database: dial, endpoint and dependency go.
    await send(s.app, tcp(s.app, [], s.outbound.filter((d) => d.port !== 5432)));
    expect(await snapshot(s)).toEqual({
      connects: ['APP redis-cli -> DB/IP:6379'],
      dials: expected().dials.filter((d) => !d.includes(':5432')),
    });
    expect(await count('MATCH (e:TCPEndpoint {key: $key}) RETURN count(e) AS n', { key: `${s.ip}:5432` })).toBe(0);

    // The processes result no longer lists redis-cli, which still dials: it is only marked ended
    // (dials and endpoints are the tcp write's). The tcp result that no longer shows its connection
    // removes the dial, the endpoint, the dependency and the process.
    await send(s.app, processes(s.app, [{ pid: 4200, comm: 'curl' }]));
    const redisCli = { key: `${s.app}/4100/100` };
    expect(await count('MATCH (p:Process {key: $key}) WHERE p.ended IS NOT NULL RETURN count(p) AS n', redisCli)).toBe(1);
    expect((await snapshot(s)).dials).toContain('APP redis-cli dials IP:6379');
    await send(s.app, tcp(s.app, [], s.outbound.filter((d) => d.port !== 5432 && d.port !== 6379)));
    expect(await snapshot(s)).toEqual({ connects: [], dials: [`APP curl dials 203.0.113.9:${externalPort}`] });
    expect(await count('MATCH (e:TCPEndpoint {key: $key}) RETURN count(e) AS n', { key: `${s.ip}:6379` })).toBe(0);
    expect(await count('MATCH (p:Process {key: $key}) RETURN count(p) AS n', redisCli)).toBe(0);

    // An empty result: nothing dialled. The external endpoint stays only while others dial it.
    await send(s.app, tcp(s.app, [], []));
    expect(await snapshot(s)).toEqual({ connects: [], dials: [] });
  });

  test('a client and a server reporting at the same moment still find each other', async () => {
    const pairs = Array.from({ length: 6 }, (_, i) => scenario(`race${i}`, 40 + i));
    for (const s of pairs) await send(s.db, s.results.serverNetconfig.doc);
    await Promise.all(pairs.flatMap((s) => [send(s.app, s.results.clientTcp.doc), send(s.db, s.results.serverTcp.doc)]));
    for (const s of pairs) expect(await snapshot(s)).toEqual(expected());
  });

  test("resolution from the server's side is bounded per write; the rest comes with the next one", async () => {
    const s = scenario('bounded', 50);
    const clients = [0, 1, 2].map((n) => `${s.app}${n}`);
    for (const c of clients) {
      await store.runPlan(planIngest({ document: tcp(c, [], [{ ip: s.ip, port: 5432, pid: 4000, comm: 'psql' }]) }, { host: c, now: clock() }).plan);
    }
    await store.runPlan(planIngest({ document: s.results.serverNetconfig.doc }, { host: s.db, now: clock(), cleanupLimit: 2 }).plan);
    const linked = () => count('MATCH (:Process)-[r:CONNECTS_TO]->(:TCPService {key: $svc}) RETURN count(r) AS n', { svc: `${s.db}/0.0.0.0:5432` });
    const serverTcp = (pid: number) => tcp(s.db, [{ ip: '0.0.0.0', port: 5432, pid, comm: 'postgres' }], []);
    await store.runPlan(planIngest({ document: serverTcp(800) }, { host: s.db, now: clock(), cleanupLimit: 2 }).plan);
    expect(await linked()).toBe(2);
    await store.runPlan(planIngest({ document: serverTcp(801) }, { host: s.db, now: clock(), cleanupLimit: 2 }).plan);
    expect(await linked()).toBe(3);
  });

  test('results stored by the previous tcp plugin are derived again once, then are unchanged', async () => {
    const s = scenario('upgrade', 60);
    await send(s.db, s.results.serverNetconfig.doc);
    await send(s.db, s.results.serverTcp.doc);
    const wire = okResult(s.results.clientTcp.doc);
    await send(s.app, s.results.clientTcp.doc);
    // As version 1 left it: no dials, and no version on the stored result.
    await store.write(
      `MATCH (:Host {key: $app})-[:RUNS]->(:Process)-[d:DIALS]->() DELETE d
       WITH count(*) AS gone
       MATCH (r:DiscoveryResult {key: $key}) REMOVE r.plugin_version`,
      { app: s.app, key: `${s.app}/tcp` },
    );
    expect((await snapshot(s)).dials).toEqual([]);
    expect((await ingest.ingest(s.app, wire)).status).toBe('derived');
    expect(await snapshot(s)).toEqual(expected());
    expect((await ingest.ingest(s.app, wire)).status).toBe('unchanged');
  });
});
