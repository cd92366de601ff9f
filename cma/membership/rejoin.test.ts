/**
 * Hosts the CMA holds as no member but that are running: cut off by a failed switch and declared dead,
 * or held as down by a restarted CMA. Any sign of them asks them to announce again (ask_rejoin), and
 * their announcement brings them back the one way hosts come in.
 */
import { FakeClock } from '../../protocol/transport/fake-clock';
import type { Decision } from './decisions';
import { makeFleet, subnetKey } from './fixtures';
import { Membership } from './membership';
import { Harness } from './test-harness';
import type { HostId, RingHost } from './types';

const PER_SUBNET = 6;
const fleet = makeFleet(4 * PER_SUBNET, PER_SUBNET);
const subnet = (s: number): RingHost[] => fleet.slice(s * PER_SUBNET, (s + 1) * PER_SUBNET);
const of = <T extends Decision['type']>(out: readonly Decision[], type: T): Array<Extract<Decision, { type: T }>> =>
  out.filter((d): d is Extract<Decision, { type: T }> => d.type === type);

describe('hosts that run on while the CMA holds them as no member', () => {
  it('a host declared dead that sends anything is asked to announce, and its announcement resolves it', () => {
    const h = new Harness(fleet, { seed: 3 });
    h.run(5000);
    const victim = subnet(1)[2] as RingHost;
    h.kill(victim.id);
    h.run(15_000);
    expect(h.of('host_down').map((d) => d.host)).toEqual([victim.id]);
    expect(h.membership.status(victim.id)).toBe('dead');

    // Its queued partner report arrives: ignored as a report, but the sender is asked back.
    const before = h.decisions.length;
    const partner = (subnet(1)[3] as RingHost).id;
    h.membership.heardFrom(victim.id);
    h.membership.report({ observer: victim.id, subject: partner, kind: 'dead', silentForMs: 9000 });
    const after = h.decisions.slice(before);
    expect(of(after, 'ask_rejoin')).toEqual([expect.objectContaining({ host: victim.id, status: 'dead', sign: 'message' })]);
    expect(of(after, 'ignored')).toEqual([expect.objectContaining({ reason: 'observer_not_live', observer: victim.id })]);
    expect(of(after, 'probe')).toEqual([]); // a void report starts no judging of its subject

    h.restart(victim); // it announces (the test harness also resumes its heartbeats)
    expect(h.of('resolved')).toEqual([expect.objectContaining({ host: victim.id, via: 'announce', segment: null })]);
    expect(h.membership.status(victim.id)).toBe('live');
    h.run(10_000);
    expect(h.declaredDead()).toEqual([victim.id]); // nothing new
    expect(h.membership.audit()).toEqual([]);
  });

  it('a segment cut off and restored: each host is asked back, and the segment resolves once, when the last returns', () => {
    const h = new Harness(fleet, { seed: 8 });
    h.run(5000);
    const lost = subnet(2);
    for (const x of lost) h.kill(x.id);
    h.run(15_000);
    const segment = `subnet:${subnetKey(2)}`;
    expect(h.of('segment_down')).toEqual([expect.objectContaining({ segment, hosts: lost.map((x) => x.id).sort() })]);

    for (const x of lost) h.membership.heardFrom(x.id);
    expect(h.of('ask_rejoin').map((d) => d.host)).toEqual(lost.map((x) => x.id));
    for (const x of lost.slice(0, -1)) h.restart(x);
    expect(h.of('resolved')).toHaveLength(lost.length - 1);
    expect(h.of('segment_resolved')).toEqual([]);
    h.restart(lost.at(-1) as RingHost);
    expect(h.of('segment_resolved')).toEqual([expect.objectContaining({ segment })]);
    h.run(10_000);
    expect(h.of('segment_resolved')).toHaveLength(1);
    expect(h.declaredDead().sort()).toEqual(lost.map((x) => x.id).sort());
    expect(h.membership.ringSet.ring(segment)?.ordered().map((m) => m.host).sort()).toEqual(lost.map((x) => x.id).sort());
    expect(h.membership.audit()).toEqual([]);
  });

  it('heartbeats others see from a dead host ask it back; from a member they mean nothing', () => {
    const h = new Harness(fleet, { seed: 4 });
    h.run(5000);
    const victim = subnet(0)[1] as RingHost;
    const member = subnet(0)[4] as RingHost;
    h.kill(victim.id);
    h.run(15_000);
    const before = h.decisions.length;
    h.membership.heardFrom(member.id, 'heartbeat_seen');
    h.membership.heardFrom(member.id, 'message');
    expect(h.decisions.slice(before)).toEqual([]);
    h.membership.heardFrom(victim.id, 'heartbeat_seen');
    expect(h.decisions.slice(before)).toEqual([expect.objectContaining({ type: 'ask_rejoin', host: victim.id, status: 'dead', sign: 'heartbeat_seen' })]);
  });

  it('a new process of a member is asked to announce (it holds no config), and stays a member meanwhile', () => {
    const clock = new FakeClock(0);
    const out: Decision[] = [];
    const m = new Membership({ clock, emit: (d) => out.push(d) });
    for (const x of fleet) m.announce(x);
    out.length = 0;
    const x = (fleet[5] as RingHost).id;
    m.heardFrom(x, 'new_process');
    expect(out).toEqual([expect.objectContaining({ type: 'ask_rejoin', host: x, status: 'live', sign: 'new_process' })]);
    expect(m.status(x)).toBe('live');
  });

  it('a host this CMA never saw is asked too (the service only passes authenticated, known peers)', () => {
    const out: Decision[] = [];
    const m = new Membership({ clock: new FakeClock(0), emit: (d) => out.push(d) });
    m.heardFrom('00000000000000aa');
    expect(out).toEqual([expect.objectContaining({ type: 'ask_rejoin', status: 'unknown', sign: 'message' })]);
  });
});

