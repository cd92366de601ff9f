import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeMessage } from '../../protocol/codec';
import type { Message, PayloadOf } from '../../protocol/message-types';
import { generateIdentity, type Identity } from '../../protocol/security/identity';
import { TrustStore } from '../../protocol/security/trust-store';
import { FakeClock } from '../../protocol/transport/fake-clock';
import type { IncomingMessage } from '../../protocol/transport/endpoint';
import { AlertService } from '../alerts/alert-service';
import type { JoinInput } from '../fleet/host-store';
import { Membership } from '../membership/membership';
import { silentLogger } from '../../common/logger';
import { AnnouncementBatch } from './announcement-batch';
import { EventQueue } from './event-queue';
import { MembershipWriter } from './membership-writer';
import { PeerDirectory } from './peer-directory';
import { PeerSender } from './peer-sender';

type Sent = { to: { host: string; port: number }; message: Message };

/**
 * The CMA's announcement handling with a real trust store (a file in a temporary directory), the real
 * Membership state machine on a fake clock and the real event queue; only the graph (joins stored)
 * and the sockets (answers sent) are recorded instead.
 */
function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unimatrix-announce-batch-'));
  const cma = generateIdentity();
  const clock = new FakeClock(1_000);
  const signed: Sent[] = [];
  const reliable: Sent[] = [];
  const stored: JoinInput[][] = [];
  const joined: string[] = [];
  /** What the graph held of a host before its join (default: never seen). */
  const previous = new Map<string, 'up' | 'down' | 'left'>();
  const resolvedHostDowns: string[] = [];
  const fired: Array<{ alertname: string; host?: string }> = [];
  const statuses: Array<{ keyids: string[]; status: string; reason: string | null }> = [];
  const counts = new Map<string, number>();
  const count = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);
  /** The wall clock the batch reads; each announcement below moves it on as the announcer's backoff would. */
  let wall = 1_000_000;
  const peers = new PeerDirectory();
  const errors: unknown[] = [];
  const events = new EventQueue({ carryOut: async () => undefined, onError: (err) => void errors.push(err) });
  const writer = new MembershipWriter({ clock, saveRings: async () => undefined, count, log: silentLogger });
  /** Hands one announcement to the batch and waits until it is applied and stored. */
  const deliver = async (batch: AnnouncementBatch, a: { incoming: IncomingMessage; payload: PayloadOf<'ANNOUNCE'> }): Promise<void> => {
    batch.add(a.incoming, a.payload);
    await settled();
  };
  /** Every event applied and its joins stored. */
  const settled = async (): Promise<void> => {
    await events.idle();
    await writer.idle();
  };
  const membership = new Membership({ clock, emit: events.emit });
  const decoded = (bytes: Uint8Array): Message => {
    const d = decodeMessage(bytes);
    if (!d.ok) throw new Error(d.error.message);
    return d.message;
  };
  const endpoint = {
    sendSigned: (to: { host: string; port: number }, bytes: Uint8Array) => void signed.push({ to, message: decoded(bytes) }),
    sendReliable: async (_peer: string, to: { host: string; port: number }, bytes: Uint8Array) => void reliable.push({ to, message: decoded(bytes) }),
    sendUnreliable: () => undefined,
  };
  const open = async () => {
    const trust = await TrustStore.open(path.join(dir, 'trusted-hosts.json'));
    const batch = new AnnouncementBatch({
      transport: { identity: cma, guard: { learnPeer: () => undefined }, endpoint },
      trust,
      hosts: {
        joinMany: async (joins) => {
          stored.push(joins);
          return joins.map((j) => ({ firstJoin: !previous.has(j.name), previousStatus: previous.get(j.name) ?? null }));
        },
        setStatus: async (keyids, status, reason) => void statuses.push({ keyids, status, reason }),
      },
      alerts: new AlertService({
        fire: async (input: { labels: { alertname: string; host?: string } }) => {
          fired.push({ alertname: input.labels.alertname, host: input.labels.host });
          return {};
        },
        resolve: async () => null,
        resolveMany: async (labelSets: Array<{ alertname: string; host?: string }>) => {
          for (const labels of labelSets) if (labels.alertname === 'HostDown') resolvedHostDowns.push(labels.host ?? '');
          return labelSets.filter((l) => l.alertname === 'HostDown').length;
        },
      } as unknown as ConstructorParameters<typeof AlertService>[0]),
      peers,
      membership: () => membership,
      events,
      writer,
      accepted: () => undefined,
      joined: (peer) => void joined.push(peer.hostname),
      count,
      log: silentLogger,
      now: () => wall,
    });
    const sender = new PeerSender({ endpoint, peers, stopped: () => events.stopped, count, log: silentLogger });
    return { trust, batch, sender };
  };
  return { dir, signed, reliable, stored, joined, previous, resolvedHostDowns, fired, statuses, counts, errors, peers, events, membership, settled, deliver, open, later: (ms: number) => void (wall += ms) };
}

