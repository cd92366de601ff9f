/**
 * The CMA link on its own, over real endpoints on the in-memory network with a fake clock (so the
 * LEAVE timeout is exact and nothing waits in real time): joining, duplicate acknowledgements and the
 * join id they leave behind, losing the CMA, reports held while not joined, and leaving. The daemon
 * around it is covered over real UDP (test/nanoprobe/, rejoin.test.ts).
 */
import { decodeMessage } from '../protocol/codec';
import type { Message } from '../protocol/message-types';
import { generateIdentity, type Identity } from '../protocol/security/identity';
import { Endpoint, type IncomingMessage } from '../protocol/transport/endpoint';
import { FakeClock } from '../protocol/transport/fake-clock';
import { MemoryNetwork } from '../protocol/transport/memory-network';
import { PlainGuard } from '../protocol/transport/plain-guard';
import { TransportError } from '../protocol/transport/transport-errors';
import { CmaLink, type LostReason } from './cma-link';
import type { AnnounceAck } from './cma-trust';
import { createAgentCounters } from './counters';
import { silentLogger } from '../common/logger';
import { LogThrottle } from '../common/log-throttle';
import type { PayloadOf } from '../protocol/message-types';

const START = 1_800_000_000_123;
const CMA_ADDRESS = { host: '10.0.0.2', port: 2000 };
const LEAVE_TIMEOUT_MS = 1_200;

type Rig = {
  clock: FakeClock;
  link: CmaLink;
  cma: Identity;
  counters: ReturnType<typeof createNanoprobeCounters>;
  /** What the CMA's endpoint received, decoded. */
  received: Message[];
  joined: string[];
  lost: LostReason[];
};

/** `ackReliable`: whether the CMA acknowledges the reliable messages it receives. */
function rig(ackReliable = true): Rig {
  const clock = new FakeClock();
  const network = new MemoryNetwork(clock, { seed: 7, faults: { delayMs: 1 } });
  const np = generateIdentity();
  const cma = generateIdentity();
  const cmaGuard = new PlainGuard({ keyId: cma.keyId });
  cmaGuard.learnPeer(np.keyId);
  const guard = new PlainGuard({ keyId: np.keyId });
  const endpoint = new Endpoint({ socket: network.bind('10.0.0.1', 1000), guard, clock });
  const cmaEndpoint = new Endpoint({ socket: network.bind(CMA_ADDRESS.host, CMA_ADDRESS.port), guard: cmaGuard, clock, autoAck: false });
  const received: Message[] = [];
  cmaEndpoint.on('message', (m) => {
    const decoded = decodeMessage(m.bytes);
    if (decoded.ok) received.push(decoded.message);
    if (ackReliable) m.ack();
  });
  const counters = createAgentCounters();
  const joined: string[] = [];
  const lost: LostReason[] = [];
  const link = new CmaLink({
    endpoint,
    guard,
    bootstrap: { kind: 'unicast', address: CMA_ADDRESS },
    cmaKeys: undefined,
    announce: {
      hostname: 'alpha',
      addresses: [{ ip: '10.0.0.1', prefixLength: 24 }],
      port: 1000,
      ed25519: np.publicKeys.ed25519,
      x25519: np.publicKeys.x25519,
      startTime: START,
      softwareVersion: 'test',
      role: 'nanoprobe',
    },
    backoff: { initialMs: 500, maxMs: 10_000, jitter: 0 },
    leaveTimeoutMs: LEAVE_TIMEOUT_MS,
    counters,
    log: silentLogger,
    throttle: new LogThrottle(() => clock.now()),
    clock,
    random: () => 0.5,
    onJoined: (key) => joined.push(key),
    onLost: (reason) => lost.push(reason),
  });
  return { clock, link, cma, counters, received, joined, lost };
}

function ack(r: Rig, overrides: Partial<AnnounceAck> = {}): AnnounceAck {
  return { accepted: true, startTime: START, cma: { keyId: r.cma.keyId, ed25519: r.cma.publicKeys.ed25519, x25519: r.cma.publicKeys.x25519 }, ...overrides };
}

