/** `filesystems`: (Host)-[:HAS_FILESYSTEM]->(Filesystem), keyed `host:mountpoint`, with capacity. */
import { z } from 'zod';
import type { WritePlan } from '../graph/write-plan';
import { definePlugin, type IngestContext } from './plugin';
import { cleanupOwned, intOrNull, keysOf, removeOwnedNotListed, uniqueByKey, upsertOwned } from './plan-kit';

export const filesystemsDataSchema = z.object({
  filesystems: z
    .array(
      z.object({
        mountpoint: z.string().min(1).max(4096),
        source: z.string().max(4096),
        fstype: z.string().max(64),
        device: z.string().max(64).optional(),
        read_only: z.boolean(),
        options: z.array(z.string().max(1024)).max(256).optional(),
        size_bytes: z.number().int().nonnegative().nullable(),
        inodes: z.number().int().nonnegative().nullable().optional(),
      }),
    )
    .max(100_000),
});

type FilesystemsData = z.infer<typeof filesystemsDataSchema>;

function filesystemRows(data: FilesystemsData, ctx: IngestContext) {
  return uniqueByKey(
    data.filesystems.map((f) => ({
      key: `${ctx.host}:${f.mountpoint}`,
      props: {
        host: ctx.host,
        mountpoint: f.mountpoint,
        source: f.source,
        fstype: f.fstype,
        read_only: f.read_only,
        options: f.options ?? [],
        size_bytes: intOrNull(f.size_bytes),
        inodes: intOrNull(f.inodes),
      },
    })),
  );
}

function planFilesystems(data: FilesystemsData, ctx: IngestContext): WritePlan {
  return [upsertOwned('Filesystem', 'HAS_FILESYSTEM', filesystemRows(data, ctx), ctx), cleanupOwned('Filesystem', 'HAS_FILESYSTEM', ctx)];
}

export const filesystemsPlugin = definePlugin({
  discovertype: 'filesystems',
  description: '(Host)-[:HAS_FILESYSTEM]->(Filesystem {mountpoint, fstype, size_bytes})',
  dataSchema: filesystemsDataSchema,
  plan: planFilesystems,
  diff: {
    rows: filesystemRows,
    plan: ({ rows, changed }, ctx) => [upsertOwned('Filesystem', 'HAS_FILESYSTEM', changed, ctx), removeOwnedNotListed('Filesystem', 'HAS_FILESYSTEM', keysOf(rows), ctx)],
  },
});
