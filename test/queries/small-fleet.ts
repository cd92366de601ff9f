/**
 * A small fleet written through the real ingest service and plugins, shaped like the sample documents
 * (test/discovery/fixtures): a database server, a web server that uses it, and an app host that uses
 * the web server; web and app hang off one switch, db off another. Addresses, MACs, switch ids and
 * package names are random per run, since test files share the database and these nodes are shared
 * by key.
 */
import { randomBytes } from 'node:crypto';
import type { GraphStore } from '../../cma/graph/graph-store';
import { DiscoveryIngestService } from '../../cma/discovery/ingest-service';
import { osWeb1, processesWeb1 } from '../discovery/fixtures/sample-results';
import { failedResult, okResult } from '../discovery/wire-results';

const rnd = (n: number) => Math.floor(Math.random() * n);
const mac = () => `02:${randomBytes(5).toString('hex').match(/../g)?.join(':')}`;

export type SmallFleet = {
  db: string;
  web: string;
  app: string;
  ip: { db: string; web: string; app: string };
  /** web's IPv6 address in canonical form, and written out in full */
  webIpv6: string;
  webIpv6Long: string;
  mac: { web: string };
  switches: { front: { name: string; chassis: string }; back: { name: string; chassis: string } };
  library: string;
};

function netconfig(host: string, macAddress: string, addresses: Array<{ address: string; prefixlen: number }>) {
  return {
    discovertype: 'netconfig', description: 'NICs, addresses and default gateways', host, source: 'unimatrix:discovery-scripts/netconfig.js',
    data: {
      nics: [{
        name: 'eth0', ifindex: 4, mac: macAddress.toUpperCase(), mtu: 1500, operstate: 'up', link_type: 'ether', speed_mbps: 10000, duplex: 'full', physical: true,
        addresses: addresses.map((a) => ({ family: a.address.includes(':') ? 'inet6' : 'inet', address: a.address, prefixlen: a.prefixlen, scope: 'global' })),
      }],
      default_routes: [],
    },
  };
}

type Listener = { ip: string; port: number; owner: { pid: number; starttime: number; comm: string }[] };
type Outbound = { pid: number; starttime: number; comm: string; remote_ip: string; remote_port: number };

function tcp(host: string, listening: Listener[], outbound: Outbound[]) {
  return {
    discovertype: 'tcp', description: 'listening TCP services and connections with their processes', host, source: 'unimatrix:discovery-scripts/tcp.js',
    data: {
      listening: listening.map((l) => ({ ip: l.ip, port: l.port, family: 'inet', wildcard: l.ip === '0.0.0.0', processes: l.owner })),
      outbound,
      outbound_unowned: [],
      inbound: [],
    },
  };
}

function lldp(host: string, sw: { name: string; chassis: string }, port: string) {
  return {
    discovertype: 'lldp', description: 'LLDP neighbours', host, source: 'unimatrix:discovery-scripts/lldp.js',
    data: {
      local_chassis: { id: mac(), id_type: 'mac', name: host },
      neighbors: [{
        interface: 'eth0', via: 'LLDP',
        chassis: { id: sw.chassis, id_type: 'mac', name: sw.name, capabilities: [{ type: 'Bridge', enabled: true }] },
        port: { id: port, id_type: 'ifname', descr: port },
      }],
    },
  };
}

function packages(host: string, list: Array<{ name: string; version: string }>) {
  return {
    discovertype: 'packages', description: 'installed packages', host, source: 'unimatrix:discovery-scripts/packages.js',
    data: { packages: list.map((p) => ({ manager: 'dpkg', name: p.name, version: p.version, arch: 'amd64' })) },
  };
}

export async function buildSmallFleet(store: GraphStore, prefix: string): Promise<SmallFleet> {
  const net = `100.${64 + rnd(64)}.${rnd(256)}`;
  const v6 = `fd64:${(1 + rnd(0xfffe)).toString(16)}`;
  const tag = randomBytes(3).toString('hex');
  const fleet: SmallFleet = {
    db: `${prefix}db`,
    web: `${prefix}web`,
    app: `${prefix}app`,
    ip: { db: `${net}.10`, web: `${net}.20`, app: `${net}.30` },
    webIpv6: `${v6}::20`,
    webIpv6Long: `${v6}:0:0:0:0:0:0020`,
    mac: { web: mac() },
    switches: { front: { name: `sw-front-${tag}`, chassis: mac() }, back: { name: `sw-back-${tag}`, chassis: mac() } },
    library: `libtest-${tag}`,
  };
  const { db, web, app, ip } = fleet;
  const nginx = [{ pid: 700, starttime: 5000, comm: 'nginx' }, { pid: 701, starttime: 5003, comm: 'nginx' }];
  const webProcesses = {
    ...processesWeb1,
    data: { processes: [...processesWeb1.data.processes, { pid: 900, ppid: 1, starttime: 6000, start_ms: 1795300277999, comm: 'redis-server', exe: '/usr/bin/redis-server', exe_deleted: false, argv: ['redis-server *:6379'], argv_truncated: false, uid: 101, user: 'redis' }] },
  };
  const documents: Array<[string, unknown]> = [
    [db, netconfig(db, mac(), [{ address: ip.db, prefixlen: 24 }])],
    [web, netconfig(web, fleet.mac.web, [{ address: ip.web, prefixlen: 24 }, { address: fleet.webIpv6, prefixlen: 64 }])],
    [app, netconfig(app, mac(), [{ address: ip.app, prefixlen: 24 }])],
    [web, osWeb1],
    [web, webProcesses],
    // Servers first: a connection is resolved when the client's result is written.
    [db, tcp(db, [{ ip: '0.0.0.0', port: 5432, owner: [{ pid: 800, starttime: 4000, comm: 'postgres' }] }], [])],
    [web, tcp(web, [{ ip: '0.0.0.0', port: 80, owner: nginx }, { ip: '127.0.0.1', port: 6379, owner: [{ pid: 900, starttime: 6000, comm: 'redis-server' }] }],
      [{ pid: 701, starttime: 5003, comm: 'nginx', remote_ip: ip.db, remote_port: 5432 }])],
    [app, tcp(app, [], [{ pid: 4242, starttime: 9000, comm: 'curl', remote_ip: ip.web, remote_port: 80 }])],
    [web, lldp(web, fleet.switches.front, 'p1')],
    [app, lldp(app, fleet.switches.front, 'p2')],
    [db, lldp(db, fleet.switches.back, 'p1')],
    [web, packages(web, [{ name: 'nginx', version: '1.22.1-9' }, { name: fleet.library, version: '1.0' }])],
    [db, packages(db, [{ name: fleet.library, version: '2.0' }])],
  ];
  const ingest = new DiscoveryIngestService({ store });
  for (const [host, doc] of documents) {
    const report = await ingest.ingest(host, okResult(doc));
    if (report.status !== 'derived') throw new Error(`fixture ${host}: ${JSON.stringify(report)}`);
  }
  await ingest.ingest(app, failedResult('sshd', 'nonzero_exit', 'exit status 255', { exitStatus: 255, stderr: 'no hostkeys' }));
  return fleet;
}
