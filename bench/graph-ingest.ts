import { DEFAULT_STORE_OPTIONS, GraphStore } from '../cma/graph/graph-store';
import { Row } from '../cma/graph/write-plan';
import { int, nowMillis } from '../cma/graph/values';
import { cpuMsSince, openBenchGraph } from './support/bench-graph';

/**
 * Synthetic fleet through the graph layer's batched path: hosts, their NICs, IP addresses and
 * processes, with MERGE on keys and relationship loads that MATCH their endpoints — the shape of the
 * real discovery ingest. Run once per batch size; the figure to quote is the default batch size.
 *
 *   npm run bench -- graph-ingest [--hosts N] [--batch-sizes 1000,5000,20000]
 */
const NICS_PER_HOST = 4;
const PROCESSES_PER_HOST = 32;

type Fleet = { hosts: Row[]; nics: Row[]; ips: Row[]; processes: Row[] };

function syntheticFleet(prefix: string, hosts: number): Fleet {
  const fleet: Fleet = { hosts: [], nics: [], ips: [], processes: [] };
  for (let h = 0; h < hosts; h++) {
    const host = `${prefix}host-${h}`;
    fleet.hosts.push({ key: host, name: host, os: 'Debian GNU/Linux 12', cpus: int(8 + (h % 4) * 8), memory_mb: int(16_384 + (h % 8) * 1024) });
    for (let n = 0; n < NICS_PER_HOST; n++) {
      const nic = `${host}/eth${n}`;
      const mac = `02:${((h >> 16) & 255).toString(16).padStart(2, '0')}:${((h >> 8) & 255).toString(16).padStart(2, '0')}:${(h & 255).toString(16).padStart(2, '0')}:00:${n.toString(16).padStart(2, '0')}`;
      fleet.nics.push({ host, key: nic, name: `eth${n}`, mac, mtu: int(1500), speed_mbps: int(10_000) });
      const ip = `10.${n}.${(h >> 8) & 255}.${h & 255}`;
      fleet.ips.push({ nic, key: `${prefix}${ip}`, address: ip, prefixlen: int(16) });
    }
    for (let p = 0; p < PROCESSES_PER_HOST; p++) {
      fleet.processes.push({ host, key: `${host}/proc-${p}`, pid: int(1000 + p), exe: `/usr/bin/daemon-${p % 12}`, user: p % 3 === 0 ? 'root' : 'svc' });
    }
  }
  return fleet;
}

const STATEMENTS: Array<{ kind: keyof Fleet; cypher: string }> = [
  {
    kind: 'hosts',
    cypher: `UNWIND $rows AS row
      MERGE (h:Host {key: row.key})
      ON CREATE SET h.firstseen = $now
      SET h.name = row.name, h.os = row.os, h.cpus = row.cpus, h.memory_mb = row.memory_mb, h.lastupdated = $now`,
  },
  {
    kind: 'nics',
    cypher: `UNWIND $rows AS row
      MATCH (h:Host {key: row.host})
      MERGE (n:NIC {key: row.key})
      ON CREATE SET n.firstseen = $now
      SET n.name = row.name, n.mac = row.mac, n.mtu = row.mtu, n.speed_mbps = row.speed_mbps, n.lastupdated = $now
      MERGE (h)-[r:HAS_NIC]->(n)
      SET r.lastupdated = $now`,
  },
  {
    kind: 'ips',
    cypher: `UNWIND $rows AS row
      MATCH (n:NIC {key: row.nic})
      MERGE (ip:IPAddress {key: row.key})
      ON CREATE SET ip.firstseen = $now
      SET ip.address = row.address, ip.prefixlen = row.prefixlen, ip.lastupdated = $now
      MERGE (n)-[r:HAS_IP]->(ip)
      SET r.lastupdated = $now`,
  },
  {
    kind: 'processes',
    cypher: `UNWIND $rows AS row
      MATCH (h:Host {key: row.host})
      MERGE (p:Process {key: row.key})
      ON CREATE SET p.firstseen = $now
      SET p.pid = row.pid, p.exe = row.exe, p.user = row.user, p.lastupdated = $now
      MERGE (h)-[r:RUNS]->(p)
      SET r.lastupdated = $now`,
  },
];

async function ingest(store: GraphStore, fleet: Fleet): Promise<{ rows: number; seconds: number; cpu_ms: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let rows = 0;
  for (const { kind, cypher } of STATEMENTS) {
    rows += (await store.writeBatched(cypher, fleet[kind], { now: nowMillis() })).rows;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rows, seconds, cpu_ms: cpuMsSince(cpu) };
}

async function removeFleet(store: GraphStore, prefix: string): Promise<void> {
  for (const label of ['Process', 'IPAddress', 'NIC', 'Host']) {
    for (;;) {
      const rows = await store.write<{ n: { toNumber(): number } }>(
        `MATCH (x:${label}) WHERE x.key STARTS WITH $prefix WITH x LIMIT 20000 DETACH DELETE x RETURN count(*) AS n`,
        { prefix },
      );
      if ((rows[0]?.n.toNumber() ?? 0) === 0) break;
    }
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<Record<string, unknown>> {
  const hosts = Number(option(args, '--hosts') ?? 5_000);
  const batchSizes = (option(args, '--batch-sizes') ?? '1000,2000,5000,20000').split(',').map(Number);
  const graph = await openBenchGraph();
  const runs: Array<Record<string, number>> = [];
  try {
    // Warm the JVM's JIT and Cypher's plan cache, so the first measured batch size is not penalised.
    const warm = new GraphStore(graph.store.driver, graph.store.database, { batchSize: 1_000, maxRowsPerTransaction: 0 });
    await ingest(warm, syntheticFleet('bench-warmup-', Math.min(500, hosts)));
    await removeFleet(graph.store, 'bench-warmup-');
    for (const batchSize of batchSizes) {
      const store = new GraphStore(graph.store.driver, graph.store.database, { batchSize, maxRowsPerTransaction: 0 });
      const prefix = `bench-${batchSize}-`;
      const fleet = syntheticFleet(prefix, hosts);
      const created = await ingest(store, fleet);
      process.stderr.write(`batch ${batchSize}: ${created.rows} rows created in ${created.seconds.toFixed(1)} s\n`);
      // The same rows again: what a steady-state re-ingest of an unchanged fleet costs (all MATCH/SET).
      const again = await ingest(store, fleet);
      process.stderr.write(`batch ${batchSize}: ${again.rows} rows re-merged in ${again.seconds.toFixed(1)} s\n`);
      runs.push({
        batch_size: batchSize,
        rows: created.rows,
        rows_per_s: Math.round(created.rows / created.seconds),
        remerge_rows_per_s: Math.round(again.rows / again.seconds),
        client_cpu_ms: Math.round(created.cpu_ms),
      });
      await removeFleet(graph.store, prefix);
    }
  } finally {
    await graph.close();
  }
  // The figure to quote is the CMA's default batch size; the others show the trade-off around it.
  const headline = runs.find((r) => r.batch_size === DEFAULT_STORE_OPTIONS.batchSize) ?? runs[0]!;
  return {
    bench: 'graph-ingest',
    hosts,
    rows: headline.rows,
    rows_per_s: headline.rows_per_s,
    batch_size: headline.batch_size,
    remerge_rows_per_s: headline.remerge_rows_per_s,
    neo4j: graph.embedded ? 'embedded 5.26 (local)' : 'external',
    runs,
  };
}
