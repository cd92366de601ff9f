import { deflateRawSync } from 'node:zlib';
import type { DataFrame } from './frame';
import { resolveTransportOptions, type TransportOptionsInput } from './options';
import { ReceiveStream } from './receive-stream';
import { createTransportCounters } from './transport-counters';

function frame(seq: number, msgId: number, fragIndex: number, fragCount: number, payload: Uint8Array, compressed = false): DataFrame {
  return { type: 'data', epoch: 1, dstSession: 0n, seq, base: 0, msgId, fragIndex, fragCount, compressed, needsAck: false, payload };
}

function setup(options: TransportOptionsInput = {}) {
  const counters = createTransportCounters();
  const delivered: { msgId: number; bytes: Uint8Array }[] = [];
  const stream = new ReceiveStream(1, resolveTransportOptions(options), counters, (msgId, bytes) => delivered.push({ msgId, bytes }), 0);
  return { counters, delivered, stream };
}

describe('ReceiveStream', () => {
  it('reassembles out-of-order fragments in order and suppresses duplicates', () => {
    const { stream, delivered, counters } = setup();
    const f = [frame(0, 0, 0, 2, Uint8Array.of(1)), frame(1, 0, 1, 2, Uint8Array.of(2)), frame(2, 1, 0, 1, Uint8Array.of(3))];
    expect(stream.onData(f[2]!, 0)).toBe('ack_soon');
    expect(stream.ackFields().ranges).toEqual([{ start: 2, end: 3 }]);
    expect(stream.onData(f[1]!, 0)).toBe('ack_soon');
    expect(delivered).toHaveLength(0);
    expect(stream.onData(f[2]!, 0)).toBe('ack_now');
    stream.onData(f[0]!, 0);
    expect(delivered.map((d) => [d.msgId, [...d.bytes]])).toEqual([
      [0, [1, 2]],
      [1, [3]],
    ]);
    expect(stream.onData(f[0]!, 0)).toBe('ack_now');
    expect(counters.get('duplicates_suppressed')).toBe(2);
    expect(stream.ackFields()).toMatchObject({ cumAck: 3, committed: 0, ranges: [] });
  });

  it('drops (and counts) datagrams beyond its buffer', () => {
    const { stream, counters } = setup({ windowDatagrams: 4, maxBufferedFragments: 4 });
    expect(stream.onData(frame(4, 0, 0, 1, Uint8Array.of(1)), 0)).toBe('ack_now');
    expect(counters.get('dropped_beyond_window')).toBe(1);
    expect(stream.stats().buffered).toBe(0);
    stream.onData(frame(3, 0, 0, 1, Uint8Array.of(1)), 0);
    expect(stream.stats().buffered).toBe(1);
  });

  it('refuses a message announcing too many fragments, and carries on with the next one', () => {
    const { stream, delivered, counters } = setup({ maxFragmentsPerMessage: 3 });
    for (let i = 0; i < 4; i++) stream.onData(frame(i, 0, i, 4, Uint8Array.of(i)), 0);
    stream.onData(frame(4, 1, 0, 1, Uint8Array.of(42)), 0);
    expect(counters.get('dropped_too_many_fragments')).toBe(1);
    expect(delivered.map((d) => d.msgId)).toEqual([1]);
    // The refused message still counts as consumed, so the sender is released from it.
    expect(stream.ackFields().committed).toBe(1);
  });

  it('refuses a message over the size cap, and an inflated message over the cap ("zip bomb")', () => {
    const { stream, delivered, counters } = setup({ maxMessageBytes: 1000 });
    stream.onData(frame(0, 0, 0, 2, new Uint8Array(600)), 0);
    stream.onData(frame(1, 0, 1, 2, new Uint8Array(600)), 0);
    expect(counters.get('dropped_oversize')).toBe(1);
    const bomb = deflateRawSync(new Uint8Array(50_000));
    expect(bomb.length).toBeLessThan(1000);
    stream.onData(frame(2, 1, 0, 1, bomb, true), 0);
    expect(counters.get('dropped_oversize')).toBe(2);
    stream.onData(frame(3, 2, 0, 1, Uint8Array.of(1, 2, 3), true), 0);
    expect(counters.get('dropped_decompress_failed')).toBe(1);
    stream.onData(frame(4, 3, 0, 1, deflateRawSync(Uint8Array.of(7, 7, 7)), true), 0);
    expect(delivered.map((d) => [d.msgId, [...d.bytes]])).toEqual([[3, [7, 7, 7]]]);
  });

  it('holds deliveries while the application has too many uncommitted messages, and closes the window', () => {
    const { stream, delivered } = setup({ maxUncommittedMessages: 2 });
    for (let i = 0; i < 4; i++) stream.onData(frame(i, i, 0, 1, Uint8Array.of(i)), 0);
    expect(delivered.map((d) => d.msgId)).toEqual([0, 1]);
    expect(stream.ackFields()).toMatchObject({ cumAck: 4, committed: 0, window: 0 });
    expect(stream.commit(1)).toBe(true);
    expect(stream.ackFields().committed).toBe(0); // 0 is still uncommitted: commits are cumulative
    expect(delivered.map((d) => d.msgId)).toEqual([0, 1, 2]);
    expect(stream.commit(1)).toBe(false);
    expect(stream.commit(0)).toBe(true);
    expect(stream.ackFields()).toMatchObject({ committed: 2, window: 64 });
    expect(delivered.map((d) => d.msgId)).toEqual([0, 1, 2, 3]);
    expect(stream.commit(9)).toBe(false);
  });

  it('gives up on a hole after the reassembly timeout', () => {
    const { stream } = setup({ reassemblyTimeoutMs: 1000 });
    stream.onData(frame(1, 0, 1, 2, Uint8Array.of(1)), 0);
    expect(stream.stalled(999)).toBe(false);
    expect(stream.stalled(1000)).toBe(true);
    stream.die();
    expect(stream.onData(frame(0, 0, 0, 2, Uint8Array.of(1)), 1001)).toBe('reset');
  });

  it('treats a fragment out of place as a protocol violation', () => {
    const { stream, counters } = setup();
    expect(stream.onData(frame(0, 5, 0, 1, Uint8Array.of(1)), 0)).toBe('reset');
    expect(counters.get('dropped_malformed')).toBe(1);
    expect(stream.dead).toBe(true);
  });
});
