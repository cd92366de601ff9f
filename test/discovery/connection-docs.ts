/**
 * Discovery documents for the connection tests (netconfig, tcp, processes of made-up hosts), and the
 * queries that read back what the connections between them became.
 */
import type { GraphStore } from '../../cma/graph/graph-store';

export type Listener = { ip: string; port: number; pid: number; comm: string };
export type Dial = { ip: string; port: number; pid: number; comm: string };
export type Nic = { name: string; addresses: string[] };

export const doc = (discovertype: string, host: string, data: unknown) => ({ discovertype, description: 'test', host, source: 'test', data });

/** A netconfig result with the given NICs (each address a /24, or a /64 for IPv6). */
export function netconfigNics(host: string, nics: Nic[]) {
  return doc('netconfig', host, {
    nics: nics.map((nic, i) => ({
      name: nic.name, ifindex: i + 2, mac: `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`, mtu: 1500, operstate: 'up',
      link_type: 'ether', physical: nic.name.startsWith('eth'),
      addresses: nic.addresses.map((address) => {
        const v6 = address.includes(':');
        return { family: v6 ? 'inet6' : 'inet', address, prefixlen: v6 ? 64 : 24, scope: 'global' };
      }),
    })),
    default_routes: [],
  });
}

/** A netconfig result with one NIC, eth0, holding `addresses`. */
export function netconfig(host: string, addresses: string[]) {
  return netconfigNics(host, [{ name: 'eth0', addresses }]);
}

export function tcp(host: string, listening: Listener[], outbound: Dial[]) {
  return doc('tcp', host, {
    listening: listening.map((l) => ({ ip: l.ip, port: l.port, processes: [{ pid: l.pid, starttime: 100, comm: l.comm }] })),
    outbound: outbound.map((d) => ({ pid: d.pid, starttime: 100, comm: d.comm, remote_ip: d.ip, remote_port: d.port })),
  });
}

export function processes(host: string, list: Array<{ pid: number; comm: string }>) {
  return doc('processes', host, { processes: list.map((p) => ({ pid: p.pid, starttime: 100, comm: p.comm, argv: [p.comm] })) });
}

/** Every order of a list. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** `client-host process -> service-key` for every CONNECTS_TO from or into `hosts`, sorted. */
export async function connectsOf(store: GraphStore, hosts: string[]): Promise<string[]> {
  const rows = await store.read<{ c: string }>(
    `MATCH (ch:Host)-[:RUNS]->(p:Process)-[:CONNECTS_TO]->(svc:TCPService)<-[:HAS_SERVICE]-(sh:Host)
     WHERE ch.key IN $hosts OR sh.key IN $hosts
     RETURN ch.key + ' ' + p.name + ' -> ' + svc.key AS c`,
    { hosts },
  );
  return rows.map((r) => r.c).sort();
}

/** `host process dials endpoint-key` for every DIALS of the processes of `hosts`, sorted. */
export async function dialsOf(store: GraphStore, hosts: string[]): Promise<string[]> {
  const rows = await store.read<{ d: string }>(
    `MATCH (h:Host)-[:RUNS]->(p:Process)-[:DIALS]->(e:TCPEndpoint)
     WHERE h.key IN $hosts
     RETURN h.key + ' ' + p.name + ' dials ' + e.key AS d`,
    { hosts },
  );
  return rows.map((r) => r.d).sort();
}

/** The one integer `n` a counting query returns. */
export async function countOf(store: GraphStore, cypher: string, params: Record<string, unknown>): Promise<number> {
  const rows = await store.read<{ n: { toNumber(): number } }>(cypher, params);
  return rows[0]?.n.toNumber() ?? -1;
}
