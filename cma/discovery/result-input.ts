/**
 * A DISCOVERY_RESULT as the ingest service accepts it: the wire payload (protocol/messages/discovery.ts),
 * checked again here because the CMA trusts no input, with one widening: a failed run's `code` may be
 * the runner's own word (`timeout`, `invalid_json`, … see nanoprobe/discovery/run-result.ts) as well
 * as a catalogued `UNI_…` code. Catalogued discovery codes are turned back into the runner's words
 * (`readableFailure`), so the error an operator reads is the one the nanoprobe saw.
 */
import { z } from 'zod';
import { discoveryResultSchema } from '../../protocol/messages/discovery';
import { DISCOVERY_FAILURE_CODES } from '../../protocol/messages/discovery-codes';

export const discoveryResultInputSchema = discoveryResultSchema.extend({
  outcome: z.discriminatedUnion('ok', [
    // Checked to be a JSON value only when it is read (see isJsonValue): an unchanged result is
    // recognised by its hash without walking the document.
    z.object({ ok: z.literal(true), document: z.unknown() }),
    z.object({
      ok: z.literal(false),
      code: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'error codes are words of letters, digits and _'),
      message: z.string().max(4096),
    }),
  ]),
});

export type DiscoveryResultInput = z.infer<typeof discoveryResultInputSchema>;

/** The discovery name of a payload too broken to validate, when it still names one; else null. */
export function salvageName(input: unknown): string | null {
  if (input === null || typeof input !== 'object') return null;
  const name = (input as Record<string, unknown>).name;
  return typeof name === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) ? name : null;
}

/** Catalogue codes back to the runner's words (the nanoprobe's table, inverted: one source of truth). */
const WORD_BY_WIRE_CODE = new Map<string, string>(Object.entries(DISCOVERY_FAILURE_CODES).map(([word, code]) => [code, word]));

/**
 * The code and message an operator should read for a failed run: a `UNI_DISC_…` code becomes the
 * runner's word again (`UNI_DISC_004` → `timeout`), and the `timeout: ` prefix the nanoprobe put on
 * the message for readers of the raw wire goes. Other codes pass as they are.
 */
export function readableFailure(code: string, message: string): { code: string; message: string } {
  const word = WORD_BY_WIRE_CODE.get(code);
  if (word === undefined) return { code, message };
  const prefix = `${word}: `;
  return { code: word, message: message.startsWith(prefix) ? message.slice(prefix.length) : message };
}
