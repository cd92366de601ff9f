/**
 * A fleet a little later: in every host's documents about `fraction` of the rows changed (at least
 * one per document), the way a day changes a server: processes get new arguments, packages are
 * upgraded, a NIC's MTU moves, a process opens one more connection. Returns the changed fleet and how
 * many rows changed (a package upgrade counts twice: one link removed, one added).
 */
import type { FleetHost } from './discovery-fleet';

type Doc = { data: Record<string, unknown> } & Record<string, unknown>;
type Row = Record<string, unknown>;

export type ChangedFleet = { fleet: FleetHost[]; rowsChanged: Record<keyof FleetHost['documents'], number> };

type Kind = keyof FleetHost['documents'];

export function changeFleet(fleet: FleetHost[], fraction = 0.01, kinds: readonly Kind[] = ['netconfig', 'processes', 'tcp', 'packages']): ChangedFleet {
  const rowsChanged = { netconfig: 0, processes: 0, tcp: 0, packages: 0 };
  const count = (n: number) => Math.max(1, Math.ceil(n * fraction));
  const changed = fleet.map((host) => {
    const d = structuredClone(host.documents) as unknown as Record<keyof FleetHost['documents'], Doc>;
    const procs = d.processes.data.processes as Row[];
    if (kinds.includes('processes')) for (let k = 0; k < count(procs.length); k++) {
      const p = procs[(k * 37) % procs.length]!;
      p.argv = [...(p.argv as string[]), `--changed=${k}`];
      rowsChanged.processes += 1;
    }
    const pkgs = d.packages.data.packages as Row[];
    if (kinds.includes('packages')) for (let k = 0; k < count(pkgs.length); k++) {
      const p = pkgs[(k * 53) % pkgs.length]!;
      p.version = `${String(p.version)}+upgrade1`;
      rowsChanged.packages += 2;
    }
    if (kinds.includes('netconfig')) {
      const nics = d.netconfig.data.nics as Row[];
      nics[nics.length - 1]!.mtu = 9000;
      rowsChanged.netconfig += 1;
    }
    if (kinds.includes('tcp')) {
      const outbound = d.tcp.data.outbound as Row[];
      const last = outbound[outbound.length - 1]!;
      outbound.push({ ...last, remote_port: 53 });
      rowsChanged.tcp += 1;
    }
    return { ...host, documents: d as unknown as FleetHost['documents'] };
  });
  return { fleet: changed, rowsChanged };
}
