/**
 * A discovery request as the CMA sends it: which script, how often, how long it may take, and its
 * parameters. Validated here because it arrives from the network.
 */
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import { DISCOVERY_NAME_PATTERN } from '../../protocol/messages/discovery-envelope';

const DAY_MS = 24 * 60 * 60 * 1000;

export const discoveryRequestSchema = z
  .object({
    /** names this request for replace/cancel; defaults to the script name (one request per script) */
    id: z.string().min(1).max(128).optional(),
    name: z.string().regex(DISCOVERY_NAME_PATTERN, 'not a discovery name'),
    /** 0 runs once; otherwise at least one second between the starts of two runs */
    intervalMs: z.number().int().min(0).max(7 * DAY_MS),
    timeoutMs: z.number().int().min(100).max(DAY_MS).optional(),
    params: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'parameter names are words of letters, digits and _'), z.string().max(4096))
      .refine((p) => Object.keys(p).length <= 32, 'at most 32 parameters')
      .optional(),
    nice: z.number().int().min(0).max(19).optional(),
    maxOutputBytes: z.number().int().min(1024).max(256 * 1024 * 1024).optional(),
  })
  .refine((r) => r.intervalMs === 0 || r.intervalMs >= 1000, { message: 'intervalMs is 0 (once) or at least 1000', path: ['intervalMs'] });

export type DiscoveryRequest = z.infer<typeof discoveryRequestSchema>;

export function requestId(r: DiscoveryRequest): string {
  return r.id ?? r.name;
}

export function parseDiscoveryRequest(input: unknown): { ok: true; request: DiscoveryRequest } | { ok: false; message: string } {
  const parsed = discoveryRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  const message = formatIssues(parsed.error.issues, { root: 'request' });
  return { ok: false, message: message.slice(0, 500) };
}
