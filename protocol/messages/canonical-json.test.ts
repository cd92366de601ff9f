import fc from 'fast-check';
import { canonicalJson, contentHash } from './canonical-json';

describe('canonical JSON', () => {
  test('key order does not matter, at any depth; array order does', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(contentHash({ x: 1, y: 2 })).toBe(contentHash({ y: 2, x: 1 }));
    expect(contentHash([1, 2])).not.toBe(contentHash([2, 1]));
  });

  test('parses back to an equal value, and shuffling keys keeps the hash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reversed = JSON.parse(text, (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        expect(contentHash(reversed)).toBe(contentHash(value));
      }),
    );
  });
});
