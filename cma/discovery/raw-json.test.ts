import { decodeRawJson, encodeRawJson, RAW_JSON_INLINE_CHARS } from './raw-json';

describe('raw JSON as kept on a DiscoveryResult', () => {
  it('short documents stay text, long ones are deflated and come back exactly', () => {
    const short = JSON.stringify({ a: 'é'.repeat(10) });
    expect(encodeRawJson(short)).toEqual({ json: short, jsonDeflate: null });
    const long = JSON.stringify({ processes: Array.from({ length: 400 }, (_, i) => ({ pid: i, name: `worker-${i}`, cmdline: `/usr/bin/worker --id ${i} ✓` })) });
    expect(long.length).toBeGreaterThan(RAW_JSON_INLINE_CHARS);
    const kept = encodeRawJson(long);
    expect(kept.json).toBeNull();
    expect(kept.jsonDeflate!.byteLength).toBeLessThan(long.length / 3);
    expect(decodeRawJson(kept.json, kept.jsonDeflate)).toBe(long);
    expect(kept.jsonDeflate).toBeInstanceOf(Int8Array);
    // The driver may hand bytes back as a plain number array.
    expect(decodeRawJson(null, [...kept.jsonDeflate!])).toBe(long);
    expect(decodeRawJson(null, new Uint8Array(kept.jsonDeflate!.buffer, kept.jsonDeflate!.byteOffset, kept.jsonDeflate!.byteLength))).toBe(long);
  });

  it('neither property: nothing; bytes that are not deflate: an error, not a wrong document', () => {
    expect(decodeRawJson(null, null)).toBeNull();
    expect(decodeRawJson(undefined, undefined)).toBeNull();
    expect(() => decodeRawJson(null, new Uint8Array([1, 2, 3, 255, 254]))).toThrow();
  });
});
