/**
 * How a result's raw JSON is kept on its DiscoveryResult node: short documents as text in `d.json`
 * (readable in Cypher as they are), longer ones deflated in `d.json_deflate` (bytes) with `d.json`
 * null. The long ones are the process, package and socket lists of every host, rewritten at every
 * change: deflated they are a fraction of the bytes for the store, the transaction log and the
 * driver to move (under a third for a 300-entry list in test/discovery/ingest-neo4j.test.ts; the
 * statement's time in docs/performance.md, "Raw JSON deflated"). `GET /api/hosts/<h>/discovery/<type>`
 * returns either form as JSON.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Documents up to this many characters stay plain text. */
export const RAW_JSON_INLINE_CHARS = 4096;

/** Int8Array: the driver sends only that as a Neo4j byte[] (any other array becomes a list of integers). */
export type StoredRawJson = { json: string | null; jsonDeflate: Int8Array | null };

export function encodeRawJson(text: string, inlineChars = RAW_JSON_INLINE_CHARS): StoredRawJson {
  if (text.length <= inlineChars) return { json: text, jsonDeflate: null };
  // Level 1: the CMA's CPU is the changed pass's bottleneck; higher levels gain little on JSON.
  const bytes = deflateRawSync(Buffer.from(text, 'utf8'), { level: 1 });
  return { json: null, jsonDeflate: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** The text back from what a node holds (either property may be absent); null when neither is. */
export function decodeRawJson(json: unknown, jsonDeflate: unknown): string | null {
  if (typeof json === 'string') return json;
  if (ArrayBuffer.isView(jsonDeflate)) {
    return inflateRawSync(new Uint8Array(jsonDeflate.buffer, jsonDeflate.byteOffset, jsonDeflate.byteLength)).toString('utf8');
  }
  if (Array.isArray(jsonDeflate)) return inflateRawSync(Int8Array.from(jsonDeflate as number[])).toString('utf8');
  return null;
}
