/** `cpu`: processor model and counts become properties of the Host. */
import { z } from 'zod';
import { definePlugin } from './plugin';
import { intOrNull, setHostProps } from './plan-kit';

export const cpuDataSchema = z.object({
  architecture: z.string().max(50),
  model: z.string().max(500).nullable(),
  vendor: z.string().max(200).nullable(),
  logical_cpus: z.number().int().positive(),
  sockets: z.number().int().positive(),
  physical_cores: z.number().int().positive(),
  flags: z.array(z.string().max(100)).max(1000).optional(),
});

export const cpuPlugin = definePlugin({
  discovertype: 'cpu',
  description: 'Host properties: cpu_model, cpu_vendor, cpu_logical, cpu_cores, cpu_sockets',
  dataSchema: cpuDataSchema,
  plan: (data: z.infer<typeof cpuDataSchema>, ctx) => [
    setHostProps(
      {
        cpu_architecture: data.architecture,
        cpu_model: data.model,
        cpu_vendor: data.vendor,
        cpu_logical: intOrNull(data.logical_cpus),
        cpu_cores: intOrNull(data.physical_cores),
        cpu_sockets: intOrNull(data.sockets),
      },
      ctx,
    ),
  ],
});
