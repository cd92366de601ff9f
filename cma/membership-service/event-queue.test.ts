import type { Decision } from '../membership/decisions';
import { EventQueue, MembershipStoppedError } from './event-queue';

const ignored = (host: string): Decision => ({ type: 'ignored', reason: 'unknown_subject', event: 'report', host, observer: null, at: 0 });

function setup() {
  const carried: string[][] = [];
  const errors: unknown[] = [];
  let release: (() => void) | undefined;
  const events = new EventQueue({
    carryOut: async (decisions) => {
      carried.push(decisions.map((d) => ('host' in d ? d.host : d.type)));
    },
    onError: (err) => errors.push(err),
  });
  /** An event that stays running until released. */
  const blocker = (): Promise<void> =>
    events.run(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
  return { events, carried, errors, blocker, release: () => release?.() };
}

describe('EventQueue', () => {
  it('carries out decisions emitted between events (the state machine\'s own timers) at once, in one event', async () => {
    const { events, carried } = setup();
    events.emit(ignored('t1'));
    events.emit(ignored('t2'));
    await events.idle();
    expect(carried).toEqual([['t1', 't2']]);
    // During an event, emitted decisions wait for its end and cost no extra event.
    await events.run(() => events.emit(ignored('e')));
    await events.idle();
    expect(carried).toEqual([['t1', 't2'], ['e']]);
  });

  it('emits queued behind a running event go with the next event, not lost', async () => {
    const { events, carried, blocker, release } = setup();
    const running = blocker();
    await new Promise((r) => setImmediate(r));
    events.emit(ignored('between'));
    release();
    await running;
    await events.idle();
    expect(carried.flat()).toContain('between');
    expect(carried.flat().filter((h) => h === 'between')).toHaveLength(1);
  });

  it('runs events one at a time in arrival order, carrying out each one\'s decisions before the next starts', async () => {
    const { events, carried } = setup();
    const order: string[] = [];
    const a = events.run(async () => {
      order.push('a start');
      events.emit(ignored('a'));
      await new Promise((r) => setImmediate(r));
      order.push('a end');
    });
    const b = events.run(() => {
      order.push(`b start after ${carried.length} carried`);
      events.emit(ignored('b'));
    });
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b start after 1 carried']);
    expect(carried).toEqual([['a'], ['b']]);
  });

  it('refuses events that had not started when stopping began: they reject, and nothing is reported as an error', async () => {
    const { events, carried, errors, blocker, release } = setup();
    const running = blocker();
    await new Promise((r) => setImmediate(r)); // it has started
    let appliedAfterStop = false;
    const queued = events.run(() => {
      appliedAfterStop = true;
    });
    const stopping = events.stop();
    expect(events.stopped).toBe(true);
    release();
    await expect(running).resolves.toBeUndefined(); // the event under way finishes
    await expect(queued).rejects.toBeInstanceOf(MembershipStoppedError);
    await stopping;
    await expect(events.run(() => undefined)).rejects.toBeInstanceOf(MembershipStoppedError);
    expect(appliedAfterStop).toBe(false);
    expect(carried).toEqual([]); // the blocker emitted nothing: nothing to carry out
    expect(errors).toEqual([]);
  });

  it('reports an event that fails, rejects its caller, and goes on with the next', async () => {
    const { events, errors } = setup();
    const failing = events.run(() => {
      throw new Error('graph unavailable');
    });
    const next = events.run(() => undefined);
    await expect(failing).rejects.toThrow('graph unavailable');
    await expect(next).resolves.toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ message: 'graph unavailable' })]);
  });

  it('drops the decisions emitted before discardDecisions', async () => {
    const { events, carried } = setup();
    events.emit(ignored('restored'));
    events.discardDecisions();
    await events.run(() => events.emit(ignored('live')));
    expect(carried).toEqual([['live']]);
  });
});
