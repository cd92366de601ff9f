/**
 * REJOIN over real loopback UDP: a CMA that declared this host dead while it ran on (cut off by a
 * switch) asks it to announce again; the nanoprobe goes back to announcing, joins again, and re-sends
 * what its partners look like, as after a CMA restart. Nanoprobes run in this process against the
 * minimal CMA peer (nanoprobe/testing/cma-test-peer.ts).
 */
import { generateIdentity } from '../protocol/security/identity';
import { CmaTestPeer } from './testing/cma-test-peer';
import { config, eventually, Fleet } from '../test/nanoprobe/helpers';

jest.setTimeout(60_000);

describe('nanoprobe asked to rejoin', () => {
  let fleet: Fleet;
  const peers: CmaTestPeer[] = [];
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(async () => {
    await fleet.stopAll();
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  it('announces again when its CMA sends REJOIN, joins, and re-sends the report of a partner still dead', async () => {
    const cma = await CmaTestPeer.start();
    peers.push(cma);
    const a = await fleet.start(cma, 'alpha');
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    const ghost = generateIdentity(); // a partner that never heartbeats
    const ghostPartner = { keyId: ghost.keyId, ed25519: ghost.publicKeys.ed25519, x25519: ghost.publicKeys.x25519, address: { ip: '127.0.0.1', port: 9 }, rings: ['global'] };
    await cma.send(ha, 'CONFIG', config(1, [ghostPartner]));
    await cma.waitFor(() => cma.messages('PARTNER_REPORT').find((r) => r.payload.status === 'dead'), 15_000, 'the dead report');
    const announcesBefore = cma.messages('ANNOUNCE').length;
    const reportsBefore = cma.received.length;

    await cma.send(ha, 'REJOIN', { reason: 'the CMA holds this host as down' });
    await cma.waitForHost('alpha', 10_000, reportsBefore);
    await eventually(() => a.status().joined && a.status().counters.joins === 2, 10_000, 'the second join');
    expect(cma.messages('ANNOUNCE').length).toBeGreaterThan(announcesBefore);
    expect(a.status().counters).toMatchObject({ rejoins_asked: 1, cma_lost_asked: 1, cma_lost_restarted: 0, cma_lost_gave_up: 0 });
    // What the CMA dropped while it held us as no member is told again after the join.
    const resent = await cma.waitFor(
      () => cma.received.slice(reportsBefore).find((r) => r.type === 'PARTNER_REPORT' && r.payload.partner === ghost.keyId),
      10_000,
      'the dead report again',
    );
    expect(resent.payload).toMatchObject({ status: 'dead' });
    // Its config survives (heartbeats go on); the CMA's next CONFIG replaces it.
    expect(a.status().partners).toEqual([expect.objectContaining({ keyId: ghost.keyId, state: 'dead' })]);
  });

  it('ignores a REJOIN sent before its current join (naming an older join), and obeys one naming the join it holds', async () => {
    let joinId = 100;
    const cma = await CmaTestPeer.start({ decide: () => ({ accepted: true, joinId }) });
    peers.push(cma);
    const a = await fleet.start(cma, 'alpha');
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');

    // A REJOIN the CMA sent while it held alpha as down, delivered after alpha joined again: stale.
    // (cma.send resolves once the nanoprobe acknowledged it, i.e. after its handler ran.)
    await cma.send(ha, 'REJOIN', { reason: 'held as down before this join', joinId: 99 });
    expect(a.status().joined).toBe(true);
    expect(a.status().counters).toMatchObject({ rejoins_asked: 1, rejoins_stale: 1, cma_lost_asked: 0, joins: 1 });

    // The CMA revokes the join alpha holds: alpha announces and joins again (as join 101).
    joinId = 101;
    await cma.send(ha, 'REJOIN', { reason: 'the CMA holds this host as down', joinId: 100 });
    await eventually(() => a.status().joined && a.status().counters.joins === 2, 10_000, 'the second join');
    expect(a.status().counters).toMatchObject({ rejoins_asked: 2, rejoins_stale: 1, cma_lost_asked: 1 });

    // The one naming join 100 again (a second ask, still in flight when alpha joined as 101): stale.
    await cma.send(ha, 'REJOIN', { reason: 'the CMA holds this host as down', joinId: 100 });
    expect(a.status().joined).toBe(true);
    expect(a.status().counters).toMatchObject({ rejoins_asked: 3, rejoins_stale: 2, cma_lost_asked: 1, joins: 2 });

    // An older CMA names no join: obeyed, as before join ids existed.
    await cma.send(ha, 'REJOIN', { reason: 'declared dead' });
    await eventually(() => a.status().joined && a.status().counters.joins === 3, 10_000, 'the third join');
    expect(a.status().counters).toMatchObject({ rejoins_asked: 4, rejoins_stale: 2, cma_lost_asked: 2 });
  });

  it('ignores a REJOIN from anyone but its CMA, even one sealed by a key it knows', async () => {
    const cma = await CmaTestPeer.start();
    const stranger = await CmaTestPeer.start();
    peers.push(cma, stranger);
    const a = await fleet.start(cma, 'alpha');
    await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    // The stranger learns alpha's keys and alpha learns the stranger's, as partners do from a CONFIG.
    const ha = cma.hosts.get('alpha');
    if (ha === undefined) throw new Error('alpha not announced');
    stranger.remember(ha);
    await cma.send(ha, 'CONFIG', config(1, [{ keyId: stranger.identity.keyId, ed25519: stranger.identity.publicKeys.ed25519, x25519: stranger.identity.publicKeys.x25519, address: { ip: stranger.address.host, port: stranger.address.port }, rings: ['global'] }]));
    const unexpectedBefore = a.status().counters.messages_unexpected;
    stranger.sendUnreliable(ha, 'REJOIN', { reason: 'go away' });
    await eventually(() => a.status().counters.messages_unexpected > unexpectedBefore, 10_000, 'the stranger REJOIN dropped');
    expect(a.status().joined).toBe(true);
    expect(a.status().counters).toMatchObject({ rejoins_asked: 0, cma_lost_asked: 0, joins: 1 });
  });
});
