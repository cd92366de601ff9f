/**
 * The declarative description of a lab and its resolution into a concrete plan: which namespace gets
 * which interface, port, address and route. Pure: `planLab` checks everything it can before a single
 * namespace exists, so a bad topology fails with a clear message and leaves nothing behind.
 */
import { LAB_RANGE, contains, hostAddress, networkCidr, parseCidr } from './ipv4';

export interface SwitchSpec {
  name: string;
  /** Run lldpd on the switch's ports (default true), so hosts see "chassis = switch, port = its port". */
  lldp?: boolean;
}

/** A layer-2 link between two switches: a veth whose two ends are ports of the two bridges. */
export interface TrunkSpec {
  a: string;
  b: string;
}

/** An IPv4 subnet. NICs placed on a segment get the next free host address of it (.11, .12, …). */
export interface SegmentSpec {
  name: string;
  /** Inside 10.213.0.0/16, e.g. "10.213.1.0/24". */
  subnet: string;
}

export interface NicSpec {
  /** The switch whose next free port this NIC is plugged into. */
  switch: string;
  /** Take one address from this segment. */
  segment?: string;
  /** Explicit addresses as CIDRs ("10.213.1.5/24"), in addition to the segment's. */
  addresses?: string[];
}

export interface HostSpec {
  name: string;
  nics: NicSpec[];
  /** The hostname processes on this host see (each runs in its own UTS namespace). Default: name. */
  hostname?: string;
  /** Start lldpd on this host at creation (default false; `host.startLldpd()` can start it later). */
  lldp?: boolean;
  /**
   * "onlink" (default): a default route out of the first NIC with no gateway, so every lab address is
   * reachable directly across the switches' shared layer 2 whatever its subnet. "connected": only the
   * NICs' own subnets; add gateways with `extraRoutes`.
   */
  routing?: 'onlink' | 'connected';
  /** Route 224.0.0.0/4 out of the first NIC (default true), needed to send multicast. */
  multicastRoute?: boolean;
  /** More `ip route add` argument lists, e.g. ["10.213.2.0/24", "via", "10.213.1.1"]. */
  extraRoutes?: string[][];
  /** Turn on IPv4 forwarding, so this namespace can route between its NICs. */
  forwarding?: boolean;
}

export interface LabTopology {
  switches: SwitchSpec[];
  /** Must form a forest: the bridges run no spanning tree, so a loop would be a broadcast storm. */
  trunks?: TrunkSpec[];
  segments?: SegmentSpec[];
  hosts: HostSpec[];
  /** The CMA's namespace: a host like the others, reachable as `lab.cma`. Name defaults to "cma". */
  cma?: Omit<HostSpec, 'name'> & { name?: string };
}

export interface PlannedNic {
  /** Interface name inside the host namespace: eth0, eth1, … */
  ifname: string;
  switch: string;
  /** Interface name of the port inside the switch namespace: swp1, swp2, … */
  switchPort: string;
  segment?: string;
  /** CIDRs. */
  addresses: string[];
}

export interface PlannedHost {
  name: string;
  role: 'host' | 'cma';
  hostname: string;
  nics: PlannedNic[];
  routes: string[][];
  forwarding: boolean;
  lldp: boolean;
}

export type PortPeer = { kind: 'host'; host: string; nic: string } | { kind: 'switch'; switch: string; port: string };

export interface PlannedSwitch {
  name: string;
  ports: { ifname: string; peer: PortPeer }[];
  lldp: boolean;
}

export interface PlannedTrunk {
  a: string;
  aPort: string;
  b: string;
  bPort: string;
}

export interface LabPlan {
  switches: PlannedSwitch[];
  trunks: PlannedTrunk[];
  hosts: PlannedHost[];
  segments: SegmentSpec[];
}

export class LabTopologyError extends Error {
  override name = 'LabTopologyError';
}

/** Node names become part of namespace names (um-<id>-<name>), so keep them short and plain. */
const NODE_NAME = /^[a-z][a-z0-9]{0,11}$/;

