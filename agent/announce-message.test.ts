import { decodeMessage } from '../protocol/codec';
import { buildAnnounce, type AnnounceFields } from './announce-message';

const fields = (n: number): AnnounceFields => ({
  hostname: 'web-01',
  addresses: Array.from({ length: n }, (_, i) => ({ ip: `10.${i >> 8}.${i & 255}.1`, prefixLength: 24, interface: `veth${i}` })),
  port: 40000,
  ed25519: new Uint8Array(32).fill(1),
  x25519: new Uint8Array(32).fill(2),
  startTime: 1_800_000_000_000,
  softwareVersion: '0.1.0',
  role: 'nanoprobe',
});

describe('buildAnnounce', () => {
  it('encodes every address when they fit', () => {
    const built = buildAnnounce(fields(3), 1000);
    expect(built.droppedAddresses).toBe(0);
    const decoded = decodeMessage(built.bytes);
    expect(decoded.ok && decoded.message.type === 'ANNOUNCE' && decoded.message.payload.addresses).toHaveLength(3);
  });

  it('drops trailing addresses so that the announcement fits in one datagram', () => {
    const built = buildAnnounce(fields(200), 1000);
    expect(built.bytes.byteLength).toBeLessThanOrEqual(1000);
    expect(built.droppedAddresses).toBeGreaterThan(0);
    expect(built.payload.addresses.length + built.droppedAddresses).toBe(200);
    expect(built.payload.addresses[0]?.ip).toBe('10.0.0.1');
    // As many as fit: one more would not.
    const oneMore = buildAnnounce({ ...fields(built.payload.addresses.length + 1) }, 100_000);
    expect(oneMore.bytes.byteLength).toBeGreaterThan(1000);
  });

  it('refuses a limit too small for the announcement itself', () => {
    expect(() => buildAnnounce(fields(1), 50)).toThrow(RangeError);
  });
});
