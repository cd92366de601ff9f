/**
 * Message compression: raw deflate above a size threshold, kept only when it pays (the result is at
 * least 1/16 smaller), and inflation with a hard output cap so a small "zip bomb" cannot allocate
 * more than the maximum message size.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export function maybeCompress(
  bytes: Uint8Array,
  thresholdBytes: number,
  level: number,
): { payload: Uint8Array; compressed: boolean } {
  if (bytes.length < thresholdBytes || level === 0) return { payload: bytes, compressed: false };
  const deflated = deflateRawSync(bytes, { level });
  if (deflated.length > bytes.length - bytes.length / 16) return { payload: bytes, compressed: false };
  return { payload: deflated, compressed: true };
}

export type InflateResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'oversize' | 'decompress_failed' };

export function inflateCapped(payload: Uint8Array, maxOutputBytes: number): InflateResult {
  try {
    return { ok: true, bytes: inflateRawSync(payload, { maxOutputLength: maxOutputBytes }) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'oversize' : 'decompress_failed' };
  }
}
