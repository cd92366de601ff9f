/**
 * What a poller worker reads from the poller's configuration file (JSON): the credentials that
 * device tasks name, where the TextFSM templates are, and how often its sessions poll. Passwords
 * live here, on the poller, and never on the wire.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const credentialSchema = z
  .object({
    username: z.string().min(1).max(256),
    password: z.string().max(1024).optional(),
    privateKeyFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => c.password !== undefined || c.privateKeyFile !== undefined, 'a credential needs a password or a privateKeyFile');

export const workerConfigSchema = z.object({
  credentials: z.record(z.string().min(1).max(128), credentialSchema).default({}),
  /** The ntc-templates folder (with its `index`). */
  templatesDir: z.string().min(1),
  /** Seconds between polls of each device (one interval per worker today). */
  pollIntervalSeconds: z.number().int().min(1).max(86_400).default(60),
  maxConcurrentConnects: z.number().int().min(1).max(1024).default(32),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function loadWorkerConfig(file: string): WorkerConfig {
  const parsed = workerConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