function announce(host: Identity, hostname: string, ip: string, startTime: number, role: 'nanoprobe' | 'poller' = 'nanoprobe'): { incoming: IncomingMessage; payload: PayloadOf<'ANNOUNCE'> } {
  const payload: PayloadOf<'ANNOUNCE'> = {
    hostname,
    addresses: [{ ip, prefixLength: 24 }],
    port: 1984,
    ed25519: host.publicKeys.ed25519,
    x25519: host.publicKeys.x25519,
    startTime,
    softwareVersion: 'test',
    role,
  };
  const incoming: IncomingMessage = {
    peer: host.keyId,
    peerSession: 1n,
    address: { host: ip, port: 40_000 },
    bytes: new Uint8Array(0),
    reliable: false,
    signerKeys: host.publicKeys,
    ack: () => undefined,
  };
  return { incoming, payload };
}

const acks = (sent: Sent[]): Array<PayloadOf<'ANNOUNCE_ACK'>> => sent.flatMap((s) => (s.message.type === 'ANNOUNCE_ACK' ? [s.message.payload] : []));

describe('AnnouncementBatch', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });
  afterEach(() => {
    rmSync(t.dir, { recursive: true, force: true });
    expect(t.errors).toEqual([]);
    expect(t.fired.filter((a) => a.alertname === 'HostKeyRefused')).toEqual([]); // no key refused in these tests
  });

  it('handles a burst as one event: keys pinned in at most two trust-file writes, joins stored together, each host answered with its own join id', async () => {
    const { trust, batch } = await t.open();
    const hosts = Array.from({ length: 20 }, (_, i) => ({ id: generateIdentity(), name: `node-${i}`, ip: `10.7.0.${i + 1}` }));
    for (const h of hosts) {
      const { incoming, payload } = announce(h.id, h.name, h.ip, 5_000);
      batch.add(incoming, payload);
    }
    await t.settled();
    expect(trust.writes).toBeLessThanOrEqual(2);
    expect(t.stored).toHaveLength(1);
    expect(t.stored[0]?.map((j) => j.name)).toEqual(hosts.map((h) => h.name));
    const answers = acks(t.signed);
    expect(answers).toHaveLength(20);
    expect(answers.every((a) => a.accepted && a.joinId !== undefined && a.joinId > 0)).toBe(true);
    expect(t.joined).toEqual(hosts.map((h) => h.name));
    expect(t.counts.get('announce_accepted')).toBe(1);
  });

  it('repeats the join id to the same process announcing again, gives a restarted process a newer one, and a REJOIN names the current one', async () => {
    const { batch, sender } = await t.open();
    const host = generateIdentity();
    const first = announce(host, 'alpha', '10.7.1.5', 5_000);

    await sender.rejoin(host.keyId, 'never joined').catch(() => undefined); // unknown to the CMA: not sent
    expect(t.reliable).toEqual([]);

    await t.deliver(batch, first);
    await t.deliver(batch, first); // its ACK crossed a retry
    const restarted = announce(host, 'alpha', '10.7.1.5', 6_000);
    await t.deliver(batch, restarted);

    const [j1, j1again, j2] = acks(t.signed).map((a) => a.joinId);
    expect(j1).toBeDefined();
    expect(j1again).toBe(j1);
    expect(j2).toBeGreaterThan(j1 as number);
    expect(t.joined).toEqual(['alpha', 'alpha']); // the repeat is no second join
    expect(t.counts.get('announce_repeated')).toBe(1);

    await sender.rejoin(host.keyId, 'held as down');
    expect(t.reliable.map((s) => s.message)).toEqual([{ type: 'REJOIN', payload: { reason: 'held as down', joinId: j2 } }]);
  });

  it('names join 0 in a REJOIN to a host known only from the graph (no join accepted by this CMA yet)', async () => {
    const { sender } = await t.open();
    const host = generateIdentity();
    t.peers.set({ keyid: host.keyId, hostname: 'restored', keys: host.publicKeys, endpoint: { ip: '10.7.2.9', port: 1984 } });
    await sender.rejoin(host.keyId, 'the CMA holds this host as down');
    expect(t.reliable).toEqual([{ to: { host: '10.7.2.9', port: 1984 }, message: { type: 'REJOIN', payload: { reason: 'the CMA holds this host as down', joinId: 0 } } }]);
  });

  it('a host the graph holds as down or left, announcing to a CMA that does not hold it dead, gets its HostDown resolved', async () => {
    const { batch } = await t.open();
    const hosts = [
      { id: generateIdentity(), name: 'was-left', ip: '10.7.3.1' },
      { id: generateIdentity(), name: 'was-down', ip: '10.7.3.2' },
      { id: generateIdentity(), name: 'was-up', ip: '10.7.3.3' },
      { id: generateIdentity(), name: 'new', ip: '10.7.3.4' },
    ];
    t.previous.set('was-left', 'left');
    t.previous.set('was-down', 'down');
    t.previous.set('was-up', 'up');
    for (const h of hosts) {
      const { incoming, payload } = announce(h.id, h.name, h.ip, 5_000);
      batch.add(incoming, payload);
    }
    await t.settled();
    expect(t.resolvedHostDowns).toEqual(['was-left', 'was-down']);
    expect(t.counts.get('stale_host_down_resolved')).toBe(2);
  });
  it('a process that keeps announcing and never acknowledges a CONFIG refuses this CMA: off the rings, one warning, never joined again', async () => {
    const { batch } = await t.open();
    const host = generateIdentity();
    const once = announce(host, 'stranger', '10.7.4.1', 5_000);
    await t.deliver(batch, once);
    expect(t.membership.status(host.keyId)).toBe('live');
    t.later(1); // the same datagram twice (multicast on two paths): one try
    await t.deliver(batch, once);
    t.later(500);
    await t.deliver(batch, once); // its ACK lost, maybe
    t.later(1);
    await t.deliver(batch, once); // that one seen twice
    expect(t.membership.status(host.keyId)).toBe('live');
    expect(t.fired).toEqual([]);
    t.later(1_000);
    await t.deliver(batch, once); // again: it does not believe this CMA
    expect(t.membership.status(host.keyId)).not.toBe('live');
    expect(t.fired).toEqual([{ alertname: 'HostRefusesCma', host: 'stranger' }]);
    expect(t.statuses).toEqual([{ keyids: [host.keyId], status: 'left', reason: 'refuses this CMA: its configured CMA key is another one' }]);
    for (let i = 0; i < 3; i++) {
      t.later(2_000);
      await t.deliver(batch, once);
    }
    expect(t.joined).toEqual(['stranger']); // answered, never joined again, no second warning
    expect(t.fired).toHaveLength(1);
    expect(t.counts.get('announce_from_refusing_host')).toBe(3);
    // A new process of it joins as any host does.
    const restarted = announce(host, 'stranger', '10.7.4.1', 6_000);
    await t.deliver(batch, restarted);
    expect(t.membership.status(host.keyId)).toBe('live');
    expect(t.joined).toEqual(['stranger', 'stranger']);
  });

  it('a host that acknowledged its CONFIG and announces again (lost ACKs) is not taken for a refuser', async () => {
    const { batch } = await t.open();
    const host = generateIdentity();
    const once = announce(host, 'lossy', '10.7.5.1', 5_000);
    await t.deliver(batch, once);
    t.peers.get(host.keyId)!.configAcked = true; // as the decision runner marks it when the CONFIG is acknowledged
    for (let i = 0; i < 4; i++) {
      t.later(1_000);
      await t.deliver(batch, once);
    }
    expect(t.membership.status(host.keyId)).toBe('live');
    expect(t.fired).toEqual([]);
  });
  it('a poller is answered and stored but placed on no heartbeat ring, and no discovery is asked of it', async () => {
    const { batch } = await t.open();
    const poller = generateIdentity();
    const a = announce(poller, 'poller-1', '10.7.6.1', 5_000, 'poller');
    await t.deliver(batch, a);
    expect(acks(t.signed).map((x) => x.accepted)).toEqual([true]);
    expect(t.stored.flat().map((j) => [j.name, j.role])).toEqual([['poller-1', 'poller']]);
    expect(t.membership.status(poller.keyId)).not.toBe('live');
    expect(t.membership.ringSet.has(poller.keyId)).toBe(false);
    expect(t.joined).toEqual([]);
    expect(t.counts.get('announce_poller')).toBe(1);
    expect(t.peers.get(poller.keyId)?.role).toBe('poller');
  });
  it('the same process announcing after it was declared dead is a false death undone, and counted', async () => {
    const { batch } = await t.open();
    const host = generateIdentity();
    const a = announce(host, 'stalled', '10.7.7.1', 5_000);
    await t.deliver(batch, a);
    // Declared dead while it ran on (as after a CMA restart, or a death confirmed by mistake).
    await t.events.run(() => {
      t.membership.leave(host.keyId);
      t.membership.holdDead([host.keyId], null);
    });
    expect(t.membership.status(host.keyId)).toBe('dead');
    t.later(5_000);
    await t.deliver(batch, a); // it was alive all along
    expect(t.membership.status(host.keyId)).toBe('live');
    expect(t.counts.get('false_deaths_undone')).toBe(1);
    const restarted = announce(host, 'stalled', '10.7.7.1', 9_000);
    await t.events.run(() => {
      t.membership.leave(host.keyId);
      t.membership.holdDead([host.keyId], null);
    });
    await t.deliver(batch, restarted); // a new process: a real return, not a false death
    expect(t.counts.get('false_deaths_undone')).toBe(1);
  });
});
