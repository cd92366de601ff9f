import fc from 'fast-check';
import {
  decodeFrame,
  encodeAck,
  encodeClose,
  encodeData,
  encodeProbe,
  encodeUnreliable,
  DATA_HEADER_BYTES,
  MAX_SEQ,
  type AckFrame,
  type DataFrame,
} from './frame';

describe('transport frames', () => {
  const data: Omit<DataFrame, 'type'> = {
    epoch: 7,
    dstSession: 0xfedcba9876543210n,
    seq: 2 ** 40 + 5,
    base: 2 ** 40,
    msgId: 123456,
    fragIndex: 2,
    fragCount: 3,
    compressed: true,
    needsAck: false,
    payload: Uint8Array.of(1, 2, 3),
  };

  it('round-trips a DATA frame, including 48-bit sequence numbers', () => {
    const bytes = encodeData(data);
    expect(bytes.length).toBe(DATA_HEADER_BYTES + 3);
    const decoded = decodeFrame(bytes);
    expect(decoded).toEqual({ ok: true, frame: { type: 'data', ...data } });
  });

  it('round-trips ACK (with ranges), UNRELIABLE, CLOSE and PROBE frames', () => {
    const ack: Omit<AckFrame, 'type'> = {
      epoch: 1,
      reset: false,
      cumAck: 10,
      committed: 4,
      window: 64,
      ranges: [
        { start: 12, end: 14 },
        { start: 20, end: 21 },
      ],
    };
    expect(decodeFrame(encodeAck(ack))).toEqual({ ok: true, frame: { type: 'ack', ...ack } });
    expect(decodeFrame(encodeAck({ ...ack, reset: true, ranges: [] }))).toEqual({
      ok: true,
      frame: { type: 'ack', ...ack, reset: true, ranges: [] },
    });
    expect(decodeFrame(encodeUnreliable(Uint8Array.of(9, 8)))).toEqual({
      ok: true,
      frame: { type: 'unreliable', payload: Uint8Array.of(9, 8) },
    });
    expect(decodeFrame(encodeClose(0))).toEqual({ ok: true, frame: { type: 'close', reason: 0 } });
    const probe = { epoch: 3, dstSession: 5n, base: MAX_SEQ };
    expect(decodeFrame(encodeProbe(probe))).toEqual({ ok: true, frame: { type: 'probe', ...probe } });
  });

  it('refuses inconsistent frames with a reason instead of throwing', () => {
    const bytes = encodeData(data);
    const badIndex = bytes.slice();
    badIndex[31] = 9; // fragment index 9 of 3
    expect(decodeFrame(badIndex).ok).toBe(false);
    const zeroCount = bytes.slice();
    zeroCount[32] = 0;
    zeroCount[33] = 0;
    expect(decodeFrame(zeroCount).ok).toBe(false);
    expect(decodeFrame(bytes.subarray(0, DATA_HEADER_BYTES - 1)).ok).toBe(false);
    expect(decodeFrame(new Uint8Array(0)).ok).toBe(false);
    expect(decodeFrame(Uint8Array.of(99)).ok).toBe(false);
    const overlapping = encodeAck({ epoch: 1, reset: false, cumAck: 10, committed: 0, window: 1, ranges: [{ start: 12, end: 14 }, { start: 13, end: 15 }] });
    expect(decodeFrame(overlapping)).toMatchObject({ ok: false });
    const belowCum = encodeAck({ epoch: 1, reset: false, cumAck: 10, committed: 0, window: 1, ranges: [{ start: 10, end: 14 }] });
    expect(decodeFrame(belowCum)).toMatchObject({ ok: false });
  });

  it('refuses out-of-range fields when encoding (programming errors)', () => {
    expect(() => encodeData({ ...data, fragIndex: 3 })).toThrow(RangeError);
    expect(() => encodeData({ ...data, base: data.seq + 1 })).toThrow(RangeError);
    expect(() => encodeData({ ...data, seq: MAX_SEQ + 1, base: 0 })).toThrow(RangeError);
  });

  it('never throws on random or mutated input', () => {
    const valid = [
      encodeData(data),
      encodeAck({ epoch: 1, reset: false, cumAck: 3, committed: 1, window: 8, ranges: [{ start: 5, end: 6 }] }),
      encodeProbe({ epoch: 1, dstSession: 1n, base: 0 }),
      encodeClose(0),
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = decodeFrame(bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 255 }), (frame, pos, value) => {
        const mutated = frame.slice();
        mutated[pos % mutated.length] = value;
        const r = decodeFrame(mutated);
        if (r.ok && r.frame.type === 'data') {
          expect(r.frame.fragIndex).toBeLessThan(r.frame.fragCount);
          expect(r.frame.base).toBeLessThanOrEqual(r.frame.seq);
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
