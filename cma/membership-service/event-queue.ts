import type { Decision } from '../membership/decisions';
import { SerialQueue } from '../../common/serial-queue';

/**
 * An event refused because the membership service is stopping. It was not applied, so whoever holds
 * the message must not acknowledge it: the sender retransmits it to the next CMA.
 */
export class MembershipStoppedError extends Error {
  constructor() {
    super('the membership service is stopping: event not applied');
    this.name = 'MembershipStoppedError';
  }
}

export type EventQueueOptions = {
  /**
   * Carries out the decisions one event produced, before the next event starts: what it does at once
   * (messages, probes) is done when it returns; the promise settles when its graph writes are stored,
   * which the next event does not wait for.
   */
  carryOut: (decisions: Decision[]) => Promise<void>;
  /** An event failed for any other reason than stopping. */
  onError: (err: unknown) => void;
};

/**
 * The membership's one line of events. Every event (an announcement burst, a report, a probe answer, a
 * placement) runs alone and in arrival order, and the decisions the Membership state machine emitted
 * meanwhile are carried out before the next event starts, so their effects are handed on in the order
 * things happened (a death after a join, never the reverse). Their graph writes are stored behind
 * (membership-writer.ts), in that order; `run` settles once they are.
 *
 * Once stopping, events are refused rather than silently skipped: `run` rejects with
 * MembershipStoppedError, so a reliable message is left unacknowledged instead of being acknowledged
 * unapplied. That refusal is expected during shutdown and is neither counted nor logged as a failure.
 */
export class EventQueue {
  private decisions: Decision[] = [];
  private stopping = false;
  /** An event is running: what it emits is carried out when it ends. */
  private inEvent = false;
  /** An empty event is queued for decisions emitted between events. */
  private flushQueued = false;
  private readonly queue: SerialQueue;

  constructor(private readonly options: EventQueueOptions) {
    this.queue = new SerialQueue((err) => {
      if (!(err instanceof MembershipStoppedError)) options.onError(err);
    });
  }

  /**
   * The Membership's decision sink: decisions wait here until the current event is done. A decision
   * made outside any event (the state machine's own timers: a segment hold running out, a death
   * judge's deadline) gets an empty event of its own, so it is carried out now rather than whenever
   * the next message happens to arrive (in a quiet fleet, maybe never).
   */
  readonly emit = (decision: Decision): void => {
    this.decisions.push(decision);
    if (this.inEvent || this.flushQueued || this.stopping) return;
    this.flushQueued = true;
    this.post(() => undefined);
  };

  get stopped(): boolean {
    return this.stopping;
  }

  /** Drops the decisions emitted so far (a restore re-states what the graph already holds). */
  discardDecisions(): void {
    this.decisions = [];
  }

  /**
   * Queues `work`, then carries out its decisions. Resolves once both are done; rejects if either
   * failed, or with MembershipStoppedError if the service began stopping before `work` ran.
   */
  run(work: () => Promise<void> | void): Promise<void> {
    const started = this.queue.push(async () => {
      if (this.stopping) throw new MembershipStoppedError();
      this.inEvent = true;
      this.flushQueued = false; // this event carries out whatever was emitted before it, too
      try {
        await work();
      } finally {
        this.inEvent = false;
      }
      const decisions = this.decisions;
      this.decisions = [];
      // Carried out now; stored later (a box, so the queue does not wait for the promise inside).
      return { stored: decisions.length > 0 ? this.options.carryOut(decisions) : Promise.resolve() };
    });
    return started.then((r) => r.stored);
  }

  /** `run` for callers with nobody to tell: failures are already reported through onError. */
  post(work: () => Promise<void> | void): void {
    this.run(work).catch(() => undefined);
  }

  /** Resolves once every event queued so far has run (or been refused). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Refuses every event not yet started; resolves when the one running (if any) is done. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.queue.idle();
  }
}