/** The ANNOUNCE_ACK as inbound.ts hands it over: SIGNED by the CMA, from its address. */
function signedByCma(r: Rig): IncomingMessage {
  return { peer: r.cma.keyId, peerSession: 1n, address: CMA_ADDRESS, bytes: new Uint8Array(0), reliable: false, signerKeys: r.cma.publicKeys, ack: () => undefined };
}

function join(r: Rig, joinId?: number): void {
  r.link.start();
  r.link.announceAck(ack(r, joinId === undefined ? {} : { joinId }), signedByCma(r));
}

/** Moves the fake clock in small steps, letting promise callbacks run between them, until `done`. */
async function settle(r: Rig, done: () => boolean, limitMs = 5_000): Promise<void> {
  for (let t = 0; t < limitMs && !done(); t += 10) {
    r.clock.advance(10);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function report(r: Rig): PayloadOf<'PARTNER_REPORT'> {
  return { partner: r.cma.keyId, status: 'dead', lastHeard: null, observer: r.cma.keyId, reportedAt: START };
}

describe('CmaLink', () => {
  it('announces to the bootstrap address until accepted, then joins the signer at the address it answered from', async () => {
    const r = rig();
    r.link.start();
    await settle(r, () => r.received.length > 0);
    expect(r.received[0]).toMatchObject({ type: 'ANNOUNCE', payload: { hostname: 'alpha', startTime: START } });
    expect(r.link.status()).toBeNull();

    r.link.announceAck(ack(r), signedByCma(r));
    expect(r.link.joined).toBe(true);
    expect(r.link.state).toBe('joined');
    expect(r.link.status()).toEqual({ keyId: r.cma.keyId, address: CMA_ADDRESS, trust: 'tofu' });
    expect(r.joined).toEqual([r.cma.keyId]);
    expect(r.counters.snapshot()).toMatchObject({ acks_accepted: 1, joins: 1 });
  });

  it('rejects an acknowledgement for another run and stays announcing', () => {
    const r = rig();
    r.link.start();
    r.link.announceAck(ack(r, { startTime: START - 1 }), signedByCma(r));
    expect(r.link.joined).toBe(false);
    expect(r.link.state).toBe('announcing');
    expect(r.counters.snapshot().acks_rejected_stale_start_time).toBe(1);
    expect(r.joined).toEqual([]);
  });

  it('keeps the newer join id from a duplicate acknowledgement: a REJOIN naming the first join is stale', () => {
    const r = rig();
    join(r, 5);
    r.link.announceAck(ack(r, { joinId: 6 }), signedByCma(r));
    expect(r.counters.snapshot()).toMatchObject({ acks_duplicate: 1, joins: 1 });
    expect(r.joined).toHaveLength(1);

    r.link.rejoinAsked({ reason: 'held as down', joinId: 5 });
    expect(r.link.joined).toBe(true);
    expect(r.counters.snapshot()).toMatchObject({ rejoins_asked: 1, rejoins_stale: 1, cma_lost_asked: 0 });

    r.link.rejoinAsked({ reason: 'held as down', joinId: 6 });
    expect(r.link.joined).toBe(false);
    expect(r.link.state).toBe('announcing');
    expect(r.lost).toEqual(['cma_asked']);
    expect(r.counters.snapshot()).toMatchObject({ rejoins_asked: 2, rejoins_stale: 1, cma_lost_asked: 1 });
    // The CMA is still known (for status and inbound checks) while we announce again.
    expect(r.link.cmaKeyId).toBe(r.cma.keyId);
  });

  it('loses the CMA when its own session changes or a send to it gives up, never for another peer', () => {
    const r = rig();
    join(r);
    const other = generateIdentity().keyId;
    const gaveUp = new TransportError('UNI_TRANS_001');
    r.link.peerRestarted({ peer: other, oldSession: 1n, newSession: 2n, address: { host: '10.0.0.9', port: 9 } });
    r.link.gaveUp({ peer: other, error: gaveUp, messages: 1 });
    expect(r.link.joined).toBe(true);

    r.link.peerRestarted({ peer: r.cma.keyId, oldSession: 1n, newSession: 2n, address: CMA_ADDRESS });
    expect(r.link.joined).toBe(false);
    r.link.announceAck(ack(r), signedByCma(r));
    r.link.gaveUp({ peer: r.cma.keyId, error: gaveUp, messages: 1 });
    expect(r.lost).toEqual(['cma_restarted', 'cma_gave_up']);
    expect(r.counters.snapshot()).toMatchObject({ cma_lost_restarted: 1, cma_lost_gave_up: 1, joins: 2 });
    expect(r.joined).toEqual([r.cma.keyId, r.cma.keyId]);
  });

  it('once stopping, losing the CMA changes nothing: no announcing, no event', () => {
    const r = rig();
    join(r);
    r.link.stop();
    r.link.peerRestarted({ peer: r.cma.keyId, oldSession: 1n, newSession: 2n, address: CMA_ADDRESS });
    r.link.rejoinAsked({ reason: 'held as down' });
    expect(r.link.joined).toBe(true);
    expect(r.link.state).toBe('stopped');
    expect(r.lost).toEqual([]);
    expect(r.counters.snapshot()).toMatchObject({ cma_lost_restarted: 0, cma_lost_asked: 0 });
  });

  it('holds partner reports while not joined and says when the CMA acknowledged one', async () => {
    const r = rig();
    let delivered = 0;
    r.link.reportPartner(report(r), () => (delivered += 1));
    expect(r.counters.snapshot().partner_reports_sent).toBe(0);

    join(r);
    r.link.reportPartner(report(r), () => (delivered += 1));
    await settle(r, () => delivered > 0);
    expect(delivered).toBe(1);
    expect(r.counters.snapshot()).toMatchObject({ partner_reports_sent: 1, partner_reports_delivered: 1 });
    expect(r.received.filter((m) => m.type === 'PARTNER_REPORT')).toHaveLength(1);
  });

  it('leaves with LEAVE naming our start time, and sends nothing more once left', async () => {
    const r = rig();
    join(r);
    r.link.stop();
    let done = false;
    void r.link.disconnect({ reason: 'stopped by test' }).then(() => (done = true));
    await settle(r, () => done);
    expect(done).toBe(true);
    expect(r.counters.snapshot()).toMatchObject({ leaves_sent: 1, leaves_acknowledged: 1 });
    expect(r.received.find((m) => m.type === 'LEAVE')?.payload).toEqual({ reason: 'stopped by test', startTime: START });
    expect(r.link.joined).toBe(false);
    await expect(r.link.send('LEAVE', { reason: 'again', startTime: START })).rejects.toThrow('not joined to a CMA');
  });

  it('waits for an unacknowledged LEAVE no longer than leaveTimeoutMs', async () => {
    const r = rig(false);
    join(r);
    r.link.stop();
    let done = false;
    void r.link.disconnect({ reason: 'stopped' }).then(() => (done = true));
    await settle(r, () => done, LEAVE_TIMEOUT_MS - 100);
    expect(done).toBe(false);
    await settle(r, () => done, 200);
    expect(done).toBe(true);
    expect(r.counters.snapshot()).toMatchObject({ leaves_sent: 1, leaves_acknowledged: 0 });
    expect(r.link.joined).toBe(false);
  });

  it('does not send LEAVE when not asked to, or when not joined', async () => {
    const asked = rig();
    join(asked);
    await asked.link.disconnect(undefined);
    const unjoined = rig();
    unjoined.link.start();
    await unjoined.link.disconnect({ reason: 'stopped' });
    for (const r of [asked, unjoined]) {
      expect(r.counters.snapshot().leaves_sent).toBe(0);
      expect(r.link.joined).toBe(false);
    }
  });
});
