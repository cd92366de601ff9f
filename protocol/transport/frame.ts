/**
 * The transport's own frames, carried inside the guard's body (the guard adds version, kind,
 * authentication and replay protection; these bytes are what it seals or signs).
 *
 *  DATA        [1][flags u8][epoch u32][dst session u64][seq u48][base u48][msg id u32]
 *              [fragment index u16][fragment count u16][payload…]
 *  ACK         [2][flags u8][epoch u32][cumulative ack u48][committed msg id u32][window u16]
 *              [range count u8]([start u48][end u48])…
 *  UNRELIABLE  [3][payload…]
 *  CLOSE       [4][reason u8]
 *  PROBE       [5][epoch u32][dst session u64][base u48]
 *
 * `epoch` numbers the sender's streams to one peer session (a new epoch restarts sequence numbers at
 * 0); `dst session` is the receiver session the sender believes it talks to (0 = not heard from it
 * yet); `base` is the first sequence number of the oldest message the receiver has not yet committed.
 * In an ACK, `cumulative ack` is the next sequence number the receiver expects, ranges are received
 * blocks above it (end exclusive), and `committed` is the lowest message id not yet committed.
 * All integers big-endian. Decoding never throws: bad input comes back as `{ ok: false }`.
 */

export const FRAME_DATA = 1;
export const FRAME_ACK = 2;
export const FRAME_UNRELIABLE = 3;
export const FRAME_CLOSE = 4;
export const FRAME_PROBE = 5;

export const DATA_FLAG_COMPRESSED = 0x01;
export const DATA_FLAG_NEEDS_ACK = 0x02;
export const ACK_FLAG_RESET = 0x01;

export const DATA_HEADER_BYTES = 34;
export const ACK_HEADER_BYTES = 19;
export const ACK_RANGE_BYTES = 12;
export const PROBE_BYTES = 19;
export const MAX_SACK_RANGES = 32;
export const MAX_SEQ = 2 ** 48 - 1;
export const MAX_FRAGMENTS = 0xffff;

export type DataFrame = {
  type: 'data';
  epoch: number;
  dstSession: bigint;
  seq: number;
  base: number;
  msgId: number;
  fragIndex: number;
  fragCount: number;
  compressed: boolean;
  needsAck: boolean;
  payload: Uint8Array;
};

export type SackRange = { start: number; end: number };

export type AckFrame = {
  type: 'ack';
  epoch: number;
  /** The receiver has no usable state for this stream: start a new epoch. */
  reset: boolean;
  cumAck: number;
  committed: number;
  window: number;
  ranges: SackRange[];
};

export type UnreliableFrame = { type: 'unreliable'; payload: Uint8Array };

export const CLOSE_REASON_SHUTDOWN = 0;
export type CloseFrame = { type: 'close'; reason: number };

export type ProbeFrame = { type: 'probe'; epoch: number; dstSession: bigint; base: number };

export type Frame = DataFrame | AckFrame | UnreliableFrame | CloseFrame | ProbeFrame;

export type FrameDecodeResult = { ok: true; frame: Frame } | { ok: false; detail: string };

function writeU48(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 2, value >>> 0);
}

function readU48(view: DataView, offset: number): number {
  return view.getUint16(offset) * 2 ** 32 + view.getUint32(offset + 2);
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`frame field ${name} out of range: ${value}`);
  }
}

/** Encoders throw only on programming errors (a field out of range), never on peer input. */
export function encodeData(f: Omit<DataFrame, 'type'>): Uint8Array {
  checkUint('epoch', f.epoch, 0xffffffff);
  checkUint('seq', f.seq, MAX_SEQ);
  checkUint('base', f.base, f.seq);
  checkUint('msgId', f.msgId, 0xffffffff);
  checkUint('fragCount', f.fragCount, MAX_FRAGMENTS);
  checkUint('fragIndex', f.fragIndex, f.fragCount - 1);
  const out = new Uint8Array(DATA_HEADER_BYTES + f.payload.length);
  const view = new DataView(out.buffer);
  out[0] = FRAME_DATA;
  out[1] = (f.compressed ? DATA_FLAG_COMPRESSED : 0) | (f.needsAck ? DATA_FLAG_NEEDS_ACK : 0);
  view.setUint32(2, f.epoch);
  view.setBigUint64(6, f.dstSession);
  writeU48(view, 14, f.seq);
  writeU48(view, 20, f.base);
  view.setUint32(26, f.msgId);
  view.setUint16(30, f.fragIndex);
  view.setUint16(32, f.fragCount);
  out.set(f.payload, DATA_HEADER_BYTES);
  return out;
}

export function encodeAck(f: Omit<AckFrame, 'type'>): Uint8Array {
  checkUint('epoch', f.epoch, 0xffffffff);
  checkUint('cumAck', f.cumAck, MAX_SEQ);
  checkUint('committed', f.committed, 0xffffffff);
  checkUint('window', f.window, 0xffff);
  checkUint('ranges', f.ranges.length, MAX_SACK_RANGES);
  const out = new Uint8Array(ACK_HEADER_BYTES + ACK_RANGE_BYTES * f.ranges.length);
  const view = new DataView(out.buffer);
  out[0] = FRAME_ACK;
  out[1] = f.reset ? ACK_FLAG_RESET : 0;
  view.setUint32(2, f.epoch);
  writeU48(view, 6, f.cumAck);
  view.setUint32(12, f.committed);
  view.setUint16(16, f.window);
  out[18] = f.ranges.length;
  let offset = ACK_HEADER_BYTES;
  for (const r of f.ranges) {
    checkUint('range.start', r.start, MAX_SEQ);
    checkUint('range.end', r.end, MAX_SEQ);
    writeU48(view, offset, r.start);
    writeU48(view, offset + 6, r.end);
    offset += ACK_RANGE_BYTES;
  }
  return out;
}

