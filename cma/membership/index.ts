/** Membership: heartbeat rings, death judging and segment grouping (memory-only, clock-injected). */
export { Membership, type HostStatus, type MembershipOptions } from './membership';
export { RingSet, type RingChange } from './ring-set';
export { Ring, type RingMember } from './ring';
export { auditSnapshot, type AuditExpectation, type RingViolation } from './audit';
export { parseSnapshot, SnapshotError, SNAPSHOT_VERSION, type MembershipSnapshot, type RingSnapshot, type SnapshotMember } from './snapshot';
export { membershipTiming, membershipTimingSchema, type MembershipTiming } from './timing';
export { GLOBAL_RING, expectedRings, mostSpecificPlacement, parseRingName, topologyRingName, TopologyKeyError } from './topology';
export { ringPosition, POSITION_SPACE } from './position';
export type * from './decisions';
export * from './types';
