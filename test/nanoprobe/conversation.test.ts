/**
 * The nanoprobe's side of the conversation, over real loopback UDP with the real protocol: nanoprobes
 * started in this process (startNanoprobe) talk to a minimal CMA built from the protocol pieces
 * (nanoprobe/testing/cma-test-peer.ts).
 */
import dgram from 'node:dgram';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMessage } from '../../protocol/codec';
import { makeMessage } from '../../protocol/message-types';
import { openUdpSocket } from '../../protocol/net/udp-socket';
import { generateIdentity } from '../../protocol/security/identity';
import { SecurePacketGuard } from '../../protocol/security/packet-guard';
import { LocalSession } from '../../protocol/security/session';
import { encodeUnreliable } from '../../protocol/transport/frame';
import { CmaTestPeer } from '../../nanoprobe/testing/cma-test-peer';
import { config, eventually, Fleet, pair } from './helpers';

jest.setTimeout(60_000);

describe('nanoprobe conversation (in-process nanoprobes, real UDP)', () => {
  let fleet: Fleet;
  const peers: CmaTestPeer[] = [];
  const cmaPeer = async (options: Parameters<typeof CmaTestPeer.start>[0] = {}): Promise<CmaTestPeer> => {
    const p = await CmaTestPeer.start(options);
    peers.push(p);
    return p;
  };

  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(async () => {
    await fleet.stopAll();
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  it('joins, heartbeats its partner, stays silent while all is well, and reports a silent partner late then dead', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const b = await fleet.start(cma, 'bravo');
    const [ha, hb] = await Promise.all([cma.waitForHost('alpha'), cma.waitForHost('bravo')]);
    expect(ha.payload).toMatchObject({ port: a.address.port, role: 'nanoprobe', startTime: a.startTime, addresses: expect.any(Array) });
    await eventually(() => a.status().joined && b.status().joined, 10_000, 'both joined');
    await pair(cma, ha, hb);
    await eventually(() => a.status().counters.heartbeats_received >= 4 && b.status().counters.heartbeats_received >= 4, 15_000, 'heartbeats both ways');
    expect(a.status().partners).toEqual([expect.objectContaining({ keyId: b.keyId, state: 'ok', lastHeard: expect.any(Number) })]);
    expect(cma.messages('PARTNER_REPORT')).toEqual([]); // no news is good news

    await b.stop({ leave: false }); // as if it died: no LEAVE
    const late = await cma.waitFor(() => cma.messages('PARTNER_REPORT').find((r) => r.payload.status === 'late'), 15_000, 'a late report');
    const dead = await cma.waitFor(() => cma.messages('PARTNER_REPORT').find((r) => r.payload.status === 'dead'), 15_000, 'a dead report');
    for (const r of [late, dead]) expect(r).toMatchObject({ peer: a.keyId, reliable: true, payload: { partner: b.keyId, observer: a.keyId, ring: 'global' } });
    expect(dead.payload.lastHeard).toBe(late.payload.lastHeard);
    // Timers never fire early: dead only after the dead time of silence (50 ms for clock granularity).
    expect(dead.payload.reportedAt - (dead.payload.lastHeard ?? 0)).toBeGreaterThanOrEqual(4_000 - 50);
    expect(late.payload.reportedAt - (late.payload.lastHeard ?? 0)).toBeGreaterThanOrEqual(2_500 - 50);
    expect(a.status().partners[0]?.state).toBe('dead');
    await eventually(() => a.status().counters.partner_reports_delivered === 2, 10_000, 'both reports acknowledged');
  });

  it('joins by multicast when no CMA address is configured, the CMA answering to its source address', async () => {
    const group = { group: '239.255.19.84', port: 21_000 + (process.pid % 20_000), interfaceAddress: '127.0.0.1' };
    const cma = await cmaPeer({ multicast: group });
    const a = await fleet.start(cma, 'mike', { cma: undefined, multicast: { group: group.group, port: group.port, interface: '127.0.0.1', ttl: 0 } });
    const host = await cma.waitForHost('mike');
    expect(host.from).toEqual({ host: '127.0.0.1', port: a.address.port });
    await eventually(() => a.status().joined, 10_000, 'joined');
    expect(a.status().cma).toMatchObject({ keyId: cma.identity.keyId, address: { host: '127.0.0.1', port: group.port } });
    await cma.send(host, 'CONFIG', config(1, [])); // sealed and reliable, over the same socket
    expect(a.status().configVersion).toBe(1);
  });

  it('after its own process stalled, reads the heartbeats that waited in the socket before judging silence', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    // A partner played by hand: its key, and a socket connected to alpha (a connected UDP socket sends
    // synchronously, so the datagram is in alpha's receive buffer before the stall begins).
    const partner = generateIdentity();
    const guard = new SecurePacketGuard({ identity: partner, session: new LocalSession() });
    guard.learnPeer(a.keyId, { ed25519: ha.payload.ed25519, x25519: ha.payload.x25519 });
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', () => raw.connect(a.address.port, '127.0.0.1', () => resolve())));
    const partnerEntry = { keyId: partner.keyId, ed25519: partner.publicKeys.ed25519, x25519: partner.publicKeys.x25519, address: { ip: '127.0.0.1', port: raw.address().port }, rings: ['global'] };
    await cma.send(ha, 'CONFIG', config(1, [partnerEntry])); // the partner is silent from now on…
    const heartbeat = guard.seal(a.keyId, encodeUnreliable(encodeMessage(makeMessage('HEARTBEAT', { seq: 1, sentAt: Date.now() }))));
    raw.send(heartbeat); // …but for this heartbeat, which arrives at once
    // This whole process stalls (a long GC pause, a paused VM) past the warn time (2.5 s) but not the dead time.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      // stalled
    }
    await eventually(() => a.status().partners[0]?.heartbeatsHeard === 1, 10_000, 'the waiting heartbeat');
    raw.close();
    expect(cma.messages('PARTNER_REPORT')).toEqual([]);
  });

  it('answers a PROBE at once with a PROBE_REPLY echoing it and its start time', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    cma.sendUnreliable(ha, 'PROBE', { probeId: 77, sentAt: 1_800_000_000_000 });
    const reply = await cma.waitFor(() => cma.messages('PROBE_REPLY')[0], 10_000, 'PROBE_REPLY');
    expect(reply).toMatchObject({ peer: a.keyId, reliable: false, payload: { probeId: 77, sentAt: 1_800_000_000_000, startTime: a.startTime } });
  });

  it('re-announces when the CMA restarts with a new session, and tells the new one about partners still dead', async () => {
    let cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const b = await fleet.start(cma, 'bravo');
    const [ha, hb] = await Promise.all([cma.waitForHost('alpha'), cma.waitForHost('bravo')]);
    await eventually(() => a.status().joined && b.status().joined, 10_000, 'both joined');
    await pair(cma, ha, hb);
    await eventually(() => a.status().counters.heartbeats_received >= 2, 15_000, 'heartbeats');
    await b.stop({ leave: false });
    await cma.waitFor(() => cma.messages('PARTNER_REPORT').find((r) => r.payload.status === 'dead'), 15_000, 'the dead report');

    cma = await cma.restart(); // same key and address, new session, empty memory
    peers.push(cma);
    cma.remember(ha);
    cma.sendUnreliable(ha, 'PROBE', { probeId: 1, sentAt: Date.now() }); // a restarted CMA probes the hosts it remembers
    const again = await cma.waitForHost('alpha', 15_000);
    expect(again.keyId).toBe(a.keyId);
    await eventually(() => a.status().counters.joins === 2 && a.status().joined, 15_000, 'the re-join');
    expect(a.status().counters.cma_lost_restarted).toBe(1);
    const resent = await cma.waitFor(() => cma.messages('PARTNER_REPORT')[0], 10_000, 'the dead report again');
    expect(resent.payload).toMatchObject({ partner: b.keyId, status: 'dead' });
    // Heartbeat bookkeeping survived the CMA's restart: the partner is still known and still dead.
    expect(a.status().partners).toEqual([expect.objectContaining({ keyId: b.keyId, state: 'dead' })]);
  });

  it('re-announces when a reliable send to the CMA gives up, and re-sends the report after the re-join', async () => {
    let cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha', {}, { transport: { giveUpAfterTries: 3, giveUpAfterMs: 2_000 } });
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    const ghost = generateIdentity(); // a partner that never heartbeats
    const ghostPartner = { keyId: ghost.keyId, ed25519: ghost.publicKeys.ed25519, x25519: ghost.publicKeys.x25519, address: { ip: '127.0.0.1', port: 9 }, rings: ['global'] };
    await cma.send(ha, 'CONFIG', config(1, [ghostPartner]));
    const { host, port } = cma.address;
    await cma.close(); // the CMA vanishes without a word; the late report cannot be delivered
    await eventually(() => a.status().counters.cma_lost_gave_up === 1, 20_000, 'the give-up');
    expect(a.status().state).toBe('announcing');
    expect(a.status().counters.heartbeats_sent).toBeGreaterThan(0); // heartbeating goes on meanwhile
    cma = await cmaPeer({ identity: cma.identity, host, port });
    await cma.waitForHost('alpha', 20_000);
    const resent = await cma.waitFor(() => cma.messages('PARTNER_REPORT').find((r) => r.payload.partner === ghost.keyId), 10_000, 'the report, re-sent');
    expect(['late', 'dead']).toContain(resent.payload.status);
    expect(a.status().counters.joins).toBe(2);
  });

  it('after a refusal keeps retrying slowly, and joins once the CMA accepts', async () => {
    const cma = await cmaPeer({ decide: () => ({ accepted: false, code: 'UNI_SEC_008', reason: 'not registered' }) });
    const a = await fleet.start(cma, 'alpha', { announce: { initialMs: 100, maxMs: 200, refusedRetryMs: 400 } });
    await eventually(() => a.status().state === 'refused', 10_000, 'the refusal');
    expect(a.status().joined).toBe(false);
    await eventually(() => a.status().counters.acks_refused >= 2, 10_000, 'a slow retry');
    cma.decide = () => ({ accepted: true });
    await eventually(() => a.status().joined, 10_000, 'joined');
    expect(a.status().counters.joins).toBe(1);
  });

  it('trusts the first CMA key and refuses an acknowledgement signed by another one', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    expect(a.status().cma).toMatchObject({ keyId: cma.identity.keyId, trust: 'tofu' });
    const impostor = await cmaPeer();
    const keys = impostor.identity.publicKeys;
    const forged = makeMessage('ANNOUNCE_ACK', { accepted: true, startTime: a.startTime, cma: { keyId: impostor.identity.keyId, ed25519: keys.ed25519, x25519: keys.x25519 } });
    impostor.endpoint.sendSigned(ha.from, encodeMessage(forged));
    await eventually(() => a.status().counters.acks_rejected_pin_mismatch === 1, 10_000, 'the rejection');
    expect(a.status().cma?.keyId).toBe(cma.identity.keyId);
  });

  it('never joins a CMA whose key is not the configured one', async () => {
    const cma = await cmaPeer();
    const expected = generateIdentity().publicKeys;
    const a = await fleet.start(cma, 'alpha', { announce: { initialMs: 100, maxMs: 200 } }, { cmaKeys: { ed25519: expected.ed25519, x25519: expected.x25519 } });
    await eventually(() => a.status().counters.acks_rejected_not_configured_key >= 2, 10_000, 'rejected acknowledgements');
    expect(a.status().joined).toBe(false);
    expect(a.status().state).toBe('announcing');
  });

  it('reports heartbeats from a host that is not its partner, once per sender per interval', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const c = await fleet.start(cma, 'charlie');
    const [ha, hc] = await Promise.all([cma.waitForHost('alpha'), cma.waitForHost('charlie')]);
    await eventually(() => a.status().joined && c.status().joined, 10_000, 'both joined');
    await cma.send(ha, 'CONFIG', config(1, []));
    await cma.send(hc, 'CONFIG', config(1, [cma.partnerOf(ha)])); // charlie heartbeats alpha; alpha does not expect it
    const report = await cma.waitFor(() => cma.messages('UNEXPECTED_HEARTBEAT')[0], 20_000, 'UNEXPECTED_HEARTBEAT');
    expect(report).toMatchObject({ peer: a.keyId, payload: { observer: a.keyId, claimedSender: c.keyId, from: { ip: '127.0.0.1', port: c.address.port } } });
    expect(report.payload.count).toBeGreaterThanOrEqual(2);
    await eventually(() => a.status().counters.heartbeats_unexpected >= report.payload.count + 4, 10_000, 'more unexpected heartbeats');
    expect(cma.messages('UNEXPECTED_HEARTBEAT')).toHaveLength(1); // the next one waits a minute
  });

  it('applies configs in order: an older version is ignored', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const b = await fleet.start(cma, 'bravo');
    const [ha, hb] = await Promise.all([cma.waitForHost('alpha'), cma.waitForHost('bravo')]);
    await eventually(() => a.status().joined && b.status().joined, 10_000, 'both joined');
    await cma.send(ha, 'CONFIG', config(5, [cma.partnerOf(hb)]));
    await cma.send(ha, 'CONFIG', config(3, []));
    expect(a.status()).toMatchObject({ configVersion: 5, partners: [expect.objectContaining({ keyId: b.keyId })] });
    expect(a.status().counters).toMatchObject({ configs_applied: 1, configs_stale: 1 });
    // A partner whose key id is not its key's cannot be sealed for: left out, the rest applied.
    const bogus = { ...cma.partnerOf(hb), keyId: '0123456789abcdef', hostname: 'bogus' };
    await cma.send(ha, 'CONFIG', config(6, [bogus, cma.partnerOf(hb)]));
    expect(a.status()).toMatchObject({ configVersion: 6, partners: [expect.objectContaining({ keyId: b.keyId })] });
    expect(a.status().counters.config_partners_invalid).toBe(1);
  });

  it('counts and drops garbage and undecodable messages, and keeps working', async () => {
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha');
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    const raw = await openUdpSocket({ host: '127.0.0.1' });
    const before = a.status().transport.received_datagrams;
    for (const junk of [Buffer.from('hello'), Buffer.alloc(1500, 0xff), Buffer.from([1, 1, ...Buffer.alloc(60)]), Buffer.from([1, 2, ...Buffer.alloc(200)])]) {
      raw.send(junk, a.address);
    }
    await eventually(() => a.status().transport.received_datagrams >= before + 4, 10_000, 'the junk datagrams');
    await raw.close();
    expect(a.status().transport).toMatchObject({ dropped_bad_version: 2, dropped_unknown_peer: 1, dropped_bad_auth: 1 });
    // Authenticated and reliable, but not a message: acknowledged (the promise resolves) and counted.
    await cma.endpoint.sendReliable(a.keyId, ha.from, new Uint8Array([0xff, 0xfe, 0x01]));
    expect(a.status().counters.decode_errors).toBe(1);
    cma.sendUnreliable(ha, 'PROBE', { probeId: 9, sentAt: 1 });
    await cma.waitFor(() => cma.messages('PROBE_REPLY')[0], 10_000, 'PROBE_REPLY after the junk');
  });

  it('runs a discovery script the CMA asks for and sends its result', async () => {
    const scripts = path.join(fleet.dir, 'scripts');
    mkdirSync(scripts);
    const script = path.join(scripts, 'hello');
    writeFileSync(
      script,
      `#!/bin/sh\necho '{"discovertype":"hello","description":"test","host":"alpha","source":"test","data":{"param":"'"$UNIMATRIX_PARAM_GREETING"'"}}'\n`,
    );
    chmodSync(script, 0o755);
    const cma = await cmaPeer();
    const a = await fleet.start(cma, 'alpha', { discovery: { dirs: [scripts] } });
    const ha = await cma.waitForHost('alpha');
    await eventually(() => a.status().joined, 10_000, 'joined');
    await cma.send(ha, 'DISCOVERY_REQUEST', { name: 'hello', repeatSeconds: 0, timeoutSeconds: 10, parameters: { GREETING: 'hi' } });
    await cma.send(ha, 'DISCOVERY_REQUEST', { name: 'missing', repeatSeconds: 0, timeoutSeconds: 10, parameters: {} });
    const results = await cma.waitFor(() => (cma.messages('DISCOVERY_RESULT').length >= 2 ? cma.messages('DISCOVERY_RESULT') : undefined), 20_000, 'two results');
    const hello = results.find((r) => r.payload.name === 'hello');
    expect(hello).toMatchObject({ reliable: true, payload: { exitStatus: 0, outcome: { ok: true, document: { discovertype: 'hello', data: { param: 'hi' } } } } });
    const missing = results.find((r) => r.payload.name === 'missing');
    expect(missing?.payload.outcome).toMatchObject({ ok: false, code: 'UNI_DISC_002' });
    await eventually(() => a.status().discovery.pending.length === 0, 10_000, 'results acknowledged');
  });
});
