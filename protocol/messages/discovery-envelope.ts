/**
 * The document every discovery script prints (docs/discovery-scripts.md):
 * `{discovertype, description, host, source, data}`. The nanoprobe validates it before sending it on,
 * and the CMA validates it again on receipt (it trusts no input). `data` is any JSON value; each
 * CMA ingest plugin checks the `data` of its own discovertype.
 *
 * Both daemons use this one schema (a contract of the wire, so it lives in protocol/).
 */
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';

/**
 * Discovery names and discovertypes: a word that is safe as a file name and as a graph property. The
 * one rule for a discovery name everywhere: on the wire, in the nanoprobe, in the CMA configuration.
 */
export const DISCOVERY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const DISCOVERY_NAME_RULE = '1-64 of A-Z a-z 0-9 _ . - (not starting with _ . -)';
export const discoveryNameSchema = z.string().regex(DISCOVERY_NAME_PATTERN, `a discovery name is ${DISCOVERY_NAME_RULE}`);

export const discoveryEnvelopeSchema = z.object({
  discovertype: z.string().regex(DISCOVERY_NAME_PATTERN, `discovertype must be ${DISCOVERY_NAME_RULE}`),
  description: z.string().max(1000),
  host: z.string().min(1).max(255),
  source: z.string().max(1000),
  data: z.unknown().refine((v) => v !== undefined, { message: 'data is required' }),
});

export type DiscoveryEnvelope = z.infer<typeof discoveryEnvelopeSchema>;

/** A one-line, bounded summary of why a document does not fit the envelope. */
export function describeIssues(error: z.ZodError, maxChars = 500): string {
  return formatIssues(error.issues, { root: 'document', maxChars });
}
