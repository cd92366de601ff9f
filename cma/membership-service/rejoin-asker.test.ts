import { FakeClock } from '../../protocol/transport/fake-clock';
import { RejoinAsker } from './rejoin-asker';

type Pending = { host: string; reason: string; settle: (ok: boolean) => void };

function setup() {
  const clock = new FakeClock(0);
  const sent: Pending[] = [];
  const counts = new Map<string, number>();
  const asker = new RejoinAsker({
    clock,
    intervalMs: 2000,
    count: (what) => counts.set(what, (counts.get(what) ?? 0) + 1),
    send: (host, reason) =>
      new Promise<void>((resolve, reject) => sent.push({ host, reason, settle: (ok) => (ok ? resolve() : reject(new Error('gave up'))) })),
  });
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  return { clock, sent, counts, asker, flush };
}

describe('RejoinAsker', () => {
  it('answers a burst of messages from one host with one REJOIN, and none while it is unacknowledged', async () => {
    const { clock, sent, counts, asker, flush } = setup();
    expect(asker.ask('a', 'declared dead')).toBe(true);
    for (let i = 0; i < 5; i++) expect(asker.ask('a', 'declared dead')).toBe(false);
    expect(sent.map((s) => [s.host, s.reason])).toEqual([['a', 'declared dead']]);
    clock.advance(5000);
    expect(asker.ask('a', 'declared dead')).toBe(false); // still in flight: the transport is retrying it
    sent[0]?.settle(true);
    await flush();
    expect(asker.ask('a', 'declared dead')).toBe(true); // acknowledged and the interval is over
    expect(sent).toHaveLength(2);
    expect(counts.get('rejoin_suppressed')).toBe(6);
    expect(counts.get('rejoin_acknowledged')).toBe(1);
  });

  it('waits the interval after an acknowledged ask, asks other hosts independently, and forgets a host that announced', async () => {
    const { clock, sent, asker, flush } = setup();
    asker.ask('a', 'r');
    asker.ask('b', 'r');
    for (const s of sent) s.settle(true);
    await flush();
    clock.advance(1000);
    expect(asker.ask('a', 'r')).toBe(false);
    asker.announced('a');
    expect(asker.ask('a', 'r')).toBe(true);
    expect(asker.ask('b', 'r')).toBe(false);
    clock.advance(1000);
    expect(asker.ask('b', 'r')).toBe(true);
    expect(sent.map((s) => s.host)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('counts a REJOIN the transport gave up on, and asks again after the interval; a throwing send is a failure too', async () => {
    const { clock, sent, counts, asker, flush } = setup();
    asker.ask('a', 'r');
    sent[0]?.settle(false);
    await flush();
    expect(counts.get('rejoin_failed')).toBe(1);
    clock.advance(2000);
    expect(asker.ask('a', 'r')).toBe(true);

    const throwing = new RejoinAsker({
      clock,
      count: (what) => counts.set(what, (counts.get(what) ?? 0) + 1),
      send: () => {
        throw new Error('unknown peer');
      },
    });
    expect(throwing.ask('z', 'r')).toBe(true);
    await flush();
    expect(counts.get('rejoin_failed')).toBe(2);
  });
});
