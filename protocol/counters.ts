/**
 * A small typed set of monotonically increasing counters, meant to be exported as metrics later.
 * The names are fixed when the set is created, so a typo is a compile error, and `snapshot()` always
 * lists every name (zero included) so a dashboard sees a stable set of series.
 */

import type { GuardDropReason } from './guard';

/**
 * Why the security layer refuses a datagram: protocol/guard.ts's `GuardDropReason`, as a list. (A
 * reason missing here fails to compile where the guard counts its drops as `dropped_<reason>`.)
 */
export const GUARD_DROP_REASONS = [
  'bad_version',
  'bad_kind',
  'truncated',
  'bad_auth',
  'unknown_peer',
  'replay',
  'stale_session',
  'oversize',
] as const satisfies readonly GuardDropReason[];

/**
 * Why a datagram or message was dropped, across the protocol layers: the guard's reasons, then the
 * codec's own (the transport adds its own in transport/transport-counters.ts).
 */
export const DROP_REASONS = [...GUARD_DROP_REASONS, 'malformed', 'unknown_type', 'bad_shape'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export type DropCounterName = `dropped_${DropReason}`;

export function dropCounterName<R extends DropReason>(reason: R): `dropped_${R}` {
  return `dropped_${reason}`;
}

export class CounterSet<Name extends string> {
  private readonly values: Map<Name, number>;

  constructor(names: readonly Name[]) {
    this.values = new Map(names.map((n) => [n, 0]));
  }

  add(name: Name, amount = 1): void {
    if (!Number.isFinite(amount) || amount < 0) {
      throw new RangeError(`counter ${name}: amount must be a non-negative finite number, got ${amount}`);
    }
    const current = this.values.get(name);
    if (current === undefined) throw new RangeError(`unknown counter ${name}`);
    this.values.set(name, current + amount);
  }

  get(name: Name): number {
    return this.values.get(name) ?? 0;
  }

  names(): Name[] {
    return [...this.values.keys()];
  }

  /** Plain numbers, detached from the live set. */
  snapshot(): Record<Name, number> {
    return Object.fromEntries(this.values) as Record<Name, number>;
  }
}

/** Convenience: the counter names for a set of drop reasons, e.g. for a layer that can drop for a few. */
export function dropCounterNames<R extends DropReason>(reasons: readonly R[]): `dropped_${R}`[] {
  return reasons.map((r) => `dropped_${r}` as `dropped_${R}`);
}
