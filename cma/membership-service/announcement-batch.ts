import { encodeMessage } from '../../protocol/codec';
import { makeMessage, type PayloadOf } from '../../protocol/message-types';
import type { Identity } from '../../protocol/security/identity';
import type { SecurePacketGuard } from '../../protocol/security/packet-guard';
import type { TrustStore } from '../../protocol/security/trust-store';
import type { Endpoint, IncomingMessage } from '../../protocol/transport/endpoint';
import type { AlertService } from '../alerts/alert-service';
import type { HostStore, JoinInput } from '../fleet/host-store';
import type { Membership } from '../membership/membership';
import type { HostId } from '../membership/types';
import type { Logger } from '../../common/logger';
import { checkAnnouncement, type CheckedAnnouncement } from './announcement';
import type { EventQueue } from './event-queue';
import type { MembershipWriter } from './membership-writer';
import type { Peer, PeerDirectory } from './peer-directory';

/** Answered announcements of one process, without a CONFIG acknowledged, that make it a refuser. */
const REFUSAL_REPEATS = 2;
/** Two announcements closer than this are one try seen twice. */
const REFUSAL_REPEAT_GAP_MS = 300;

type Pending = { incoming: IncomingMessage; payload: PayloadOf<'ANNOUNCE'> };
type Candidate = { checked: CheckedAnnouncement; incoming: IncomingMessage; startTime: number };
type Verdict = { accepted: true; joinId: number } | { accepted: false; code: string; reason: string };

export type AnnouncementBatchDeps = {
  /** The CMA's identity (it signs the answers), its packet guard (learns the keys), its endpoint. */
  transport: { identity: Identity; guard: Pick<SecurePacketGuard, 'learnPeer'>; endpoint: Pick<Endpoint, 'sendSigned'> };
  trust: Pick<TrustStore, 'admit'>;
  hosts: Pick<HostStore, 'joinMany' | 'setStatus'>;
  alerts: Pick<AlertService, 'raise' | 'clearMany'>;
  peers: PeerDirectory;
  membership: () => Membership;
  events: EventQueue;
  /** Stores the joins behind the event (in order with the decisions that follow them). */
  writer: Pick<MembershipWriter, 'fact'>;
  /** Every accepted announcement, a repeat included: the host is talking to this CMA now. */
  accepted: (host: HostId) => void;
  /** An accepted announcement that is a join (not a repeat of one), once stored: its listeners run. */
  joined: (peer: { keyid: HostId; hostname: string }) => void;
  /** A join of an agent that is no ring member (role 'poller'): the poller feature's to take on. */
  agentJoined?: (peer: { keyid: HostId; hostname: string; role: string }) => void;
  count: (what: string) => void;
  log: Logger;
  /** Wall-clock milliseconds (tests pin it). */
  now?: () => number;
};

/**
 * Announcements arrive in bursts (a fleet booting, every host after a CMA restart). They are gathered
 * while the event queue is busy and handled as one event: each is checked (its keys must be the
 * signer's), the new keys of the whole burst are admitted together (one write of the trust file, not
 * one per host), the joins are queued as one graph transaction (membership-writer.ts), and each host
 * gets its signed ANNOUNCE_ACK and the Membership state machine hears of it.
 */
export class AnnouncementBatch {
  private readonly pending: Pending[] = [];
  private flushQueued = false;

  private readonly now: () => number;