export function planLab(topology: LabTopology): LabPlan {
  const fail = (message: string): never => {
    throw new LabTopologyError(`lab topology: ${message}`);
  };
  const hostSpecs: (HostSpec & { role: 'host' | 'cma' })[] = topology.hosts.map((h) => ({ ...h, role: 'host' }));
  if (topology.cma) hostSpecs.push({ ...topology.cma, name: topology.cma.name ?? 'cma', role: 'cma' });

  const seen = new Set<string>();
  for (const name of [...topology.switches.map((s) => s.name), ...hostSpecs.map((h) => h.name)]) {
    if (!NODE_NAME.test(name)) fail(`name "${name}" must match ${NODE_NAME} (it becomes part of a namespace name)`);
    if (seen.has(name)) fail(`name "${name}" is used twice`);
    seen.add(name);
  }
  if (topology.switches.length === 0) fail('at least one switch is needed');

  const segments = topology.segments ?? [];
  const segmentNames = new Set<string>();
  for (const [i, seg] of segments.entries()) {
    if (segmentNames.has(seg.name)) fail(`segment "${seg.name}" is declared twice`);
    segmentNames.add(seg.name);
    const { address, prefix } = parseCidr(seg.subnet);
    if (prefix < 16 || !contains(LAB_RANGE, address)) fail(`segment ${seg.name} (${seg.subnet}) must lie inside ${LAB_RANGE}`);
    if (networkCidr(seg.subnet) !== seg.subnet) fail(`segment ${seg.name}: ${seg.subnet} is not a network address`);
    for (const other of segments.slice(0, i)) {
      if (contains(other.subnet, address) || contains(seg.subnet, parseCidr(other.subnet).address)) {
        fail(`segments ${other.name} and ${seg.name} overlap`);
      }
    }
  }

  const switches = new Map<string, PlannedSwitch>(
    topology.switches.map((s) => [s.name, { name: s.name, ports: [], lldp: s.lldp ?? true }]),
  );
  const addPort = (switchName: string, peer: PortPeer): { ifname: string; peer: PortPeer } => {
    const sw = switches.get(switchName) ?? fail(`unknown switch "${switchName}"`);
    const port = { ifname: `swp${sw.ports.length + 1}`, peer };
    sw.ports.push(port);
    return port;
  };

  const used = new Set<string>();
  const nextIndex = new Map<string, number>();
  const hosts: PlannedHost[] = hostSpecs.map((spec) => {
    if (spec.nics.length === 0) fail(`host ${spec.name} has no NIC`);
    const nics = spec.nics.map((nic, i): PlannedNic => {
      const ifname = `eth${i}`;
      const addresses: string[] = [];
      if (nic.segment !== undefined) {
        const seg = segments.find((s) => s.name === nic.segment) ?? fail(`host ${spec.name}: unknown segment "${nic.segment}"`);
        let index = nextIndex.get(seg.name) ?? 0;
        while (used.has(parseCidr(hostAddress(seg.subnet, index)).address)) index += 1;
        nextIndex.set(seg.name, index + 1);
        addresses.push(hostAddress(seg.subnet, index));
      }
      for (const cidr of nic.addresses ?? []) {
        const { address, prefix } = parseCidr(cidr);
        if (prefix < 16 || !contains(LAB_RANGE, address)) fail(`host ${spec.name}: ${cidr} must lie inside ${LAB_RANGE}`);
        addresses.push(cidr);
      }
      for (const cidr of addresses) {
        const { address } = parseCidr(cidr);
        if (used.has(address)) fail(`address ${address} is assigned twice`);
        used.add(address);
      }
      const switchPort = addPort(nic.switch, { kind: 'host', host: spec.name, nic: ifname }).ifname;
      return { ifname, switch: nic.switch, switchPort, addresses, ...(nic.segment ? { segment: nic.segment } : {}) };
    });
    const first = (nics[0] as PlannedNic).ifname;
    const routes: string[][] = [];
    if ((spec.routing ?? 'onlink') === 'onlink') routes.push(['default', 'dev', first]);
    if (spec.multicastRoute ?? true) routes.push(['224.0.0.0/4', 'dev', first]);
    routes.push(...(spec.extraRoutes ?? []));
    return {
      name: spec.name,
      role: spec.role,
      hostname: spec.hostname ?? spec.name,
      nics,
      routes,
      forwarding: spec.forwarding ?? false,
      lldp: spec.lldp ?? false,
    };
  });

  const trunks = planTrunks(topology.trunks ?? [], addPort, fail);
  return { switches: [...switches.values()], trunks, hosts, segments };
}

/** Trunk ports come after the host ports (uplinks at the high port numbers, as on most switches). */
function planTrunks(
  specs: TrunkSpec[],
  addPort: (sw: string, peer: PortPeer) => { ifname: string; peer: PortPeer },
  fail: (message: string) => never,
): PlannedTrunk[] {
  const root = new Map<string, string>();
  const find = (n: string): string => {
    let r = n;
    while (root.has(r) && root.get(r) !== r) r = root.get(r) as string;
    return r;
  };
  return specs.map(({ a, b }) => {
    if (a === b) fail(`trunk from switch ${a} to itself`);
    if (find(a) === find(b)) fail(`trunk ${a}-${b} closes a loop; the bridges run no spanning tree`);
    root.set(find(a), find(b));
    const aSide = addPort(a, { kind: 'switch', switch: b, port: '' });
    const bSide = addPort(b, { kind: 'switch', switch: a, port: aSide.ifname });
    aSide.peer = { kind: 'switch', switch: b, port: bSide.ifname };
    return { a, aPort: aSide.ifname, b, bPort: bSide.ifname };
  });
}
