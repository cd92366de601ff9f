/**
 * THE table of message types: the one source of truth for numbers, names and payload schemas.
 *
 * Rules (the wire depends on them):
 *  - numbers are append-only: never change or reuse one; retire a message by leaving its row in place;
 *  - 0 is reserved as "no type"; numbers fit in an unsigned 16-bit header;
 *  - payload changes must stay readable by older peers: add optional fields, never repurpose one.
 * `message-types.test.ts` pins every number, so an accidental renumbering fails the build.
 */
import type { z } from 'zod';
import { appAckSchema, appNakSchema, shutdownSchema } from './messages/control';
import { discoveryRequestSchema, discoveryResultSchema } from './messages/discovery';
import {
  agentLoadSchema,
  heartbeatSchema,
  partnerReportSchema,
  probeReplySchema,
  probeSchema,
  unexpectedHeartbeatSchema,
} from './messages/liveness';
import { announceAckSchema, announceSchema, configSchema, leaveSchema, rejoinSchema } from './messages/membership';
import { pollerAssignSchema, pollerConfirmSchema, pollerWorkersSchema, pollResultSchema } from './messages/poller';

type MessageSpec = { readonly type: number; readonly schema: z.ZodType; readonly summary: string };

export const MESSAGE_TABLE = {
  ANNOUNCE: { type: 1, schema: announceSchema, summary: 'a host or poller introduces itself (signed)' },
  ANNOUNCE_ACK: { type: 2, schema: announceAckSchema, summary: "the CMA's decision and its keys" },
  CONFIG: { type: 3, schema: configSchema, summary: 'heartbeat timing and ring partners' },
  HEARTBEAT: { type: 4, schema: heartbeatSchema, summary: 'partner-to-partner liveness' },
  PARTNER_REPORT: { type: 5, schema: partnerReportSchema, summary: 'a partner is late, dead or back alive' },
  UNEXPECTED_HEARTBEAT: { type: 6, schema: unexpectedHeartbeatSchema, summary: 'heartbeats from a non-partner' },
  PROBE: { type: 7, schema: probeSchema, summary: "the CMA's own liveness check" },
  PROBE_REPLY: { type: 8, schema: probeReplySchema, summary: 'answer to PROBE' },
  LEAVE: { type: 9, schema: leaveSchema, summary: 'graceful departure, no alert' },
  SHUTDOWN: { type: 10, schema: shutdownSchema, summary: 'connection shutdown' },
  APP_ACK: { type: 11, schema: appAckSchema, summary: 'application accepted a message' },
  APP_NAK: { type: 12, schema: appNakSchema, summary: 'application refused a message, with an error code' },
  DISCOVERY_REQUEST: { type: 13, schema: discoveryRequestSchema, summary: 'run a discovery script on a schedule' },
  DISCOVERY_RESULT: { type: 14, schema: discoveryResultSchema, summary: 'a changed discovery result' },
  REJOIN: { type: 15, schema: rejoinSchema, summary: 'the CMA holds the host as no member: announce again' },
  AGENT_LOAD: { type: 16, schema: agentLoadSchema, summary: 'an agent turned slow (event loop, heartbeat lateness), or is well again' },
  POLLER_WORKERS: { type: 17, schema: pollerWorkersSchema, summary: "a poller's workers and their capacity (each a rendezvous-hashing unit)" },
  POLLER_ASSIGN: { type: 18, schema: pollerAssignSchema, summary: 'devices a worker starts or stops polling' },
  POLLER_CONFIRM: { type: 19, schema: pollerConfirmSchema, summary: "a device's first good poll on its new worker (its old holder may stop)" },
  POLL_RESULT: { type: 20, schema: pollResultSchema, summary: "a device command's changed result, parsed by its TextFSM template" },
} as const satisfies Record<string, MessageSpec>;

export type MessageName = keyof typeof MESSAGE_TABLE;
export type MessageTypeNumber = (typeof MESSAGE_TABLE)[MessageName]['type'];

/** The payload of a message as the application sees it (after validation). */
export type PayloadOf<N extends MessageName> = z.output<(typeof MESSAGE_TABLE)[N]['schema']>;

/** Every message, discriminated by its `type` name. The number only exists on the wire. */
export type Message = { [N in MessageName]: { type: N; payload: PayloadOf<N> } }[MessageName];
export type MessageOf<N extends MessageName> = Extract<Message, { type: N }>;

export const MESSAGE_NAMES = Object.keys(MESSAGE_TABLE) as MessageName[];

/** Lookup from wire number to name, built once; refuses a table with duplicate or invalid numbers. */
export const MESSAGE_NAME_BY_NUMBER: ReadonlyMap<number, MessageName> = buildNumberIndex();

function buildNumberIndex(): Map<number, MessageName> {
  const index = new Map<number, MessageName>();
  for (const name of MESSAGE_NAMES) {
    const { type } = MESSAGE_TABLE[name];
    if (!Number.isInteger(type) || type < 1 || type > 0xffff) throw new Error(`message ${name}: bad type number ${type}`);
    const clash = index.get(type);
    if (clash !== undefined) throw new Error(`message type number ${type} used by both ${clash} and ${name}`);
    index.set(type, name);
  }
  return index;
}

export function messageTypeNumber(name: MessageName): number {
  return MESSAGE_TABLE[name].type;
}

/** Builds a message with its payload type checked against its name. */
export function makeMessage<N extends MessageName>(type: N, payload: PayloadOf<N>): MessageOf<N> {
  return { type, payload } as MessageOf<N>;
}
