import { FakeClock } from '../../protocol/transport/fake-clock';
import type { Decision } from './decisions';
import { makeFleet } from './fixtures';
import { Membership } from './membership';
import { SnapshotError } from './snapshot';
import { Harness } from './test-harness';
import type { HostId, RingHost } from './types';

const of = <T extends Decision['type']>(out: Decision[], type: T): Array<Extract<Decision, { type: T }>> =>
  out.filter((d): d is Extract<Decision, { type: T }> => d.type === type);

describe('Membership', () => {
  it('answers a duplicate announce with the same config and changes nothing else', () => {
    const clock = new FakeClock(0);
    const out: Decision[] = [];
    const m = new Membership({ clock, emit: (d) => out.push(d) });
    const fleet = makeFleet(12, 6);
    for (const h of fleet) m.announce(h);
    const before = JSON.stringify(m.snapshot());
    out.length = 0;
    m.announce(fleet[4] as RingHost);
    expect(out).toEqual([expect.objectContaining({ type: 'ring_config', host: (fleet[4] as RingHost).id, reason: 'reannounce' })]);
    expect(JSON.stringify(m.snapshot())).toBe(before);
  });

  it('restarted from its stored rings, keeps judging: a death after the restart is found and repaired', () => {
    const fleet = makeFleet(40, 10);
    const first = new Harness(fleet, { seed: 4 });
    first.run(3000);
    const stored = JSON.parse(JSON.stringify(first.membership.snapshot())) as unknown;

    const clock = new FakeClock(0);
    const out: Decision[] = [];
    const m = Membership.restore(stored, { clock, emit: (d) => out.push(d) });
    expect(m.snapshot()).toEqual(first.membership.snapshot());
    expect(m.audit()).toEqual([]);
    const x = (fleet[9] as RingHost).id;
    const partners = m.ringSet.partnersOf(x).map((p) => p.host);
    for (const p of partners) m.report({ observer: p, subject: x, kind: 'dead', silentForMs: 4500 });
    expect(of(out, 'host_down').map((d) => d.host)).toEqual([x]);
    expect(m.audit()).toEqual([]);
    expect(() => Membership.restore({ version: 1, rings: 'nope' }, { clock, emit: () => {} })).toThrow(SnapshotError);
  });

  it('resolves a dead host on an "alive" report from a former partner, and on any message after a probe failure', () => {
    const clock = new FakeClock(0);
    const out: Decision[] = [];
    const m = new Membership({ clock, emit: (d) => out.push(d) });
    const fleet = makeFleet(20, 10);
    for (const h of fleet) m.announce(h);
    const x = (fleet[2] as RingHost).id;
    const partners = m.ringSet.partnersOf(x).map((p) => p.host);
    clock.advance(10_000);
    m.report({ observer: partners[0] as HostId, subject: x, kind: 'late', silentForMs: 2500 });
    const probe = of(out, 'probe')[0];
    m.probeFailed(x, probe?.probeId ?? -1); // the transport gave up: counts as timed out
    for (const p of partners.slice(1)) m.report({ observer: p, subject: x, kind: 'late', silentForMs: 2500 });
    clock.advance(2000);
    m.report({ observer: partners[0] as HostId, subject: x, kind: 'dead', silentForMs: 4500 });
    expect(of(out, 'host_down')).toEqual([expect.objectContaining({ host: x, evidence: expect.objectContaining({ confirmedBy: 'probe_timeout' }) })]);
    m.report({ observer: partners[1] as HostId, subject: x, kind: 'alive' });
    expect(of(out, 'resolved')).toEqual([expect.objectContaining({ host: x, via: 'alive_report' })]);
    expect(m.status(x)).toBe('live');
    const before = out.length;
    m.heardFrom(partners[0] as HostId);
    expect(out.length).toBe(before); // life from a member decides nothing by itself
  });
});
