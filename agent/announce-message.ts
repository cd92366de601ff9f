/**
 * The ANNOUNCE a nanoprobe sends: who it is (host name, keys), where it can be reached (addresses and
 * the UDP port of its one socket), and which run this is (start time). It travels SIGNED in one
 * datagram, so a host with very many addresses (container bridges, VIP aliases) announces as many as
 * fit, in the order given, and says how many it left out.
 */
import { encodeMessage } from '../protocol/codec';
import { makeMessage, type PayloadOf } from '../protocol/message-types';
import type { AnnouncedAddress } from './host-addresses';

export type AnnouncePayload = PayloadOf<'ANNOUNCE'>;

export type AnnounceFields = Omit<AnnouncePayload, 'addresses'> & { addresses: AnnouncedAddress[] };

export type BuiltAnnounce = { bytes: Uint8Array; payload: AnnouncePayload; droppedAddresses: number };

/** Encodes the announcement in at most `maxBodyBytes`, dropping trailing addresses if it must. */
export function buildAnnounce(fields: AnnounceFields, maxBodyBytes: number): BuiltAnnounce {
  const all = fields.addresses;
  let keep = all.length;
  for (;;) {
    const payload: AnnouncePayload = { ...fields, addresses: all.slice(0, keep) };
    const bytes = encodeMessage(makeMessage('ANNOUNCE', payload));
    if (bytes.byteLength <= maxBodyBytes) return { bytes, payload, droppedAddresses: all.length - keep };
    if (keep === 0) throw new RangeError(`ANNOUNCE is ${bytes.byteLength} bytes without any address; the limit is ${maxBodyBytes}`);
    // Each address costs at least ~15 bytes encoded; jump close to the answer, then step.
    const excess = bytes.byteLength - maxBodyBytes;
    keep = Math.max(0, keep - Math.max(1, Math.floor(excess / 64)));
  }
}
