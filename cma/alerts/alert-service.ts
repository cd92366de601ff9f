import type { Alert, AlertAnnotations } from './alert';
import type { AlertStore } from './alert-store';
import { alertLabels, type AlertKind } from './rules';

/**
 * Between what the CMA decides and the alert store: features raise and clear alerts by kind and
 * subject (rules.ts builds the labels), never by hand-written label sets. This is where what happens
 * to an alert beyond storing it hangs: acknowledgement, silences, inhibition, notifications.
 */
export class AlertService {
  constructor(private readonly store: Pick<AlertStore, 'fire' | 'resolve' | 'resolveMany'>) {}

  raise(kind: AlertKind, subject: string, input: { annotations: AlertAnnotations; hosts: string[]; at: number }): Promise<Alert> {
    return this.store.fire({ labels: alertLabels(kind, subject), ...input });
  }

  /** Resolves the open alert of `kind` about `subject`; null when none was open. */
  clear(kind: AlertKind, subject: string, at: number, note: string): Promise<Alert | null> {
    return this.store.resolve(alertLabels(kind, subject), at, note);
  }

  /** Resolves the open ones among many subjects in one write; returns how many were open. */
  clearMany(kind: AlertKind, subjects: string[], at: number, note: string): Promise<number> {
    if (subjects.length === 0) return Promise.resolve(0);
    return this.store.resolveMany(subjects.map((s) => alertLabels(kind, s)), at, note);
  }
}
