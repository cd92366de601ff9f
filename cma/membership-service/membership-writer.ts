import type { Clock, TimerHandle } from '../../protocol/transport/clock';
import type { HostId } from '../membership/types';
import type { Logger } from '../../common/logger';

export type MembershipWriterDeps = {
  clock: Clock;
  /** Rewrites the stored rings of these hosts as the state machine has them now (ring-store.ts). */
  saveRings: (hosts: Set<HostId>) => Promise<void>;
  count: (what: string) => void;
  log: Logger;
  /** First and longest wait between attempts of a write that failed (Neo4j down, a lock timeout). */
  retryMs?: { first: number; max: number };
};

/** A write that takes this long (ms) is worth a line in the log. */
const SLOW_WRITE_MS = 1_000;

type Job = { write: () => Promise<void>; done: () => void; what: string };

/**
 * Stores what membership decided, off the path that decides it. Decisions (a death, a ring change)
 * are made in memory and their messages (CONFIGs, probes) go out at once; their graph writes land
 * here, so that a write waiting on Neo4j — behind discovery's locks on the same Host nodes, or
 * during an outage — never holds up the next report, probe or death (issue 14: a join's ring write
 * waited behind discovery ingest, and the partners' CONFIGs with it). A write that takes longer than
 * a second is logged ("membership write slow", with its time), so such waits show.
 *
 * Two lanes, each retried until stored (nothing is lost while Neo4j is down; issue 16):
 *  - facts (host status, alerts, joins): one job at a time, in decision order, so a death is never
 *    stored after the host's return;
 *  - rings: a snapshot of the touched hosts as they are now, so pending ring writes coalesce into one
 *    and a slow ring write never delays an alert. A ring write starts only once the facts decided
 *    before it are stored (its MATCH needs the joined Host nodes).
 * `stored` promises settle when their write committed: a reliable message is acknowledged then.
 */
export class MembershipWriter {
  private readonly facts: Job[] = [];
  private factsRunning = false;
  private readonly ringHosts = new Set<HostId>();
  /** Facts queued and stored so far, and how many must be stored before the pending ring write. */
  private factsQueued = 0;
  private factsStored = 0;
  private ringsNeedFacts = 0;
  private ringWaiters: Array<() => void> = [];
  private ringsRunning = false;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Set<TimerHandle>();
  private stopped = false;
  private failingSince: number | null = null;
  private readonly retryMs: { first: number; max: number };

  constructor(private readonly deps: MembershipWriterDeps) {
    this.retryMs = deps.retryMs ?? { first: 250, max: 5_000 };
  }

  /** Writes not yet committed (both lanes). */
  get pending(): number {
    return this.facts.length + (this.ringHosts.size > 0 || this.ringsRunning ? 1 : 0);
  }

  /** Queues a fact write behind the earlier ones; resolves once it committed. */
  fact(what: string, write: () => Promise<void>): Promise<void> {
    this.factsQueued++;
    return new Promise<void>((done) => {
      this.facts.push({ write, done, what });
      this.runFacts();
    });
  }

  /** Marks hosts whose rings must be written again; resolves once a write that covers them committed. */
  rings(hosts: Iterable<HostId>): Promise<void> {
    for (const h of hosts) this.ringHosts.add(h);
    this.ringsNeedFacts = this.factsQueued;
    return new Promise<void>((done) => {
      this.ringWaiters.push(done);
      this.runRings();
    });
  }

  /** Resolves once everything queued so far is stored (or the writer stopped). */
  idle(): Promise<void> {
    if (this.pending === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops retrying. What is still unstored is counted and logged; its `stored` promises never settle,
   * so the reliable messages waiting on them stay unacknowledged and are sent again to the next CMA.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) this.deps.clock.clearTimer(t);
    this.timers.clear();
    const lost = this.facts.length + (this.ringHosts.size > 0 ? 1 : 0);
    if (lost > 0) this.deps.log.warn({ writes: lost }, 'membership writes not stored at stop; the hosts report again to the next CMA');
    this.settleIdle();
  }

  private runFacts(): void {
    if (this.factsRunning || this.stopped) return;
    const job = this.facts[0];
    if (job === undefined) return this.settleIdle();
    this.factsRunning = true;
    this.attempt(job.what, job.write, () => {
      this.facts.shift();
      this.factsRunning = false;
      this.factsStored++;
      job.done();
      this.runFacts();
      this.runRings();
    });
  }

  private runRings(): void {
    if (this.ringsRunning || this.stopped) return;
    if (this.ringHosts.size === 0) return this.settleIdle();
    if (this.factsStored < this.ringsNeedFacts) return; // runs again when those facts are stored
    this.ringsRunning = true;
    const hosts = new Set(this.ringHosts);
    this.ringHosts.clear();
    const waiters = this.ringWaiters;
    this.ringWaiters = [];
    this.attempt(
      'rings',
      () => this.deps.saveRings(hosts),
      () => {
        this.ringsRunning = false;
        for (const w of waiters) w();
        this.runRings();
      },
    );
  }

  /** Runs `write` until it succeeds (backing off), then `done`; gives up only when stopped. */
  private attempt(what: string, write: () => Promise<void>, done: () => void, tries = 0): void {
    if (this.stopped) return;
    const started = this.deps.clock.now();
    write().then(
      () => {
        const ms = Math.round(this.deps.clock.now() - started);
        if (ms >= SLOW_WRITE_MS) this.deps.log.info({ what, ms }, 'membership write slow');
        if (this.failingSince !== null) {
          this.deps.log.info({ failedForMs: Math.round(this.deps.clock.now() - this.failingSince) }, 'membership writes stored again');
          this.failingSince = null;
        }
        done();
      },
      (err: unknown) => {
        this.deps.count('membership_write_retries');
        if (this.failingSince === null) {
          this.failingSince = this.deps.clock.now();
          this.deps.log.error({ what, err: (err as Error).message }, 'membership write failed; kept and retried until stored');
        }
        const wait = Math.min(this.retryMs.max, this.retryMs.first * 2 ** Math.min(tries, 10));
        const timer = this.deps.clock.setTimer(wait, () => {
          this.timers.delete(timer);
          this.attempt(what, write, done, tries + 1);
        });
        this.timers.add(timer);
      },
    );
  }

  private settleIdle(): void {
    if (this.pending > 0 && !this.stopped) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