  constructor(private readonly deps: AnnouncementBatchDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Takes one ANNOUNCE; the burst it belongs to is handled by the next flush. */
  add(incoming: IncomingMessage, payload: PayloadOf<'ANNOUNCE'>): void {
    this.pending.push({ incoming, payload });
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.deps.events.post(() => this.flush());
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const candidates: Candidate[] = [];
    for (const { incoming, payload } of this.pending.splice(0)) {
      const checked = checkAnnouncement(payload, { keyid: incoming.peer, keys: incoming.signerKeys }, incoming.address);
      if ('code' in checked) {
        this.deps.count('announce_refused');
        this.reply(incoming, payload.startTime, { accepted: false, code: checked.code, reason: checked.reason });
        continue;
      }
      candidates.push({ checked, incoming, startTime: payload.startTime });
    }
    const accepted = await this.admit(candidates);
    if (accepted.size === 0) return;

    const joins: JoinInput[] = [...accepted.values()].map(({ checked }) => ({ ...checked.join, at: Date.now() }));
    // Stored behind the event, ahead of every decision the joins lead to: answering and ringing the
    // hosts does not wait for Neo4j (its Host nodes may be locked by discovery writes).
    const joinsStored = this.deps.writer.fact('joins', async () => {
      const stored = await this.deps.hosts.joinMany(joins);
      await this.resolveStaleHostDowns(joins, stored);
    });
    for (const candidate of accepted.values()) this.accept(candidate, joinsStored);
    this.deps.count('announce_accepted');
  }

  /**
   * A host the graph holds as down or left that announces is back, whatever this CMA's memory says:
   * its HostDown is resolved here. The state machine resolves the hosts it holds as dead itself; this
   * covers the others — a HostDown left firing when the host then left gracefully, or one a crashed
   * CMA never got to resolve — which nothing else would ever close (resolving twice is a no-op).
   */
  private async resolveStaleHostDowns(joins: JoinInput[], stored: Array<{ previousStatus: string | null }>): Promise<void> {
    const back = joins.filter((_, i) => stored[i]?.previousStatus === 'down' || stored[i]?.previousStatus === 'left');
    if (back.length === 0) return;
    // One write for the whole burst: after a site outage every host of it comes back at once.
    const at = back[0]!.at;
    const closed = await this.deps.alerts.clearMany('HostDown', back.map((j) => j.name), at, 'back (announce)');
    for (let n = 0; n < closed; n++) this.deps.count('stale_host_down_resolved');
  }


  /**
   * Asks the trust store about every candidate at once: each admission still decides in turn (in
   * arrival order), and the new pins of the whole burst share one or two writes of the trust file.
   * A refused key raises HostKeyRefused and is answered; the others are returned, one per host.
   */
  private async admit(candidates: Candidate[]): Promise<Map<HostId, Candidate>> {
    const verdicts = await Promise.all(candidates.map(({ checked }) => this.deps.trust.admit(checked.hostname, checked.keys)));
    const accepted = new Map<HostId, Candidate>();
    for (const [i, candidate] of candidates.entries()) {
      const { checked, incoming, startTime } = candidate;
      const decision = verdicts[i]!;
      if (decision.status === 'pinned' || decision.status === 'known') {
        accepted.set(checked.keyid, candidate);
        continue;
      }
      this.deps.count(`announce_${decision.status}`);
      this.deps.log.warn({ host: checked.hostname, keyid: checked.keyid, status: decision.status }, 'announcement refused by the trust store');
      await this.deps.alerts.raise('HostKeyRefused', checked.hostname, {
        annotations: { summary: `${checked.hostname} announced with key ${checked.keyid}: ${decision.error.message}`, code: decision.error.code },
        hosts: [],
        at: Date.now(),
      });
      this.reply(incoming, startTime, { accepted: false, code: decision.error.code, reason: decision.error.message });
    }
    return accepted;
  }

  /** A stored announcement: remember the peer, answer it, and (unless a repeat) join it to the rings. */
  private accept({ checked, incoming, startTime }: Candidate, joinsStored: Promise<void>): void {
    const { peers, transport } = this.deps;
    const known = peers.get(checked.keyid);
    if (known?.refusing === true && known.startTime === startTime) {
      // It refuses this CMA; answered all the same (its key may be put right), never joined again.
      this.deps.count('announce_from_refusing_host');
      this.reply(incoming, startTime, { accepted: true, joinId: known.joinId ?? 0 });
      return;
    }
    // The same process announcing again (its ACK crossed a retry): answer, but its CONFIG is already
    // on its way over the reliable channel — another one would only be sent twice. The answer repeats
    // the join id too: it is the same join.
    const sameJoin =
      known?.startTime === startTime &&
      known.endpoint.ip === checked.endpoint.ip &&
      known.endpoint.port === checked.endpoint.port &&
      this.deps.membership().status(checked.keyid) === 'live';
    if (known?.startTime === startTime && known.joinId !== undefined && this.deps.membership().status(checked.keyid) === 'dead') {
      // The very process this CMA declared dead announces: it was alive all along (stalled, cut off,
      // starved). Its death is undone by this join; counted, so false deaths show in the metrics.
      this.deps.count('false_deaths_undone');
      this.deps.log.warn({ host: checked.hostname }, 'a host declared dead was alive: the same process announced again');
    }
    if (sameJoin && known.joinId !== undefined) {
      transport.guard.learnPeer(checked.keyid, checked.keys);
      this.deps.accepted(checked.keyid);
      this.reply(incoming, startTime, { accepted: true, joinId: known.joinId });
      this.deps.count('announce_repeated');
      this.noteRepeat(known);
      return;
    }
    const joinId = peers.nextJoinId(checked.keyid);
    peers.set({ keyid: checked.keyid, hostname: checked.hostname, role: checked.join.role, keys: checked.keys, endpoint: checked.endpoint, startTime, joinId, lastRepeatAt: this.now() });
    transport.guard.learnPeer(checked.keyid, checked.keys);
    this.deps.accepted(checked.keyid);
    this.reply(incoming, startTime, { accepted: true, joinId });
    if (known?.refusing === true) {
      // A new process of a host that refused this CMA: this one may trust it (it acknowledges a CONFIG
      // or is found refusing again); the old warning is over either way.
      void this.deps.writer.fact('host_refuses_cma_resolved', async () => {
        await this.deps.alerts.clearMany('HostRefusesCma', [checked.hostname], Date.now(), 'a new process announced');
      });
    }
    if (checked.join.role !== 'nanoprobe') {
      // A poller (or any agent that is not a host's nanoprobe) is answered and known, but is no ring
      // member: it heartbeats nobody's ring, and its liveness is its own feature's to judge.
      this.deps.count(`announce_${checked.join.role}`);
      this.deps.agentJoined?.({ keyid: checked.keyid, hostname: checked.hostname, role: checked.join.role });
      return;
    }
    this.deps.membership().announce(checked.ringHost);
    // Its listeners (discovery requests) wait for the join to be stored: results written before the
    // Host node is would take the locks the join's write needs (a demo run saw the join wait 8 s).
    void joinsStored.then(() => this.deps.joined({ keyid: checked.keyid, hostname: checked.hostname }));
  }

  /**
   * A repeat counts only as the announcer's next try (its backoff starts at 500 ms): the same datagram
   * arriving twice (multicast on two paths, a duplicating network) is no refusal.
   */
  private noteRepeat(peer: Peer): void {
    const now = this.now();
    if (now - (peer.lastRepeatAt ?? Number.NEGATIVE_INFINITY) < REFUSAL_REPEAT_GAP_MS) return;
    peer.lastRepeatAt = now;
    peer.repeats = (peer.repeats ?? 0) + 1;
    if (peer.repeats >= REFUSAL_REPEATS && peer.configAcked !== true) this.refused(peer.keyid, peer.hostname);
  }

  /**
   * The same process announces again and again although answered, and never acknowledged a CONFIG:
   * it refuses this CMA's acknowledgements (its configured CMA key is another one), so it never
   * heartbeats its partners. Left on the rings, its partners would call it dead, and every announce
   * would bring it back: a HostDown flapping for a host that never truly joined. It leaves the rings
   * without an alert of its death, and one warning says what is wrong.
   */
  private refused(keyid: HostId, hostname: string): void {
    const peer = this.deps.peers.get(keyid);
    if (peer === undefined) return;
    peer.refusing = true;
    this.deps.count('host_refuses_cma');
    this.deps.log.warn({ host: hostname, repeats: peer.repeats }, 'host refuses this CMA (its configured CMA key is another one): taken off the rings');
    this.deps.membership().leave(keyid);
    const at = Date.now();
    void this.deps.writer.fact('host_refuses_cma', async () => {
      await this.deps.hosts.setStatus([keyid], 'left', 'refuses this CMA: its configured CMA key is another one', at);
      await this.deps.alerts.raise('HostRefusesCma', hostname, {
        annotations: {
          summary: `${hostname} refuses this CMA's answers: its nanoprobe trusts another CMA key`,
          remedy: 'give the nanoprobe this CMA\'s public key (<stateDir>/cma.pub, --cma-pubkey-file or UNIMATRIX_CMA_PUBKEY) and restart it',
        },
        hosts: [hostname],
        at,
      });
    });
  }

  private reply(incoming: IncomingMessage, startTime: number, verdict: Verdict): void {
    const identity = this.deps.transport.identity;
    const ack = makeMessage('ANNOUNCE_ACK', {
      ...verdict,
      startTime,
      cma: { keyId: identity.keyId, ed25519: identity.publicKeys.ed25519, x25519: identity.publicKeys.x25519 },
    } as PayloadOf<'ANNOUNCE_ACK'>);
    this.deps.transport.endpoint.sendSigned(incoming.address, encodeMessage(ack));
  }
}
