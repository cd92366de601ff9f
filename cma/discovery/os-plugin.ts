/** `os`: kernel and distribution become properties of the Host. */
import { z } from 'zod';
import { definePlugin } from './plugin';
import { intOrNull, setHostProps } from './plan-kit';

const nullableString = z.string().max(1000).nullable().optional();

export const osDataSchema = z.object({
  kernel: z.string().max(100),
  kernel_release: z.string().max(200),
  kernel_version: nullableString,
  architecture: z.string().max(50),
  hostname: nullableString,
  boot_ms: z.number().int().nonnegative().nullable().optional(),
  machine_id: nullableString,
  distribution: z.object({
    id: nullableString,
    name: nullableString,
    version_id: nullableString,
    version_codename: nullableString,
    pretty_name: nullableString,
    id_like: z.array(z.string().max(100)).max(20).optional(),
  }),
});

export const osPlugin = definePlugin({
  discovertype: 'os',
  description: 'Host properties: os_kernel, os_kernel_release, os_architecture, os_distribution, …',
  dataSchema: osDataSchema,
  plan: (data: z.infer<typeof osDataSchema>, ctx) => [
    setHostProps(
      {
        os_kernel: data.kernel,
        os_kernel_release: data.kernel_release,
        os_kernel_version: data.kernel_version ?? null,
        os_architecture: data.architecture,
        os_hostname: data.hostname ?? null,
        os_boot_ms: intOrNull(data.boot_ms),
        os_machine_id: data.machine_id ?? null,
        os_distribution: data.distribution.id ?? null,
        os_distribution_version: data.distribution.version_id ?? null,
        os_distribution_codename: data.distribution.version_codename ?? null,
        os_pretty_name: data.distribution.pretty_name ?? null,
      },
      ctx,
    ),
  ],
});
