/** `memory`: memory and swap capacity become properties of the Host. */
import { z } from 'zod';
import { definePlugin } from './plugin';
import { intOrNull, setHostProps } from './plan-kit';

const bytes = z.number().int().nonnegative().nullable();

export const memoryDataSchema = z.object({
  total_bytes: bytes,
  swap_total_bytes: bytes,
  hugepage_size_bytes: bytes.optional(),
  hugepages_total: bytes.optional(),
});

export const memoryPlugin = definePlugin({
  discovertype: 'memory',
  description: 'Host properties: memory_bytes, swap_bytes',
  dataSchema: memoryDataSchema,
  plan: (data: z.infer<typeof memoryDataSchema>, ctx) => [
    setHostProps({ memory_bytes: intOrNull(data.total_bytes), swap_bytes: intOrNull(data.swap_total_bytes) }, ctx),
  ],
});
