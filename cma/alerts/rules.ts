/**
 * Every kind of alert the CMA raises, defined once: its name, severity, and the one label that names
 * its subject. The fingerprint is a hash of the labels, so a HostDown raised in one place and resolved
 * in another must build them the same way — they do, here. New kinds (service monitoring, pollers)
 * are added to this table.
 */
import { parseRingName } from '../membership/topology';
import type { AlertLabels } from './alert';

export const ALERT_RULES = {
  /** A host's death, confirmed (membership). */
  HostDown: { severity: 'critical', subject: 'host' },
  /** Every host of a subnet went silent together: one root cause (membership). */
  SegmentDown: { severity: 'critical', subject: 'segment' },
  /** Every host behind a switch went silent together (membership, once LLDP placed them). */
  SwitchDown: { severity: 'critical', subject: 'switch' },
  /** A host announced with a key other than the one pinned for its name (trust store). */
  HostKeyRefused: { severity: 'warning', subject: 'host' },
  /** A host keeps refusing this CMA's answers: its nanoprobe trusts another CMA key. */
  HostRefusesCma: { severity: 'warning', subject: 'host' },
} as const;

export type AlertKind = keyof typeof ALERT_RULES;

/** The labels of an alert of `kind` about `subject` (a host name, a segment or a switch key). */
export function alertLabels(kind: AlertKind, subject: string): AlertLabels {
  const rule = ALERT_RULES[kind];
  return { alertname: kind, severity: rule.severity, [rule.subject]: subject } as AlertLabels;
}

/** The alert a ring's whole segment going down raises: SwitchDown for a switch ring, else SegmentDown. */
export function segmentAlert(ring: string): { kind: 'SwitchDown' | 'SegmentDown'; subject: string } {
  const parsed = parseRingName(ring);
  if (parsed?.kind === 'switch') return { kind: 'SwitchDown', subject: parsed.key ?? ring };
  return { kind: 'SegmentDown', subject: parsed?.key ?? ring };
}
