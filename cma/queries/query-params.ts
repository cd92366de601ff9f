/**
 * The parameters of a named query: their types, and the zod schema that checks and converts what a
 * user typed (`key=value` on the command line, `?key=value` in a URL: always text) or what a program
 * passed (numbers, booleans) into the values Cypher gets. Integers become Neo4j integers, addresses
 * their canonical form (the form the graph keys them by).
 */
import neo4j from 'neo4j-driver';
import { z } from 'zod';
import { canonicalAddress } from '../discovery/ip-network';

export const PARAM_TYPES = ['string', 'integer', 'boolean', 'address'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export type ParamSpec = {
  name: string;
  type: ParamType;
  /** a missing required parameter is an error; a missing optional one is null, or its default */
  required: boolean;
  /** the default, already converted (a JS number for integers) */
  default: string | number | boolean | null;
  description: string;
  /** bounds of an integer parameter, inclusive */
  min?: number;
  max?: number;
};

export const MAX_STRING_PARAM_CHARS = 1000;

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** An IP address in canonical form, or a MAC address in lower case with colons; null otherwise. */
export function normaliseAddress(text: string): string | null {
  const trimmed = text.trim();
  if (MAC.test(trimmed)) return trimmed.toLowerCase().replaceAll('-', ':');
  return canonicalAddress(trimmed);
}

function single(v: unknown): unknown {
  // A URL may repeat a key (?port=1&port=2): a parameter takes one value.
  return Array.isArray(v) ? { repeated: v } : v;
}

const INTEGER_TEXT = /^-?\d{1,16}$/;
const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

function baseSchema(spec: ParamSpec): z.ZodType<unknown> {
  switch (spec.type) {
    case 'string':
      return z.string({ error: 'expected text' }).max(MAX_STRING_PARAM_CHARS, `at most ${MAX_STRING_PARAM_CHARS} characters`);
    case 'integer': {
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      const range = `must be between ${min} and ${max}`;
      return z
        .preprocess(
          (v) => (typeof v === 'string' && INTEGER_TEXT.test(v.trim()) ? Number(v.trim()) : v),
          z.number({ error: 'expected an integer' }).int('expected an integer').min(min, range).max(max, range),
        )
        .transform((n) => neo4j.int(n));
    }
    case 'boolean':
      return z.preprocess(
        (v) => (typeof v === 'string' && Object.hasOwn(BOOLEAN_TEXT, v.trim().toLowerCase()) ? BOOLEAN_TEXT[v.trim().toLowerCase()] : v),
        z.boolean({ error: 'expected true or false' }),
      );
    case 'address':
      return z.string({ error: 'expected an address' }).transform((s, ctx) => {
        const address = normaliseAddress(s);
        if (address === null) {
          ctx.addIssue({ code: 'custom', message: 'expected an IPv4/IPv6 address or a MAC address (aa:bb:cc:dd:ee:ff)' });
          return z.NEVER;
        }
        return address;
      });
  }
}

function paramSchema(spec: ParamSpec): z.ZodType<unknown> {
  const base = z.preprocess(single, baseSchema(spec));
  if (spec.required) return base;
  const fallback = spec.default === null ? null : spec.type === 'integer' ? neo4j.int(spec.default as number) : spec.default;
  return z.preprocess((v) => (v === undefined || v === null || v === '' ? undefined : v), base.optional()).transform((v) => (v === undefined ? fallback : v));
}

/** The schema of a query's parameters: unknown ones are refused, each checked by its type. */
export function paramsSchema(specs: readonly ParamSpec[]): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType<unknown>> = {};
  for (const spec of specs) shape[spec.name] = paramSchema(spec);
  return z.object(shape).strict() as unknown as z.ZodType<Record<string, unknown>>;
}

export type ParamCheck =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; parameter: string; message: string };

/** Checks and converts raw parameters; the first problem names its parameter. */
export function checkParams(specs: readonly ParamSpec[], raw: Record<string, unknown>): ParamCheck {
  const parsed = paramsSchema(specs).safeParse(raw);
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { ok: false, parameter: '(parameters)', message: 'invalid parameters' };
  if (issue.code === 'unrecognized_keys') {
    const known = specs.map((s) => s.name).join(', ') || 'none';
    return { ok: false, parameter: issue.keys[0] ?? '(unknown)', message: `unknown parameter (this query takes: ${known})` };
  }
  const parameter = String(issue.path[0] ?? '(parameters)');
  const spec = specs.find((s) => s.name === parameter);
  const isMissing = raw[parameter] === undefined;
  const isRepeated = Array.isArray(raw[parameter]);
  const message = isMissing
    ? `required parameter missing (${spec?.type ?? 'value'})`
    : isRepeated
      ? 'given more than once'
      : `${issue.message}${spec ? ` (type ${describeType(spec)})` : ''}`;
  return { ok: false, parameter, message };
}

export function describeType(spec: ParamSpec): string {
  if (spec.type === 'integer' && (spec.min !== undefined || spec.max !== undefined)) return `integer ${spec.min ?? ''}..${spec.max ?? ''}`;
  return spec.type;
}
