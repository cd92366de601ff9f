import { encodeMessage } from '../protocol/codec';
import { makeMessage } from '../protocol/message-types';
import type { IncomingMessage } from '../protocol/transport/endpoint';
import { createNanoprobeCounters } from './counters';
import { dispatchInbound, type InboundHandlers } from './inbound';
import { LogThrottle, silentLogger } from './logger';

const CMA = 'cccccccccccccccc';
const OTHER = '1111111111111111';

function incoming(bytes: Uint8Array, over: Partial<IncomingMessage> = {}): IncomingMessage & { acks: number } {
  const m = { peer: CMA, peerSession: 1n, address: { host: '127.0.0.1', port: 1 }, bytes, reliable: false, acks: 0, ack: () => (m.acks += 1), ...over };
  return m;
}

function harness() {
  const counters = createNanoprobeCounters();
  const calls: string[] = [];
  const record = (name: string) => () => void calls.push(name);
  const handlers: InboundHandlers = {
    ANNOUNCE_ACK: record('ANNOUNCE_ACK'),
    CONFIG: record('CONFIG'),
    HEARTBEAT: record('HEARTBEAT'),
    PROBE: record('PROBE'),
    DISCOVERY_REQUEST: () => {
      throw new Error('boom');
    },
    APP_ACK: record('APP_ACK'),
    APP_NAK: record('APP_NAK'),
    SHUTDOWN: record('SHUTDOWN'),
    REJOIN: record('REJOIN'),
  };
  const ctx = { counters, log: silentLogger, throttle: new LogThrottle(() => 0), cmaKeyId: () => CMA };
  return { counters, calls, dispatch: (m: IncomingMessage) => dispatchInbound(m, ctx, handlers) };
}

const config = encodeMessage(makeMessage('CONFIG', { configVersion: 1, heartbeatIntervalMs: 1000, warnTimeMs: 2000, deadTimeMs: 3000, partners: [] }));
const probe = encodeMessage(makeMessage('PROBE', { probeId: 1, sentAt: 5 }));

describe('dispatchInbound', () => {
  it('hands a well-formed message from the right sender to its handler, then acknowledges it', () => {
    const h = harness();
    const m = incoming(config, { reliable: true });
    h.dispatch(m);
    expect(h.calls).toEqual(['CONFIG']);
    expect(m.acks).toBe(1);
  });

  it('counts and drops what does not decode, and still acknowledges it', () => {
    const h = harness();
    const m = incoming(new Uint8Array([0, 3, 0xc1]), { reliable: true });
    h.dispatch(m);
    h.dispatch(incoming(new Uint8Array([0xff, 0xff, 0x80])));
    expect(h.calls).toEqual([]);
    expect(h.counters.get('decode_errors')).toBe(2);
    expect(m.acks).toBe(1);
  });

  it('drops CMA-only messages from anyone else, and types a nanoprobe has no use for', () => {
    const h = harness();
    h.dispatch(incoming(config, { reliable: true, peer: OTHER }));
    h.dispatch(incoming(probe, { peer: OTHER }));
    h.dispatch(incoming(encodeMessage(makeMessage('LEAVE', { reason: 'x', startTime: 1 })), { reliable: true }));
    expect(h.calls).toEqual([]);
    expect(h.counters.get('messages_unexpected')).toBe(3);
  });

  it('wants CONFIG reliable, PROBE sealed and ANNOUNCE_ACK signed', () => {
    const h = harness();
    h.dispatch(incoming(config, { reliable: false }));
    const keys = { ed25519: new Uint8Array(32), x25519: new Uint8Array(32) };
    h.dispatch(incoming(probe, { signerKeys: keys }));
    const ack = encodeMessage(
      makeMessage('ANNOUNCE_ACK', { accepted: true, startTime: 1, cma: { keyId: CMA, ed25519: new Uint8Array(32), x25519: new Uint8Array(32) } }),
    );
    h.dispatch(incoming(ack));
    expect(h.calls).toEqual([]);
    h.dispatch(incoming(ack, { peer: OTHER, signerKeys: keys }));
    expect(h.calls).toEqual(['ANNOUNCE_ACK']);
    expect(h.counters.get('messages_unexpected')).toBe(3);
  });

  it('takes REJOIN only from the CMA, sealed: nobody else can send a nanoprobe back to announcing', () => {
    const h = harness();
    const rejoin = encodeMessage(makeMessage('REJOIN', { reason: 'declared dead' }));
    h.dispatch(incoming(rejoin, { peer: OTHER, reliable: true }));
    h.dispatch(incoming(rejoin, { signerKeys: { ed25519: new Uint8Array(32), x25519: new Uint8Array(32) } }));
    expect(h.calls).toEqual([]);
    expect(h.counters.get('messages_unexpected')).toBe(2);
    const m = incoming(rejoin, { reliable: true });
    h.dispatch(m);
    expect(h.calls).toEqual(['REJOIN']);
    expect(m.acks).toBe(1);
  });

  it('survives a throwing handler: counted as an internal error, message acknowledged', () => {
    const h = harness();
    const m = incoming(encodeMessage(makeMessage('DISCOVERY_REQUEST', { name: 'os', repeatSeconds: 0, timeoutSeconds: 1, parameters: {} })), { reliable: true });
    expect(() => h.dispatch(m)).not.toThrow();
    expect(h.counters.get('internal_errors')).toBe(1);
    expect(m.acks).toBe(1);
  });
});
