import { createHash } from 'node:crypto';

/**
 * Alerts are first-class graph nodes. Their API shape follows Prometheus Alertmanager's v2
 * (`GettableAlert`): labels identify an alert (their hash is its fingerprint), annotations describe
 * it, startsAt/endsAt bound it. One occurrence is one node: a second "firing" with the same labels
 * while the first is open is the same alert, not a new one.
 */
export type AlertLabels = Record<string, string> & { alertname: string; severity: string };
export type AlertAnnotations = Record<string, string>;

export type AlertState = 'firing' | 'resolved';

export type Alert = {
  key: string;
  fingerprint: string;
  labels: AlertLabels;
  annotations: AlertAnnotations;
  state: AlertState;
  startsAt: string;
  endsAt: string | null;
  updatedAt: string;
};

/** Alertmanager API v2 form of an alert (`GET /api/alerts`). */
export type GettableAlert = {
  fingerprint: string;
  labels: AlertLabels;
  annotations: AlertAnnotations;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  /** Alertmanager's states, and ours for an alert that ended: 'resolved' (Alertmanager drops those). */
  status: { state: 'active' | 'suppressed' | 'unprocessed' | 'resolved'; silencedBy: string[]; inhibitedBy: string[] };
  receivers: Array<{ name: string }>;
  generatorURL: string;
  /** Ours, beside Alertmanager's fields: whether it is still firing. */
  resolved: boolean;
};

/** Stable over label order: the same labels always give the same fingerprint. */
export function fingerprintOf(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function toGettable(alert: Alert): GettableAlert {
  return {
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    // Alertmanager gives an open alert an endsAt in the future; we say "not ended" with the zero time.
    endsAt: alert.endsAt ?? '0001-01-01T00:00:00.000Z',
    updatedAt: alert.updatedAt,
    status: { state: alert.state === 'resolved' ? 'resolved' : 'active', silencedBy: [], inhibitedBy: [] },
    receivers: [{ name: 'unimatrix' }],
    // This occurrence, as GET /api/alerts/<key> answers it.
    generatorURL: `/api/alerts/${alert.key}`,
    resolved: alert.state === 'resolved',
  };
}
