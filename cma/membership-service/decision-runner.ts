import { encodeMessage } from '../../protocol/codec';
import { makeMessage } from '../../protocol/message-types';
import type { Endpoint } from '../../protocol/transport/endpoint';
import { isTransportError } from '../../protocol/transport/transport-errors';
import type { AlertService } from '../alerts/alert-service';
import { segmentAlert } from '../alerts/rules';
import type { HostStore } from '../fleet/host-store';
import type { RingStore } from '../fleet/ring-store';
import type { Decision, DeathEvidence } from '../membership/decisions';
import type { Membership } from '../membership/membership';
import type { Partner } from '../membership/types';
import type { Logger } from '../../common/logger';
import type { PeerDirectory } from './peer-directory';
import type { Prober } from './prober';
import type { MembershipWriter } from './membership-writer';
import type { RejoinAsker } from './rejoin-asker';

export type DecisionRunnerDeps = {
  membership: () => Membership;
  endpoint: Endpoint;
  peers: PeerDirectory;
  hosts: HostStore;
  rings: RingStore;
  alerts: AlertService;
  prober: Prober;
  rejoin: RejoinAsker;
  writer: MembershipWriter;
  log: Logger;
  count: (what: string) => void;
};

/**
 * Carries out what membership decided. Messages (CONFIGs, probes, REJOINs) go out at once; graph
 * writes (host status, alerts, rings) are handed to the MembershipWriter, which stores them in
 * decision order, retried until stored, without holding up the next event. A CMA that crashes before
 * they are stored loses nothing: every nanoprobe announces again to the next CMA (a new session) and
 * re-sends its partners' late and dead states, and what it was told is told again.
 * `run` returns when the decisions are stored.
 */
export class DecisionRunner {
  constructor(private readonly deps: DecisionRunnerDeps) {}

  run(decisions: Decision[]): Promise<void> {
    if (decisions.length === 0) return Promise.resolve();
    const { hosts, alerts, peers, prober, writer, log, count } = this.deps;
    const configs = new Map<string, Partner[]>();
    const ringTouched = new Set<string>();
    const stored: Array<Promise<void>> = [];
    const fact = (what: string, write: () => Promise<void>): void => {
      stored.push(writer.fact(what, write));
    };
    const wallNow = Date.now();

    for (const d of decisions) {
      count(`decision_${d.type}`);
      if (d.type !== 'ring_config') log.debug({ decision: d.type, host: 'host' in d ? peers.nameOf(d.host) : undefined }, 'membership decision');
      switch (d.type) {
        case 'ring_config':
          configs.set(d.host, d.partners);
          ringTouched.add(d.host);
          break;
        case 'probe':
          prober.start(d.host, d.probeId, d.attemptEveryMs, d.giveUpAfterMs);
          break;
        case 'probe_cancel':
          prober.cancel(d.host, d.probeId);
          break;
        case 'host_down': {
          ringTouched.add(d.host);
          const name = peers.nameOf(d.host);
          const evidence = describeEvidence(d.evidence, peers);
          log.warn({ host: name, evidence: d.evidence.confirmedBy }, 'host down');
          fact('host_down', async () => {
            await hosts.setStatus([d.host], 'down', `host down (${d.evidence.confirmedBy})`, wallNow);
            await alerts.raise('HostDown', name, { annotations: { summary: `${name} is down`, evidence }, hosts: [name], at: wallNow });
          });
          break;
        }
        case 'segment_down': {
          for (const h of d.hosts) ringTouched.add(h);
          const names = d.hosts.map((h) => peers.nameOf(h)).sort();
          const { kind, subject } = segmentAlert(d.segment);
          const what = kind === 'SwitchDown' ? 'switch' : 'segment';
          log.warn({ segment: d.segment, hosts: names }, 'segment down');
          fact('segment_down', async () => {
            await hosts.setStatus(d.hosts, 'down', `${what} down: ${d.segment}`, wallNow);
            await alerts.raise(kind, subject, {
              annotations: { summary: `${names.length} hosts on ${d.segment} went down together: the ${what} is the likely cause`, hosts: names.join(', ') },
              hosts: names,
              at: wallNow,
            });
          });
          break;
        }
        case 'resolved': {
          const name = peers.nameOf(d.host);
          log.info({ host: name, via: d.via }, 'host back');
          fact('resolved', async () => {
            await hosts.setStatus([d.host], 'up', null, wallNow);
            if (d.segment === null) {
              await alerts.clear('HostDown', name, wallNow, `back (${d.via})`);
            }
          });
          break;
        }
        case 'segment_resolved': {
          const { kind, subject } = segmentAlert(d.segment);
          fact('segment_resolved', async () => {
            await alerts.clear(kind, subject, wallNow, 'every host is back');
          });
          break;
        }
        case 'left':
          ringTouched.add(d.host);
          log.info({ host: peers.nameOf(d.host) }, 'host left');
          fact('left', () => hosts.setStatus([d.host], 'left', 'graceful leave', wallNow));
          break;
        case 'ask_rejoin':
          if (peers.get(d.host) === undefined) {
            count('rejoin_unknown_peer'); // a heartbeat claim naming a key this CMA never accepted
            break;
          }
          if (this.deps.rejoin.ask(d.host, rejoinReason(d))) {
            log.info({ host: peers.nameOf(d.host), status: d.status, sign: d.sign }, 'asked a host that is no member to announce again');
          }
          break;
        case 'slow_host_grace':
          count('slow_host_graces');
          log.info({ host: peers.nameOf(d.host), graceMs: d.graceMs }, 'a slow host would be declared dead now: waiting the grace it earned');
          break;
        case 'late_probe_answer':
          count('late_probe_answers');
          log.warn({ host: peers.nameOf(d.host), declared: d.declared }, 'a probe answer came late: the host is alive but slow');
          break;
        case 'link_trouble':
          log.warn({ host: peers.nameOf(d.host), observers: d.observers.map((o) => peers.nameOf(o)) }, 'partners call a host dead that answers the CMA');
          break;
        case 'ignored':
          count(`ignored_${d.reason}`);
          break;
      }
    }

    if (ringTouched.size > 0) stored.push(writer.rings(ringTouched));
    for (const [host, partners] of configs) this.sendConfig(host, partners);
    return Promise.all(stored).then(() => undefined);
  }

