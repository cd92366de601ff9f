import { encodeMessage } from '../../protocol/codec';
import { makeMessage, type Message } from '../../protocol/message-types';
import type { Endpoint } from '../../protocol/transport/endpoint';
import type { HostId } from '../membership/types';
import type { Logger } from '../../common/logger';
import type { PeerDirectory } from './peer-directory';

export type PeerSenderDeps = {
  endpoint: Pick<Endpoint, 'sendReliable' | 'sendUnreliable'>;
  peers: PeerDirectory;
  /** Whether the service is stopping: nothing new is sent then. */
  stopped: () => boolean;
  count: (what: string) => void;
  log: Logger;
};

/**
 * The CMA's messages to one known host, at the address the peer directory holds for it (the source
 * of its last announcement, or the graph's record after a restart): reliable ones (CONFIG-like,
 * REJOIN) and the unreliable PROBE, which the prober repeats itself.
 */
export class PeerSender {
  constructor(private readonly deps: PeerSenderDeps) {}

  /** Sends reliably; resolves when the host acknowledged it. Rejects for a host the CMA does not know. */
  async reliable(host: HostId, message: Message): Promise<void> {
    const peer = this.deps.peers.get(host);
    if (!peer) throw new Error(`unknown host ${host}`);
    await this.deps.endpoint.sendReliable(host, { host: peer.endpoint.ip, port: peer.endpoint.port }, encodeMessage(message));
  }

  /**
   * Asks a host the CMA holds as no member to announce again. It names the host's last accepted join,
   * so that a REJOIN still being retransmitted after the host joined again is recognised as stale by
   * the nanoprobe (the transport cannot take back a reliable message once queued).
   */
  rejoin(host: HostId, reason: string): Promise<void> {
    const peer = this.deps.peers.get(host);
    if (!peer || this.deps.stopped()) return Promise.reject(new Error(`cannot ask ${host} to rejoin`));
    return this.reliable(host, makeMessage('REJOIN', { reason, joinId: peer.joinId ?? 0 }));
  }

  /** One PROBE datagram; a failure to send is only logged (the prober tries again). */
  probe(host: HostId, probeId: number): void {
    const peer = this.deps.peers.get(host);
    if (!peer || this.deps.stopped()) return;
    this.deps.count('probe_sent');
    try {
      this.deps.endpoint.sendUnreliable(host, { host: peer.endpoint.ip, port: peer.endpoint.port }, encodeMessage(makeMessage('PROBE', { probeId, sentAt: Date.now() })));
    } catch (err) {
      this.deps.log.warn({ host: peer.hostname, err: (err as Error).message }, 'probe not sent');
    }
  }
}
