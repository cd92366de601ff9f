import { FakeClock } from '../../protocol/transport/fake-clock';
import { silentLogger } from '../../common/logger';
import { MembershipWriter } from './membership-writer';

/** A write that stays open until the test lets it finish (or fail): the order is the test's, not the scheduler's. */
function gate() {
  let settle!: (err?: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  return { promise, open: () => settle(), fail: (message: string) => settle(new Error(message)) };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup() {
  const clock = new FakeClock(0);
  const counts = new Map<string, number>();
  const ringWrites: string[][] = [];
  let ringGate: ReturnType<typeof gate> | null = null;
  const writer = new MembershipWriter({
    clock,
    saveRings: async (hosts) => {
      ringWrites.push([...hosts].sort());
      if (ringGate) await ringGate.promise;
    },
    count: (what) => void counts.set(what, (counts.get(what) ?? 0) + 1),
    log: silentLogger,
  });
  return { clock, counts, ringWrites, writer, holdRings: () => (ringGate = gate()), ringGate: () => ringGate! };
}

describe('MembershipWriter', () => {
  it('stores facts one at a time in the order they were decided', async () => {
    const { writer } = setup();
    const order: string[] = [];
    const first = gate();
    const a = writer.fact('a', async () => {
      order.push('a start');
      await first.promise;
      order.push('a end');
    });
    const b = writer.fact('b', async () => void order.push('b'));
    await flush();
    expect(order).toEqual(['a start']); // b waits for a, however long a takes
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  it('keeps a failed write and retries it until stored; later facts wait behind it', async () => {
    const { writer, clock, counts } = setup();
    let attempts = 0;
    const stored: string[] = [];
    const down = writer.fact('host_down', async () => {
      attempts++;
      if (attempts < 4) throw new Error('Neo4j is down');
      stored.push('down');
    });
    const back = writer.fact('resolved', async () => void stored.push('back'));
    let settled = false;
    void down.then(() => (settled = true));
    await flush();
    expect(attempts).toBe(1);
    expect(writer.pending).toBe(2);
    for (let i = 0; i < 3; i++) {
      clock.advance(5_000);
      await flush();
    }
    await Promise.all([down, back]);
    expect(settled).toBe(true);
    expect(attempts).toBe(4);
    expect(stored).toEqual(['down', 'back']);
    expect(counts.get('membership_write_retries')).toBe(3);
    expect(writer.pending).toBe(0);
  });

  it('a slow ring write does not hold up facts, and ring writes waiting behind it coalesce into one', async () => {
    const { writer, ringWrites, holdRings, ringGate } = setup();
    holdRings();
    const r1 = writer.rings(['h1', 'h2']);
    await flush();
    const fact = writer.fact('host_down', async () => undefined);
    await fact; // stored while the ring write is still open
    const r2 = writer.rings(['h3']);
    const r3 = writer.rings(['h2', 'h4']);
    await flush();
    expect(ringWrites).toEqual([['h1', 'h2']]);
    ringGate().open();
    await Promise.all([r1, r2, r3]);
    expect(ringWrites).toEqual([
      ['h1', 'h2'],
      ['h2', 'h3', 'h4'],
    ]);
    await writer.idle();
    expect(writer.pending).toBe(0);
  });

  it('after stop, retries end and unstored writes never settle (their messages stay unacknowledged)', async () => {
    const { writer, clock } = setup();
    let attempts = 0;
    const never = writer.fact('host_down', async () => {
      attempts++;
      throw new Error('Neo4j is down');
    });
    let settled = false;
    void never.then(() => (settled = true));
    await flush();
    writer.stop();
    clock.advance(60_000);
    await flush();
    expect(attempts).toBe(1);
    expect(settled).toBe(false);
    await writer.idle(); // does not hang once stopped
  });

  it('a ring write waits for the facts decided before it (the joins its MATCH needs), not for later ones', async () => {
    const { writer, ringWrites } = setup();
    const join = gate();
    const joined = writer.fact('joins', () => join.promise);
    const rings = writer.rings(['h1']);
    await flush();
    expect(ringWrites).toEqual([]); // the join is not stored yet
    join.open();
    await Promise.all([joined, rings]);
    expect(ringWrites).toEqual([['h1']]);
    const later = gate();
    const ringsFirst = writer.rings(['h2']);
    const after = writer.fact('host_down', () => later.promise);
    await ringsFirst; // a fact queued after it does not hold it up
    expect(ringWrites).toEqual([['h1'], ['h2']]);
    later.open();
    await after;
  });
});
