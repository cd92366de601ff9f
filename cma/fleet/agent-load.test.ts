import { encodeMessage } from '../../protocol/codec';
import { makeMessage } from '../../protocol/message-types';
import type { IncomingMessage } from '../../protocol/transport/endpoint';
import { InboundRouter } from '../inbound-router';
import { AgentLoadBook } from './agent-load';

const KEY = 'aaaaaaaaaaaaaaaa';

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
