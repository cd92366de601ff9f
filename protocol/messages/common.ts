/**
 * Field schemas shared by the message families. Unknown object fields are stripped rather than
 * refused, so an older peer still understands a newer one that appends optional fields.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { ERROR_CODE_PATTERN } from '../errors';

/**
 * An integer that fits a JS number exactly. msgpack peers that encode large integers as int64 arrive as
 * bigint (we decode with useBigInt64); those are accepted when they fit.
 */
export const wireInt = z.preprocess(
  (v) => (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v),
  z.int(),
);
export const nonNegativeInt = wireInt.pipe(z.int().min(0));
export const positiveInt = wireInt.pipe(z.int().min(1));
export const portNumber = wireInt.pipe(z.int().min(1).max(65535));
export const u16 = wireInt.pipe(z.int().min(0).max(65535));

/** Milliseconds since the Unix epoch. */
export const epochMs = nonNegativeInt;

/** A peer's key id: the first 8 bytes of SHA-256 of its Ed25519 public key, in lower-case hex. */
export const keyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'key id is 16 lower-case hex digits');

/** A 32-byte public key. Copied, so the message never aliases the datagram buffer it came from. */
export const publicKey32 = z
  .custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength === 32, { message: 'expected 32 bytes' })
  .transform((v): Uint8Array => new Uint8Array(v));

export const publicKeysSchema = z.object({ ed25519: publicKey32, x25519: publicKey32 });

/** Host names as the OS reports them: printable, no whitespace, at most 255 characters. */
export const hostnameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}]+$/u, 'host name must be printable without spaces');

export const ipAddressSchema = z
  .string()
  .max(64)
  .refine((s) => isIP(s) !== 0, 'expected an IPv4 or IPv6 address');

export const endpointSchema = z.object({ ip: ipAddressSchema, port: portNumber });

export const interfaceAddressSchema = z.object({
  ip: ipAddressSchema,
  prefixLength: wireInt.pipe(z.int().min(0).max(128)),
  interface: z.string().min(1).max(64).optional(),
});

/** A short human-readable text (reasons, messages). */
export const shortText = z.string().max(1024);

export const errorCodeSchema = z.string().regex(ERROR_CODE_PATTERN, 'expected an error code like UNI_PROTO_001');

/** A name safe for files, scripts and ring names: letters, digits, dot, dash, underscore, colon, slash. */
export const safeName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'name must be letters, digits and . _ : / -');

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON document carried as a msgpack value: null, booleans, finite numbers, strings, arrays and plain
 * objects only. Walked iteratively (depth is already bounded by the codec's pre-scan, but this check
 * must not blow the stack if called on an arbitrary in-memory value either).
 */
export function isJsonValue(root: unknown, maxDepth = 64): root is JsonValue {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { value, depth } = item;
    if (value === null || typeof value === 'boolean' || typeof value === 'string') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return false;
      continue;
    }
    if (typeof value !== 'object' || depth >= maxDepth) return false;
    if (Array.isArray(value)) {
      for (const child of value) stack.push({ value: child, depth: depth + 1 });
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const child of Object.values(value as Record<string, unknown>)) stack.push({ value: child, depth: depth + 1 });
  }
  return true;
}

export const jsonValueSchema = z.custom<JsonValue>((v) => isJsonValue(v), {
  message: 'expected a JSON value (null, boolean, finite number, string, array, plain object)',
});
