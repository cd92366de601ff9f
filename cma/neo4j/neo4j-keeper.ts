import type { Logger } from '../../common/logger';
import { LocalNeo4j, type LocalNeo4jOptions } from './local-neo4j';

/**
 * Keeps the CMA's own embedded Neo4j running: when the JVM ends without being asked to (killed,
 * crashed, or stopped with `unimatrix neo4j stop`), that is logged and it is started again on the
 * same data folder and the same Bolt port, so the driver finds it where it was and reconnects by
 * itself. Attempts back off from 1 s to 30 s while starting fails (e.g. the folder is held by another
 * process) and go on until the CMA stops.
 */
export class Neo4jKeeper {
  private stopped = false;
  private restarts = 0;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private current: LocalNeo4j,
    private readonly options: LocalNeo4jOptions,
    private readonly log: Logger,
  ) {
    this.watch(current);
  }

  static async start(options: LocalNeo4jOptions, log: Logger): Promise<Neo4jKeeper> {
    return new Neo4jKeeper(await LocalNeo4j.start({ ...options, log }), options, log);
  }

  get uri(): string {
    return this.current.uri;
  }

  /** Times the JVM was started again after an unexpected exit. */
  get restartCount(): number {
    return this.restarts;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    await this.current.stop();
  }

  private watch(db: LocalNeo4j): void {
    db.onUnexpectedExit((how) => {
      if (this.stopped) return;
      this.log.error({ pid: db.pid, how, home: db.home }, 'the local Neo4j exited; starting it again');
      this.restart(db.port, 0);
    });
  }

  private restart(port: number, attempt: number): void {
    if (this.stopped) return;
    LocalNeo4j.start({ ...this.options, port, log: this.log }).then(
      (db) => {
        if (this.stopped) {
          void db.stop();
          return;
        }
        this.restarts++;
        this.current = db;
        this.watch(db);
        this.log.info({ uri: db.uri, pid: db.pid, restarts: this.restarts }, 'the local Neo4j is running again');
      },
      (err: unknown) => {
        const wait = Math.min(30_000, 1_000 * 2 ** attempt);
        this.log.error({ err: (err as Error).message.split('\n')[0], retryInMs: wait }, 'the local Neo4j did not start again; retrying');
        this.retry = setTimeout(() => this.restart(port, attempt + 1), wait);
        this.retry.unref();
      },
    );
  }
}
