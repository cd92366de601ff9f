/**
 * A stable text for a JSON value (object keys sorted at every level) and its SHA-256, so that two
 * results with the same content hash the same whatever order a script printed its keys in.
 */
import { sha256Hex } from '../../common/hash';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // undefined and functions are not JSON; they only show up nested in objects, where they are dropped.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
