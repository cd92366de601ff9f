/**
 * The CMA of the loopback membership tests: started in this process, with a Neo4j of its own (a CMA
 * rebuilds its rings from the whole graph, so it must not share one with other test files), no
 * multicast, no discovery (several "hosts" on one machine would run every script several times: these
 * tests are about membership). It can be stopped and started again on the same membership port and
 * state directory, as an operator restarts one, so the nanoprobes find it where it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCma, type RunningCma } from '../../cma/cma-service';
import { loadCmaConfig } from '../../cma/config/cma-config';
import { LocalNeo4j } from '../../cma/neo4j/local-neo4j';
import { silentLogger } from '../../common/logger';

export class LoopbackCma {
  private home: string | undefined;
  private db: LocalNeo4j | undefined;
  private running: RunningCma | undefined;
  private membershipPort = 0;

  /**
   * `tmpPrefix` names the test's temporary directory, e.g. "unimatrix-held-down-"; `flags` are
   * configuration keys over the defaults below (e.g. discovery switched on).
   */
  constructor(
    private readonly tmpPrefix: string,
    private readonly flags: Record<string, unknown> = {},
  ) {}

  /** The Bolt address of this CMA's own Neo4j (started with the first `start`). */
  get neo4jUri(): string {
    if (this.db === undefined) throw new Error('Neo4j has not been started yet');
    return this.db.uri;
  }

  /** Starts the CMA (and, the first time, the temporary directory and Neo4j). */
  async start(): Promise<RunningCma> {
    if (this.running !== undefined) throw new Error('the CMA is already running');
    this.db ??= await LocalNeo4j.start({ home: this.path('neo4j'), port: 0, heapMb: 512, pagecache: '64m' });
    const config = loadCmaConfig({
      env: {},
      flags: {
        'neo4j.uri': this.db.uri,
        'api.port': 0,
        'log.level': 'silent',
        // 0 the first time; the same port after a restart.
        'membership.port': this.membershipPort,
        'membership.multicast.enabled': false,
        'membership.stateDir': this.path('cma'),
        'discovery.enabled': false,
        ...this.flags,
      },
    });
    this.running = await startCma(config, silentLogger);
    this.membershipPort = this.running.membership.address.port;
    return this.running;
  }

  /** Stops the CMA; Neo4j and the state directory stay for the next start. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.stop();
  }

  /** The running CMA; throws while it is stopped. */
  get cma(): RunningCma {
    if (this.running === undefined) throw new Error('the CMA is not running');
    return this.running;
  }

  /** Where nanoprobes reach the CMA (`--cma`): its membership port on loopback. */
  get address(): { host: string; port: number } {
    if (this.membershipPort === 0) throw new Error('the CMA has not been started yet');
    return { host: '127.0.0.1', port: this.membershipPort };
  }

  /** A path inside the test's temporary directory (made on first use). */
  path(...parts: string[]): string {
    this.home ??= mkdtempSync(path.join(os.tmpdir(), this.tmpPrefix));
    return path.join(this.home, ...parts);
  }

  /** Stops the CMA and Neo4j and removes the temporary directory. */
  async close(): Promise<void> {
    await this.stop();
    await this.db?.stop();
    this.db = undefined;
    if (this.home !== undefined) rmSync(this.home, { recursive: true, force: true });
    this.home = undefined;
  }
}
