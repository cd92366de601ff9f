/**
 * The real store, with gates a test can close in front of chosen calls: the call waits at the gate
 * until the test opens it. This is how a test makes two ingests reach the database in an order it
 * chooses (the one write at a time that a slow network or a busy database would produce), without
 * timing anything.
 */
import { RecordShape } from 'neo4j-driver';
import { GraphStore, type PlanResult } from '../../cma/graph/graph-store';
import type { WritePlan } from '../../cma/graph/write-plan';

/** What a gate looks at: the kind of call, the host its statements are for, and their Cypher. */
export type StoreCall = { kind: 'write' | 'plan'; host: unknown; cypher: string };

export type Gate = {
  /** resolves once a matching call waits at the gate */
  reached: Promise<void>;
  /** lets the waiting call (and every later matching one) through */
  open(): void;
};

type Armed = { matches: (call: StoreCall) => boolean; reached: () => void; opened: Promise<void>; used: boolean };

export class GatedStore extends GraphStore {
  private readonly gates: Armed[] = [];

  constructor(store: GraphStore) {
    super(store.driver, store.database, store.options);
  }

  /** Holds the next call that `matches` (only the first one: later matches pass) until `open()`. */
  gate(matches: (call: StoreCall) => boolean): Gate {
    let reached!: () => void;
    let open!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const opened = new Promise<void>((r) => (open = r));
    this.gates.push({ matches, reached, opened, used: false });
    return { reached: reachedP, open };
  }

  override async write<T extends RecordShape = RecordShape>(cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
    await this.pass({ kind: 'write', host: params.host, cypher });
    return super.write<T>(cypher, params);
  }

  override async runPlan(plan: WritePlan): Promise<PlanResult> {
    await this.pass({ kind: 'plan', host: plan[0]?.params?.host, cypher: plan.map((s) => s.cypher).join('\n') });
    return super.runPlan(plan);
  }

  /** Only the driver is shared with the store this one wraps; that store closes it. */
  override async close(): Promise<void> {}

  private async pass(call: StoreCall): Promise<void> {
    const gate = this.gates.find((g) => !g.used && g.matches(call));
    if (gate === undefined) return;
    gate.used = true;
    gate.reached();
    await gate.opened;
  }
}
