/**
 * Connections between hosts when writes meet in the database (real Neo4j): a result held on its way
 * commits after a later one, and a processes write runs while another host's tcp write dials the same
 * endpoint. The graph must end as if the writes had come one
 * after the other, in the order they commit, and no write may fail because of the other.
 */
import { randomBytes } from 'node:crypto';
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService } from '../../cma/discovery/ingest-service';
import { planIngest } from '../../cma/discovery/registry';
import { describeWithNeo4j, uniquePrefix } from '../support/neo4j';
import { connectsOf, countOf, dialsOf, netconfig, processes, tcp } from './connection-docs';
import { migratedTestStore } from './migrated-store';
import { removeTestHosts } from './remove-test-hosts';
import { okResult } from './wire-results';

describeWithNeo4j('connections when writes meet', () => {
  let store: GraphStore;
  let ingest: DiscoveryIngestService;
  const prefix = uniquePrefix('conn-races');
  const net = `198.18.${Math.floor(Math.random() * 250) + 1}`;
  let t = 2_100_000_000_000;
  const clock = () => (t += 1000);

  const postgres = (ip = '0.0.0.0') => ({ ip, port: 5432, pid: 800, comm: 'postgres' });
  const psql = (ip: string) => ({ ip, port: 5432, pid: 4000, comm: 'psql' });

  function pair(name: string, octet: number) {
    return { db: `${prefix}${name}-db`, app: `${prefix}${name}-app`, ip: `${net}.${octet}` };
  }

  async function send(host: string, document: unknown): Promise<void> {
    const report = await ingest.ingest(host, okResult(document));
    expect({ host, status: report.status, error: report.error }).toEqual({ host, status: 'derived', error: undefined });
  }

  beforeAll(async () => {
    store = await migratedTestStore();
    ingest = new DiscoveryIngestService({ store, clock });
  });

  afterAll(async () => {
    await removeTestHosts(store, prefix);
    expect(await countOf(store, 'MATCH (e:TCPEndpoint) WHERE e.ip STARTS WITH $net + "." RETURN count(e) AS n', { net })).toBe(0);
    await store.close();
  });

  test("a client's result held on its way does not keep a link the server's later result made meanwhile", async () => {
    const { db, app, ip } = pair('late-client', 10);
    await send(db, netconfig(db, [ip]));
    await send(db, tcp(db, [{ ip, port: 6379, pid: 900, comm: 'redis-server' }], []));
    await send(app, tcp(app, [], [psql(ip)]));
    expect(await dialsOf(store, [app])).toEqual([`${app} psql dials ${ip}:5432`]);
    expect(await connectsOf(store, [app])).toEqual([]);

    // The client stops dialling, and its result is held on its way (crossHost writes commit in
    // arrival order, one batch at a time, so a held result is one that arrives later)...
    const client = tcp(app, [], []);
    // ...while the server starts listening on 5432: its write commits first and links the dial that
    // is still there.
    await send(db, tcp(db, [postgres(), { ip, port: 6379, pid: 900, comm: 'redis-server' }], []));
    expect(await connectsOf(store, [app])).toEqual([`${app} psql -> ${db}/0.0.0.0:5432`]);
    await send(app, client);

    expect(await dialsOf(store, [app])).toEqual([]);
    expect(await connectsOf(store, [app, db])).toEqual([]);
  });

  test("a server's netconfig held on its way removes a link the client's later result made through the address it dropped", async () => {
    const { db, app, ip } = pair('late-server', 20);
    await send(db, netconfig(db, [ip]));
    await send(db, tcp(db, [postgres()], []));

    // The server loses its address, and that result is held on its way...
    const server = netconfig(db, []);
    // ...while a client starts dialling the address: its write commits first, linking through it.
    await send(app, tcp(app, [], [psql(ip)]));
    expect(await connectsOf(store, [app])).toEqual([`${app} psql -> ${db}/0.0.0.0:5432`]);
    await send(db, server);

    expect(await connectsOf(store, [app, db])).toEqual([]);
    expect(await dialsOf(store, [app])).toEqual([`${app} psql dials ${ip}:5432`]);
  });

  test("a processes write and another host's tcp write dialling the same endpoint both succeed", async () => {
    const { db, app, ip } = pair('ended', 30);
    const other = `${prefix}ended-other`;
    await send(db, netconfig(db, [ip]));
    await send(db, tcp(db, [postgres()], []));
    await send(app, processes(app, [{ pid: 4000, comm: 'psql' }]));
    await send(app, tcp(app, [], [psql(ip)]));

    // psql ends: the app's processes result no longer lists it. Its write is left open (not
    // committed) while another host's tcp result dials the same endpoint.
    const ended = planIngest({ document: processes(app, []) }, { host: app, now: clock() }).plan;
    const session = store.driver.session({ database: store.database });
    const tx = session.beginTransaction();
    try {
      for (const s of ended) await tx.run(s.cypher, { ...s.params, rows: s.rows });
      let settled = false;
      const dialling = ingest.ingest(other, okResult(tcp(other, [], [{ ...psql(ip), pid: 5000 }]))).finally(() => (settled = true));
      // Either it waits for the open write's locks, or it does not need them and is done.
      await until(async () => settled || (await someoneWaitsForALock(store)));
      await tx.commit();
      const report = await dialling;
      expect({ status: report.status, error: report.error }).toEqual({ status: 'derived', error: undefined });
    } finally {
      await session.close();
    }

    expect(await dialsOf(store, [other])).toEqual([`${other} psql dials ${ip}:5432`]);
    expect(await connectsOf(store, [other])).toEqual([`${other} psql -> ${db}/0.0.0.0:5432`]);
    expect(await countOf(store, 'MATCH (e:TCPEndpoint {key: $key}) RETURN count(e) AS n', { key: `${ip}:5432` })).toBe(1);
  });
});

/** Checks `done` until it says so (a short pause between looks). */
async function until(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((r) => setTimeout(r, 50));
}

/** Whether some transaction of the test database is waiting for a lock now. */
async function someoneWaitsForALock(store: GraphStore): Promise<boolean> {
  const session = store.driver.session({ database: store.database });
  try {
    const result = await session.run('SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH "Blocked" RETURN count(*) AS n');
    return (result.records[0]?.get('n') as { toNumber(): number } | undefined)?.toNumber() !== 0;
  } finally {
    await session.close();
  }
}
