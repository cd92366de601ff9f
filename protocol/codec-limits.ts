/**
 * Hard caps for decoding a message body. They bound what a hostile datagram (or a hostile reassembled
 * message) can make us allocate or compute, before any schema sees it. Every cap is checked against
 * the bytes actually present, so a length prefix alone never allocates anything.
 */

/** Largest message body (type + payload). Equal to the reliable transport's reassembly cap. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Largest single msgpack string (bytes of UTF-8). Discovery output lines and paths fit easily. */
export const MAX_STRING_BYTES = 1024 * 1024;

/** Largest single msgpack binary. Keys are 32 bytes; nothing in the protocol needs more than this. */
export const MAX_BINARY_BYTES = 1024 * 1024;

/** Most elements in one msgpack array, and most entries in one map. */
export const MAX_ARRAY_LENGTH = 1_000_000;
export const MAX_MAP_LENGTH = 1_000_000;

/** Deepest nesting of arrays and maps (payload plus any JSON document inside it). */
export const MAX_NESTING_DEPTH = 64;

/** Bytes in the type header before the msgpack payload. */
export const TYPE_HEADER_BYTES = 2;

export type CodecLimits = {
  maxStringBytes: number;
  maxBinaryBytes: number;
  maxArrayLength: number;
  maxMapLength: number;
  maxDepth: number;
};

export const DEFAULT_CODEC_LIMITS: Readonly<CodecLimits> = Object.freeze({
  maxStringBytes: MAX_STRING_BYTES,
  maxBinaryBytes: MAX_BINARY_BYTES,
  maxArrayLength: MAX_ARRAY_LENGTH,
  maxMapLength: MAX_MAP_LENGTH,
  maxDepth: MAX_NESTING_DEPTH,
});
