import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { openMulticastSocket } from '../../protocol/net/multicast';
import { openUdpSocket } from '../../protocol/net/udp-socket';
import { loadOrCreateIdentity, writePublicKeyFile } from '../../protocol/security/key-files';
import type { Identity } from '../../protocol/security/identity';
import { SecurePacketGuard } from '../../protocol/security/packet-guard';
import { LocalSession } from '../../protocol/security/session';
import type { DatagramSocket } from '../../protocol/transport/datagram-socket';
import { Endpoint } from '../../protocol/transport/endpoint';
import type { CmaConfig } from '../config/cma-config';
import type { Logger } from '../../common/logger';

export type CmaTransport = {
  identity: Identity;
  guard: SecurePacketGuard;
  endpoint: Endpoint;
  /** Whether announcements by multicast reach this CMA (else only unicast ones do). */
  multicast: boolean;
  publicKeyFile: string;
  close(): Promise<void>;
};

/**
 * The CMA's identity (a key file created 0600 on first run, its public half written beside it for
 * nanoprobes to pin) and its one endpoint: a socket on the membership port, joined to the multicast
 * group when the network allows — else unicast only, with a warning naming why.
 */
export async function openCmaTransport(config: CmaConfig['membership'], log: Logger): Promise<CmaTransport> {
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const { identity, created } = loadOrCreateIdentity(path.join(config.stateDir, 'cma.key'));
  const publicKeyFile = path.join(config.stateDir, 'cma.pub');
  writePublicKeyFile(publicKeyFile, identity.publicKeys, 'Unimatrix CMA public keys');
  if (created) log.info({ keyId: identity.keyId, publicKeyFile }, 'created the CMA identity');

  let socket: DatagramSocket;
  let multicast = false;
  if (config.multicast.enabled) {
    try {
      socket = await openMulticastSocket({ group: config.multicast.group, port: config.port, interfaceAddress: config.multicast.interfaceAddress });
      multicast = true;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'multicast unavailable: the CMA listens for unicast announcements only');
      socket = await openUdpSocket({ port: config.port, reuseAddr: true });
    }
  } else {
    socket = await openUdpSocket({ port: config.port });
  }
  // A session of its own per start: an in-process restart (tests) must look like a restart to peers.
  const guard = new SecurePacketGuard({ identity, session: new LocalSession() });
  // Reports and discovery results are acknowledged only once applied and stored (deferred ACK).
  const endpoint = new Endpoint({ socket, guard, autoAck: false });
  return {
    identity,
    guard,
    endpoint,
    multicast,
    publicKeyFile,
    async close() {
      await endpoint.close();
    },
  };
}