  private sendConfig(host: string, partners: Partner[]): void {
    const { peers, endpoint, log, count } = this.deps;
    const peer = peers.get(host);
    if (peer === undefined) {
      count('config_unknown_peer');
      return;
    }
    const timing = this.deps.membership().timing;
    const listed = partners.flatMap((p) => {
      const partner = peers.get(p.host);
      if (partner === undefined) return [];
      return [{ keyId: p.host, hostname: partner.hostname, ed25519: partner.keys.ed25519, x25519: partner.keys.x25519, address: p.address, rings: p.rings }];
    });
    const message = makeMessage('CONFIG', {
      configVersion: peers.nextConfigVersion(host),
      heartbeatIntervalMs: timing.heartbeatMs,
      warnTimeMs: timing.warnMs,
      deadTimeMs: timing.deadMs,
      partners: listed,
    });
    count('config_sent');
    const joinId = peer.joinId;
    endpoint.sendReliable(host, { host: peer.endpoint.ip, port: peer.endpoint.port }, encodeMessage(message)).then(() => {
      // Proof that the host reads what this CMA seals (a host refusing the CMA's key never acknowledges).
      const current = peers.get(host);
      if (current !== undefined && current.joinId === joinId) current.configAcked = true;
    }, (err: unknown) => {
      // The CMA is stopping: the host gets its config again when it re-announces to the next one.
      if (isTransportError(err, 'UNI_TRANS_004')) return;
      count('config_failed');
      // Its next announcement must be answered with a CONFIG again, even from the same process.
      const current = peers.get(host);
      if (current !== undefined) current.startTime = undefined;
      log.warn({ host: peer.hostname, err: (err as Error).message }, 'CONFIG not delivered');
    });
  }
}

function rejoinReason(d: Extract<Decision, { type: 'ask_rejoin' }>): string {
  if (d.status === 'dead') return 'the CMA holds this host as down';
  if (d.status === 'unknown') return 'this host is on none of the CMA\'s rings';
  return 'a new process: announce for a config';
}

function describeEvidence(evidence: DeathEvidence, peers: PeerDirectory): string {
  return JSON.stringify({
    confirmedBy: evidence.confirmedBy,
    reports: evidence.reports.map((r) => ({ observer: peers.nameOf(r.observer), kind: r.kind })),
    probe: evidence.probe === null ? null : { unansweredForMs: Math.round(evidence.probe.unansweredForMs) },
  });
}
