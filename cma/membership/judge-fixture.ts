/**
 * For the death judge's tests: a Membership fed by hand, on a FakeClock. 30 hosts in 3 subnets, host 7
 * is the one partners talk about; `grace` is the slow-host grace host 7 has earned (0: a well host).
 */
import { FakeClock } from '../../protocol/transport/fake-clock';
import type { Decision, PartnerReport } from './decisions';
import { makeFleet } from './fixtures';
import { Membership } from './membership';
import type { HostId, RingHost } from './types';

export type JudgeSetup = { m: Membership; clock: FakeClock; out: Decision[]; fleet: RingHost[]; x: HostId; partners: HostId[] };

export function judgeSetup(grace = 0): JudgeSetup {
  const clock = new FakeClock(0);
  const out: Decision[] = [];
  const fleet = makeFleet(30, 10);
  const x = (fleet[7] as RingHost).id;
  const m = new Membership({ clock, emit: (d) => out.push(d), graceFor: (h) => (h === x && grace > 0 ? grace : 0) });
  for (const h of fleet) m.announce(h);
  const partners = m.ringSet.partnersOf(x).map((p) => p.host);
  out.length = 0;
  clock.advance(10_000);
  return { m, clock, out, fleet, x, partners };
}

/** The decisions of one type, typed as that type. */
export const decisionsOf = <T extends Decision['type']>(out: Decision[], type: T): Array<Extract<Decision, { type: T }>> =>
  out.filter((d): d is Extract<Decision, { type: T }> => d.type === type);

export function partnerReport(observer: HostId, subject: HostId, kind: PartnerReport['kind'], silentForMs?: number): PartnerReport {
  return { observer, subject, kind, silentForMs };
}
