import { encodeMessage } from '../protocol/codec';
import { makeMessage } from '../protocol/message-types';
import type { IncomingMessage } from '../protocol/transport/endpoint';
import { InboundRouter, RouteConflictError } from './inbound-router';

const KNOWN = 'aaaaaaaaaaaaaaaa';
const POLLER = 'bbbbbbbbbbbbbbbb';
const STRANGER = 'cccccccccccccccc';

function incoming(peer: string, bytes: Uint8Array, how: { reliable?: boolean; signed?: boolean } = {}) {
  let acks = 0;
  const message: IncomingMessage = {
    peer,
    peerSession: 1n,
    address: { host: '127.0.0.1', port: 1 },
    bytes,
    reliable: how.reliable ?? false,
    ack: () => void acks++,
  };
  if (how.signed) message.signerKeys = { ed25519: new Uint8Array(32), x25519: new Uint8Array(32) };
  return { message, acks: () => acks };
}

const leave = encodeMessage(makeMessage('LEAVE', { reason: 'bye', startTime: 1 }));

function setup() {
  const counts = new Map<string, number>();
  const failures: string[] = [];
  const router = new InboundRouter(
    { lookup: (k) => (k === KNOWN ? { hostname: 'web1' } : k === POLLER ? { hostname: 'poll1', role: 'poller' } : undefined) },
    { count: (w) => void counts.set(w, (counts.get(w) ?? 0) + 1), failed: (type, sender, err) => void failures.push(`${type} ${sender.hostname} ${(err as Error).message}`) },
  );
  return { router, counts, failures };
}

describe('InboundRouter (the CMA)', () => {
  it('hands a typed payload and its sender to the one handler of its type, and acknowledges once it resolves', async () => {
    const { router } = setup();
    const seen: string[] = [];
    let release!: () => void;
    router.register({
      type: 'LEAVE',
      how: 'reliable',
      from: 'known',
      handle: (payload, sender) => {
        seen.push(`${sender.hostname}: ${payload.reason}`); // payload is PayloadOf<'LEAVE'>: no narrowing by hand
        return new Promise<void>((r) => (release = r));
      },
    });
    const m = incoming(KNOWN, leave, { reliable: true });
    router.dispatch(m.message);
    expect(seen).toEqual(['web1: bye']);
    await Promise.resolve();
    expect(m.acks()).toBe(0); // not stored yet
    release();
    await new Promise((r) => setImmediate(r));
    expect(m.acks()).toBe(1);
  });

  it('refuses a second handler for the same type instead of overwriting the first', () => {
    const { router } = setup();
    router.register({ type: 'LEAVE', how: 'reliable', from: 'known', handle: () => undefined });
    expect(() => router.register({ type: 'LEAVE', how: 'reliable', from: 'known', handle: () => undefined })).toThrow(RouteConflictError);
    expect(router.types()).toEqual(['LEAVE']);
  });

  it('drops, counts and acknowledges what breaks the channel or sender rules; a failed handler leaves it unacknowledged', async () => {
    const { router, counts, failures } = setup();
    let handled = 0;
    router.register({ type: 'LEAVE', how: 'reliable', from: 'known', roles: ['nanoprobe'], handle: () => void handled++ });
    router.register({ type: 'PROBE_REPLY', how: 'sealed', from: 'known', handle: async () => { throw new Error('disk full'); } });
    const cases = [
      incoming(KNOWN, leave, { reliable: false }), // LEAVE must come reliably
      incoming(KNOWN, leave, { reliable: true, signed: true }), // nor signed
      incoming(STRANGER, leave, { reliable: true }), // from a host this CMA never accepted
      incoming(POLLER, leave, { reliable: true }), // of a role not allowed
      incoming(KNOWN, encodeMessage(makeMessage('HEARTBEAT', { seq: 1, sentAt: 0 }))), // no handler on the CMA
      incoming(KNOWN, new Uint8Array([0xff, 0xff, 1])), // undecodable
    ];
    for (const c of cases) router.dispatch(c.message);
    expect(handled).toBe(0);
    expect(cases.map((c) => c.acks())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(counts.get('refused_LEAVE')).toBe(4);
    expect(counts.get('unhandled_HEARTBEAT')).toBe(1);
    expect([...counts.keys()].some((k) => k.startsWith('malformed_'))).toBe(true);

    const reply = incoming(KNOWN, encodeMessage(makeMessage('PROBE_REPLY', { probeId: 1, sentAt: 1, startTime: 1 })));
    router.dispatch(reply.message);
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual(['PROBE_REPLY web1 disk full']);
    expect(reply.acks()).toBe(0);
  });
});