describe('hosts a restarted CMA holds as down', () => {
  /** A CMA that ran `fleet`, lost segment 3 and host `single`, then restarted from its stored rings. */
  function restarted(): { m: Membership; out: Decision[]; lost: HostId[]; single: HostId; segment: string } {
    const h = new Harness(fleet, { seed: 6 });
    h.run(5000);
    const lost = subnet(3).map((x) => x.id);
    const single = (subnet(0)[2] as RingHost).id;
    for (const id of [...lost, single]) h.kill(id);
    h.run(20_000);
    const segment = `subnet:${subnetKey(3)}`;
    expect(h.of('segment_down').map((d) => d.segment)).toEqual([segment]);
    expect(h.of('host_down').map((d) => d.host)).toEqual([single]);
    const stored = JSON.parse(JSON.stringify(h.membership.snapshot())) as unknown;
    const out: Decision[] = [];
    const m = Membership.restore(stored, { clock: new FakeClock(100_000), emit: (d) => out.push(d) });
    m.holdDead(lost, segment);
    m.holdDead([single], null);
    return { m, out, lost, single, segment };
  }

  it('keeps them dead until they announce, then resolves each, and the segment once all are back', () => {
    const { m, out, lost, single, segment } = restarted();
    expect(out).toEqual([]);
    expect(m.stats()).toMatchObject({ live: fleet.length - lost.length - 1, dead: lost.length + 1 });
    for (const id of [...lost, single]) expect(m.status(id)).toBe('dead');

    m.heardFrom(single);
    expect(of(out, 'ask_rejoin')).toEqual([expect.objectContaining({ host: single, status: 'dead' })]);
    m.announce(fleet.find((x) => x.id === single) as RingHost);
    expect(of(out, 'resolved')).toEqual([expect.objectContaining({ host: single, via: 'announce', segment: null })]);

    for (const id of lost) m.announce(fleet.find((x) => x.id === id) as RingHost);
    expect(of(out, 'resolved').filter((d) => d.segment === segment).map((d) => d.host)).toEqual(lost);
    expect(of(out, 'segment_resolved')).toEqual([expect.objectContaining({ segment })]);
    expect(m.stats()).toMatchObject({ live: fleet.length, dead: 0 });
    expect(m.audit()).toEqual([]);
  });

  it('an "alive" report about one asks it back instead of resolving it (its place on the rings is unknown)', () => {
    const { m, out, single } = restarted();
    const observer = (subnet(0)[0] as RingHost).id;
    m.report({ observer, subject: single, kind: 'alive' });
    expect(of(out, 'resolved')).toEqual([]);
    expect(of(out, 'ask_rejoin')).toEqual([expect.objectContaining({ host: single, status: 'dead', sign: 'alive_report' })]);
    expect(m.status(single)).toBe('dead');
  });

  it('never holds a live host as dead', () => {
    const { m } = restarted();
    const live = (subnet(1)[0] as RingHost).id;
    m.holdDead([live], null);
    expect(m.status(live)).toBe('live');
  });
});
