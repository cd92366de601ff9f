/**
 * `processes`: (Host)-[:RUNS]->(Process). A Process is keyed by `host/pid/starttime` (starttime in
 * kernel clock ticks since boot, as /proc gives it): pids are reused, the pair is not, and the tcp
 * plugin derives the same key for the owners of sockets.
 *
 * A process no longer listed has ended: it goes, unless it still dials something; then the tcp write
 * removes it with its dials (connections.ts, endedProcessStatement), normally at the host's next tcp
 * result, which no longer shows its connections either.
 */
import { z } from 'zod';
import type { WritePlan } from '../graph/write-plan';
import { definePlugin, type IngestContext } from './plugin';
import { endedProcessesGoneStatement, endedProcessStatement } from './connections';
import { intOrNull, keysOf, uniqueByKey, upsertOwned } from './plan-kit';

const processSchema = z.object({
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative().nullable().optional(),
  starttime: z.number().int().nonnegative(),
  start_ms: z.number().int().nonnegative().nullable().optional(),
  comm: z.string().max(256),
  exe: z.string().max(4096).nullable().optional(),
  exe_deleted: z.boolean().optional(),
  argv: z.array(z.string().max(65536)).max(4096),
  argv_truncated: z.boolean().optional(),
  uid: z.number().int().nonnegative().nullable().optional(),
  user: z.string().max(256).nullable().optional(),
});

export const processesDataSchema = z.object({ processes: z.array(processSchema).max(200_000) });

export type ProcessesData = z.infer<typeof processesDataSchema>;

export function processKey(host: string, pid: number, starttime: number): string {
  return `${host}/${pid}/${starttime}`;
}

function processRows(data: ProcessesData, ctx: IngestContext) {
  return uniqueByKey(
    data.processes.map((p) => ({
      key: processKey(ctx.host, p.pid, p.starttime),
      props: {
        host: ctx.host,
        pid: intOrNull(p.pid),
        ppid: intOrNull(p.ppid),
        starttime: intOrNull(p.starttime),
        start_ms: intOrNull(p.start_ms),
        name: p.comm,
        exe: p.exe ?? null,
        exe_deleted: p.exe_deleted ?? false,
        argv: p.argv,
        argv_truncated: p.argv_truncated ?? false,
        uid: intOrNull(p.uid),
        user: p.user ?? null,
        // listed, so not ended (null removes a mark an earlier write left: endedProcessStatement)
        ended: null,
      },
    })),
  );
}

function planProcesses(data: ProcessesData, ctx: IngestContext): WritePlan {
  return [upsertOwned('Process', 'RUNS', processRows(data, ctx), ctx), endedProcessStatement(ctx)];
}

export const processesPlugin = definePlugin({
  discovertype: 'processes',
  description: '(Host)-[:RUNS]->(Process {pid, starttime, exe, argv, user})',
  dataSchema: processesDataSchema,
  plan: planProcesses,
  diff: {
    rows: processRows,
    plan: ({ changed, removed }, ctx) => [
      upsertOwned('Process', 'RUNS', changed, ctx),
      ...(removed.length === 0 ? [] : [endedProcessesGoneStatement(keysOf(removed), ctx)]),
    ],
  },
});
