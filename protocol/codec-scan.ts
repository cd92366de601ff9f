/**
 * A structural pre-scan of msgpack bytes, run before the real decoder. It walks the headers without
 * building any value, so it costs no allocation proportional to what the input *claims*:
 *  - every length must fit in the bytes that remain (a 4 GiB string prefix in a 20-byte datagram is
 *    rejected here, never handed to an allocator);
 *  - strings, binaries, arrays and maps must respect the caps in codec-limits.ts;
 *  - nesting is bounded (the decoder keeps a heap state per open container, so a 16 MiB run of
 *    one-byte `[` headers would otherwise cost gigabytes);
 *  - exactly one value, no trailing bytes;
 *  - extension types are refused: the protocol uses none, so they are never valid payload.
 */
import type { CodecLimits } from './codec-limits';

export type ScanFailure = {
  ok: false;
  reason: 'malformed' | 'oversize' | 'too_deep' | 'extension';
  detail: string;
};
export type ScanResult = { ok: true } | ScanFailure;

const OK: ScanResult = Object.freeze({ ok: true });

function fail(reason: ScanFailure['reason'], detail: string): ScanFailure {
  return { ok: false, reason, detail };
}

export function scanMsgpack(bytes: Uint8Array, limits: CodecLimits): ScanResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  let pos = 0;
  // Items still to read in each open container; the bottom entry is the single top-level value.
  const pending: number[] = [1];

  while (pending.length > 0) {
    if (pos >= end) return fail('malformed', `value truncated at byte ${pos}`);
    const top = pending.length - 1;
    pending[top] = (pending[top] ?? 0) - 1;
    const head = view.getUint8(pos);
    pos += 1;

    let skip = 0; // bytes of scalar data after the header
    let children = 0; // items inside a container
    let isContainer = false;

    if (head <= 0x7f || head >= 0xe0 || head === 0xc0 || head === 0xc2 || head === 0xc3) {
      skip = 0; // fixint, nil, booleans
    } else if (head >= 0x80 && head <= 0x8f) {
      isContainer = true;
      children = (head & 0x0f) * 2;
    } else if (head >= 0x90 && head <= 0x9f) {
      isContainer = true;
      children = head & 0x0f;
    } else if (head >= 0xa0 && head <= 0xbf) {
      skip = head & 0x1f;
    } else {
      // Formats with an explicit length or fixed width.
      const lengthBytes = explicitLengthBytes(head);
      if (lengthBytes === undefined) {
        const width = FIXED_WIDTH.get(head);
        if (width !== undefined) {
          skip = width;
        } else if (head === 0xc1) {
          return fail('malformed', `reserved type byte 0xc1 at byte ${pos - 1}`);
        } else {
          return fail('extension', `extension type 0x${head.toString(16)} at byte ${pos - 1}`);
        }
      } else {
        if (pos + lengthBytes > end) return fail('malformed', `length truncated at byte ${pos}`);
        const length =
          lengthBytes === 1 ? view.getUint8(pos) : lengthBytes === 2 ? view.getUint16(pos) : view.getUint32(pos);
        pos += lengthBytes;
        const kind = LENGTH_KIND.get(head);
        if (kind === 'str') {
          if (length > limits.maxStringBytes) return fail('oversize', `string of ${length} bytes > ${limits.maxStringBytes}`);
          skip = length;
        } else if (kind === 'bin') {
          if (length > limits.maxBinaryBytes) return fail('oversize', `binary of ${length} bytes > ${limits.maxBinaryBytes}`);
          skip = length;
        } else if (kind === 'array') {
          if (length > limits.maxArrayLength) return fail('oversize', `array of ${length} items > ${limits.maxArrayLength}`);
          isContainer = true;
          children = length;
        } else if (kind === 'map') {
          if (length > limits.maxMapLength) return fail('oversize', `map of ${length} entries > ${limits.maxMapLength}`);
          isContainer = true;
          children = length * 2;
        } else {
          return fail('extension', `extension type 0x${head.toString(16)} at byte ${pos - 1 - lengthBytes}`);
        }
      }
    }

    if (isContainer) {
      // Every item takes at least one byte: a count larger than what remains is a lie.
      if (children > end - pos) return fail('malformed', `container claims ${children} items, ${end - pos} bytes remain`);
      if (children > 0) {
        if (pending.length > limits.maxDepth) return fail('too_deep', `nesting deeper than ${limits.maxDepth}`);
        pending.push(children);
      }
    } else {
      if (skip > end - pos) return fail('malformed', `value of ${skip} bytes truncated at byte ${pos}`);
      pos += skip;
    }
    while (pending.length > 0 && pending[pending.length - 1] === 0) pending.pop();
  }

  if (pos !== end) return fail('malformed', `${end - pos} trailing bytes after the value`);
  return OK;
}

/** Fixed-size scalars: floats and sized integers (bytes after the header). */
const FIXED_WIDTH = new Map<number, number>([
  [0xca, 4], [0xcb, 8],
  [0xcc, 1], [0xcd, 2], [0xce, 4], [0xcf, 8],
  [0xd0, 1], [0xd1, 2], [0xd2, 4], [0xd3, 8],
]);

const LENGTH_KIND = new Map<number, 'str' | 'bin' | 'array' | 'map' | 'ext'>([
  [0xd9, 'str'], [0xda, 'str'], [0xdb, 'str'],
  [0xc4, 'bin'], [0xc5, 'bin'], [0xc6, 'bin'],
  [0xdc, 'array'], [0xdd, 'array'],
  [0xde, 'map'], [0xdf, 'map'],
  [0xc7, 'ext'], [0xc8, 'ext'], [0xc9, 'ext'],
]);

function explicitLengthBytes(head: number): 1 | 2 | 4 | undefined {
  switch (head) {
    case 0xd9: case 0xc4: case 0xc7: return 1;
    case 0xda: case 0xc5: case 0xc8: case 0xdc: case 0xde: return 2;
    case 0xdb: case 0xc6: case 0xc9: case 0xdd: case 0xdf: return 4;
    default: return undefined;
  }
}
