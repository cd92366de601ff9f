import { encodeMessage } from '../../protocol/codec';
import { makeMessage } from '../../protocol/message-types';
import type { IncomingMessage } from '../../protocol/transport/endpoint';
import { InboundRouter } from '../inbound-router';
import { AgentLoadBook } from './agent-load';

const KEY = 'aaaaaaaaaaaaaaaa';

/** A book fed AGENT_LOAD payloads directly (the router part is tested below), on a pinned clock. */
async function bookAt(clock: { now: number }): Promise<{ book: AgentLoadBook; say: (load: { slow: boolean; loop: number; lateness: number }) => Promise<void> }> {
  const book = new AgentLoadBook({ setLoad: async () => undefined }, () => clock.now);
  const router = new InboundRouter({ lookup: () => ({ hostname: 'db1', role: 'nanoprobe' }) }, { count: () => undefined, failed: () => undefined });
  book.register(router);
  const say = async ({ slow, loop, lateness }: { slow: boolean; loop: number; lateness: number }): Promise<void> => {
    const payload = { windowMs: 60_000, slow, eventLoopDelayP99Ms: loop, eventLoopDelayMaxMs: loop * 2, heartbeatLatenessP99Ms: lateness };
    router.dispatch({ peer: KEY, peerSession: 1n, address: { host: '127.0.0.1', port: 1 }, bytes: encodeMessage(makeMessage('AGENT_LOAD', payload)), reliable: true, ack: () => undefined });
    await new Promise((r) => setImmediate(r));
  };
  return { book, say };
}

describe('AgentLoadBook.graceFor (the death judge\'s slow-host grace)', () => {
  it('is twice the worse p99 the agent reported while its last word is slow and recent, else 0', async () => {
    const clock = { now: 1_000 };
    const { book, say } = await bookAt(clock);
    expect(book.graceFor(KEY)).toBe(0); // never said anything
    await say({ slow: true, loop: 480, lateness: 300 });
    expect(book.graceFor(KEY)).toBe(960);
    await say({ slow: true, loop: 250, lateness: 700 });
    expect(book.graceFor(KEY)).toBe(1400);
    clock.now += 120_000; // two windows: it would have said it again by now
    expect(book.graceFor(KEY)).toBe(1400);
    clock.now += 1;
    expect(book.graceFor(KEY)).toBe(0);
    await say({ slow: true, loop: 480, lateness: 300 });
    await say({ slow: false, loop: 12, lateness: 5 });
    expect(book.graceFor(KEY)).toBe(0); // well again
  });
});

describe('AgentLoadBook', () => {
  it('stores what a nanoprobe says of its load, acknowledges once stored, and lists it while it is slow', async () => {
    const stored: Array<{ keyid: string; slow: boolean; at: number }> = [];
    let release!: () => void;
    const book = new AgentLoadBook(
      {
        setLoad: (keyid, load, at) => {
          stored.push({ keyid, slow: load.slow, at });
          return new Promise<void>((r) => (release = r));
        },
      },
      () => 42,
    );
    const router = new InboundRouter({ lookup: () => ({ hostname: 'db1', role: 'nanoprobe' }) }, { count: () => undefined, failed: () => undefined });
    book.register(router);
    const say = (slow: boolean) => {
      let acks = 0;
      const m: IncomingMessage = {
        peer: KEY,
        peerSession: 1n,
        address: { host: '127.0.0.1', port: 1 },
        bytes: encodeMessage(makeMessage('AGENT_LOAD', { windowMs: 60_000, slow, eventLoopDelayP99Ms: slow ? 480 : 12, eventLoopDelayMaxMs: 900, heartbeatLatenessP99Ms: 300 })),
        reliable: true,
        ack: () => void acks++,
      };
      router.dispatch(m);
      return () => acks;
    };
    const acks = say(true);
    await new Promise((r) => setImmediate(r));
    expect(acks()).toBe(0); // not yet stored
    release();
    await new Promise((r) => setImmediate(r));
    expect(acks()).toBe(1);
    expect(stored).toEqual([{ keyid: KEY, slow: true, at: 42 }]);
    expect(book.slowAgents().map((a) => [a.host, a.load.eventLoopDelayP99Ms])).toEqual([['db1', 480]]);
    say(false);
    release();
    await new Promise((r) => setImmediate(r));
    expect(book.slowAgents()).toEqual([]);
  });
});
