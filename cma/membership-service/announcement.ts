import { samePublicKeys, type PublicKeys } from '../../protocol/security/identity';
import type { PayloadOf } from '../../protocol/message-types';
import { isLoopback, networkOf } from '../discovery/ip-network';
import type { JoinInput } from '../fleet/host-store';
import type { RingHost, TopologyPlacement } from '../membership/types';

export type Announce = PayloadOf<'ANNOUNCE'>;

export type CheckedAnnouncement = {
  keyid: string;
  keys: PublicKeys;
  hostname: string;
  /** Where the CMA (and partners on the global ring) reach the nanoprobe. */
  endpoint: { ip: string; port: number };
  ringHost: RingHost;
  join: Omit<JoinInput, 'at'>;
};

export type AnnouncementProblem = { code: 'UNI_SEC_011'; reason: string };

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * Checks a signed ANNOUNCE and derives what membership needs. The keys in the payload must be the
 * ones that signed the packet: that binds the host name to the key, so nobody can announce in
 * another host's name with their own key. The source address of the datagram (not what the host
 * claims) is where the host is reached; its subnet comes from the announced address that matches it.
 */
export function checkAnnouncement(
  payload: Announce,
  signer: { keyid: string; keys: PublicKeys | undefined },
  source: { host: string },
): CheckedAnnouncement | AnnouncementProblem {
  if (signer.keys === undefined) return { code: 'UNI_SEC_011', reason: 'ANNOUNCE must be sent signed' };
  if (!samePublicKeys(signer.keys, { ed25519: payload.ed25519, x25519: payload.x25519 })) {
    return { code: 'UNI_SEC_011', reason: 'announced keys differ from the keys that signed the packet' };
  }
  const ip = source.host.replace(/^::ffff:/, '');
  const endpoint = { ip, port: payload.port };
  const matching = payload.addresses.find((a) => a.ip === ip);
  const placements: TopologyPlacement[] = [];
  const subnet = matching ? networkOf(matching.ip, matching.prefixLength) : null;
  // A host reached through NAT or on loopback still gets a segment: its own address as a /32 or
  // loopback's /8, so its ring position is well defined.
  const segment = subnet ?? (isLoopback(ip) ? '127.0.0.0/8' : `${ip}/32`);
  placements.push({ kind: 'subnet', key: segment, address: endpoint });
  return {
    keyid: signer.keyid,
    keys: signer.keys,
    hostname: payload.hostname,
    endpoint,
    ringHost: { id: signer.keyid, address: endpoint, placements },
    join: {
      name: payload.hostname,
      keyid: signer.keyid,
      addresses: payload.addresses.map((a) => `${a.ip}/${a.prefixLength}`),
      role: payload.role,
      startedAt: payload.startTime,
      keys: { ed25519: b64(payload.ed25519), x25519: b64(payload.x25519) },
      endpoint,
    },
  };
}
