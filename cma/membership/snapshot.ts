/**
 * The rings as plain data, for the CMA to persist in Neo4j and to rebuild from after a restart:
 * one entry per ring (name, kind, segment key) and its members with the position and address each
 * uses, and the member that follows it (the RING_NEXT relationship). `next` is redundant with the
 * order on purpose: the graph stores links, and the audit checks links and order agree.
 *
 * Input from storage is `unknown` and validated here; positions are integers below 2^48, which the
 * CMA writes to Neo4j as integers (neo4j.int) and must convert back to numbers before parsing.
 */
import { z } from 'zod';
import { POSITION_SPACE } from './position';
import type { Endpoint, HostId, RingKind } from './types';

export const SNAPSHOT_VERSION = 1;

export type SnapshotMember = { host: HostId; position: number; address: Endpoint; next: HostId };
export type RingSnapshot = { name: string; kind: RingKind; key: string | null; members: SnapshotMember[] };
export type MembershipSnapshot = { version: typeof SNAPSHOT_VERSION; rings: RingSnapshot[] };

const endpointSchema = z.object({
  ip: z.string().min(1).max(64),
  port: z.number().int().min(1).max(65535),
});

const memberSchema = z.object({
  host: z.string().min(1).max(128),
  position: z.number().int().min(0).max(POSITION_SPACE - 1),
  address: endpointSchema,
  next: z.string().min(1).max(128),
});

const ringSchema = z.object({
  name: z.string().min(1).max(128),
  kind: z.enum(['global', 'switch', 'subnet']),
  key: z.string().min(1).max(128).nullable(),
  members: z.array(memberSchema).min(1),
});

export const membershipSnapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  rings: z.array(ringSchema),
});

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(`${message}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
    this.name = 'SnapshotError';
  }
}

/** Validates stored ring data; throws SnapshotError naming every field that is wrong. */
export function parseSnapshot(input: unknown): MembershipSnapshot {
  const parsed = membershipSnapshotSchema.safeParse(input);
  if (!parsed.success) {
    throw new SnapshotError(
      'invalid ring snapshot',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}