export function encodeUnreliable(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + payload.length);
  out[0] = FRAME_UNRELIABLE;
  out.set(payload, 1);
  return out;
}

export function encodeClose(reason: number): Uint8Array {
  checkUint('reason', reason, 0xff);
  return Uint8Array.of(FRAME_CLOSE, reason);
}

export function encodeProbe(f: Omit<ProbeFrame, 'type'>): Uint8Array {
  checkUint('epoch', f.epoch, 0xffffffff);
  checkUint('base', f.base, MAX_SEQ);
  const out = new Uint8Array(PROBE_BYTES);
  const view = new DataView(out.buffer);
  out[0] = FRAME_PROBE;
  view.setUint32(1, f.epoch);
  view.setBigUint64(5, f.dstSession);
  writeU48(view, 13, f.base);
  return out;
}

function fail(detail: string): FrameDecodeResult {
  return { ok: false, detail };
}

function decodeDataFrame(bytes: Uint8Array, view: DataView): FrameDecodeResult {
  if (bytes.length < DATA_HEADER_BYTES) return fail('DATA shorter than its header');
  const flags = bytes[1] ?? 0;
  if ((flags & ~(DATA_FLAG_COMPRESSED | DATA_FLAG_NEEDS_ACK)) !== 0) return fail('DATA has unknown flags');
  const seq = readU48(view, 14);
  const base = readU48(view, 20);
  const fragIndex = view.getUint16(30);
  const fragCount = view.getUint16(32);
  if (base > seq) return fail('DATA base is above its sequence number');
  if (fragCount === 0 || fragIndex >= fragCount) return fail('DATA fragment index outside its count');
  return {
    ok: true,
    frame: {
      type: 'data',
      epoch: view.getUint32(2),
      dstSession: view.getBigUint64(6),
      seq,
      base,
      msgId: view.getUint32(26),
      fragIndex,
      fragCount,
      compressed: (flags & DATA_FLAG_COMPRESSED) !== 0,
      needsAck: (flags & DATA_FLAG_NEEDS_ACK) !== 0,
      payload: bytes.subarray(DATA_HEADER_BYTES),
    },
  };
}

function decodeAckFrame(bytes: Uint8Array, view: DataView): FrameDecodeResult {
  if (bytes.length < ACK_HEADER_BYTES) return fail('ACK shorter than its header');
  const flags = bytes[1] ?? 0;
  if ((flags & ~ACK_FLAG_RESET) !== 0) return fail('ACK has unknown flags');
  const count = bytes[18] ?? 0;
  if (count > MAX_SACK_RANGES) return fail('ACK has too many ranges');
  if (bytes.length !== ACK_HEADER_BYTES + ACK_RANGE_BYTES * count) return fail('ACK length does not match its ranges');
  const cumAck = readU48(view, 6);
  const ranges: SackRange[] = [];
  let floor = cumAck;
  for (let i = 0; i < count; i++) {
    const offset = ACK_HEADER_BYTES + i * ACK_RANGE_BYTES;
    const start = readU48(view, offset);
    const end = readU48(view, offset + 6);
    // Ranges must sit strictly above the cumulative ack and above each other, so a hostile ACK
    // cannot make the sender walk an enormous or overlapping span.
    if (start <= floor || end <= start) return fail('ACK ranges are not ascending and disjoint above the cumulative ack');
    ranges.push({ start, end });
    floor = end;
  }
  return {
    ok: true,
    frame: {
      type: 'ack',
      epoch: view.getUint32(2),
      reset: (flags & ACK_FLAG_RESET) !== 0,
      cumAck,
      committed: view.getUint32(12),
      window: view.getUint16(16),
      ranges,
    },
  };
}

export function decodeFrame(bytes: Uint8Array): FrameDecodeResult {
  if (bytes.length === 0) return fail('empty frame');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bytes[0]) {
    case FRAME_DATA:
      return decodeDataFrame(bytes, view);
    case FRAME_ACK:
      return decodeAckFrame(bytes, view);
    case FRAME_UNRELIABLE:
      return { ok: true, frame: { type: 'unreliable', payload: bytes.subarray(1) } };
    case FRAME_CLOSE:
      if (bytes.length !== 2) return fail('CLOSE must be 2 bytes');
      return { ok: true, frame: { type: 'close', reason: bytes[1] ?? 0 } };
    case FRAME_PROBE:
      if (bytes.length !== PROBE_BYTES) return fail(`PROBE must be ${PROBE_BYTES} bytes`);
      return {
        ok: true,
        frame: { type: 'probe', epoch: view.getUint32(1), dstSession: view.getBigUint64(5), base: readU48(view, 13) },
      };
    default:
      return fail(`unknown frame type ${bytes[0]}`);
  }
}
