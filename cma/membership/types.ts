/**
 * The vocabulary of membership: hosts, where they sit in the network, rings and partners.
 * Memory-only and socket-free: the CMA daemon turns these values into CONFIG messages and Neo4j writes.
 */

/** A host's identity: its key id (16 lower-case hex digits on the wire; any non-empty string here). */
export type HostId = string;

/** Where a partner sends heartbeats (an IP address and the nanoprobe's UDP port). */
export type Endpoint = { ip: string; port: number };

/**
 * Kinds of topology ring, most specific first. A host sits on the ring of the first kind it has a
 * placement for: a switch ring once LLDP tells us which switch it is wired to, its subnet ring until
 * then. Adding a kind means adding it here, at its place in the order; nothing else changes.
 */
export const TOPOLOGY_KINDS = ['switch', 'subnet'] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];
export type RingKind = 'global' | TopologyKind;

/** One way to locate a host in the network, e.g. `{kind:'subnet', key:'10.0.1.0/24', address}`. */
export type TopologyPlacement = {
  kind: TopologyKind;
  /** Identifies the segment: a subnet in CIDR form, a switch's chassis id. */
  key: string;
  /** The host's endpoint inside that segment (heartbeats on the topology ring stay local). */
  address: Endpoint;
};

/** What the ring model needs to know about a host. */
export type RingHost = {
  id: HostId;
  /** The endpoint used on the global ring. */
  address: Endpoint;
  /** Every placement known for the host; the most specific one picks its topology ring. */
  placements: TopologyPlacement[];
};

/** A host's partner as the host's CONFIG message lists it. */
export type Partner = {
  host: HostId;
  /** Where to send heartbeats: the partner's address on the most specific ring they share. */
  address: Endpoint;
  /** The rings on which the two are neighbours. */
  rings: string[];
};

/** The partner list one host must be sent (one CONFIG message), and which partners are new to it. */
export type PartnerConfig = { host: HostId; partners: Partner[]; added: HostId[] };

/** Partners one host may have across all its rings: 2 on the global ring + 2 on its topology ring. */
export const MAX_PARTNERS_PER_HOST = 4;
