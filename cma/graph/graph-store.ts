import neo4j, { Driver, ManagedTransaction, RecordShape } from 'neo4j-driver';
import { BatchStatement, Row, WritePlan } from './write-plan';
import { retryConcurrentDeletion } from './read-retry';
import { answerWithin, GraphHealth } from './graph-health';

export type GraphConnection = {
  uri: string;
  user?: string;
  password?: string;
  /** Every session names its database; Community has one user database, `neo4j`. */
  database: string;
};

export type GraphStoreOptions = {
  /** Rows per `UNWIND $rows` chunk. */
  batchSize: number;
  /** A plan larger than this is committed chunk by chunk instead of in one transaction. */
  maxRowsPerTransaction: number;
  /** How long the driver keeps retrying a transaction that failed with a transient error. */
  maxRetryTimeMs: number;
  /**
   * Check every second that Neo4j answers, and fail reads and new writes at once while it does not
   * (graph-health.ts). The CMA's store does; short-lived tools and tests need not.
   */
  watchHealth?: boolean;
  /** Told when Neo4j stops or starts answering (watchHealth only). */
  onHealthChange?: (up: boolean, error: string) => void;
};

export const DEFAULT_STORE_OPTIONS: GraphStoreOptions = {
  batchSize: 5_000,
  maxRowsPerTransaction: 50_000,
  maxRetryTimeMs: 30_000,
};

export type PlanResult = { rows: number; statements: number; transactions: number };

/**
 * The one way the CMA talks to Neo4j: reads and writes in separate managed transactions (the driver
 * retries transient failures such as deadlocks and leader switches), always against a named database,
 * with writes batched through `UNWIND $rows` in chunks of bounded size.
 */
export class GraphStore {
  readonly database: string;
  readonly options: GraphStoreOptions;
  private readonly health: GraphHealth | undefined;

  constructor(
    readonly driver: Driver,
    database: string,
    options: Partial<GraphStoreOptions> = {},
  ) {
    this.database = database;
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    if (this.options.watchHealth) this.health = new GraphHealth(() => this.checkOnce(), undefined, this.options.onHealthChange);
  }

  /** False while the health check finds Neo4j not answering (always true without watchHealth). */
  get available(): boolean {
    return this.health?.up ?? true;
  }

  static open(connection: GraphConnection, options: Partial<GraphStoreOptions> = {}): GraphStore {
    const auth =
      connection.user !== undefined && connection.user !== ''
        ? neo4j.auth.basic(connection.user, connection.password ?? '')
        : undefined;
    const merged = { ...DEFAULT_STORE_OPTIONS, ...options };
    const driver = neo4j.driver(connection.uri, auth, {
      maxTransactionRetryTime: merged.maxRetryTimeMs,
      connectionAcquisitionTimeout: 10_000,
      connectionTimeout: 5_000,
      disableLosslessIntegers: false,
    });
    return new GraphStore(driver, connection.database, merged);
  }

  /** Runs a read-only query in a read transaction; returns plain records (see read-retry.ts). */
  async read<T extends RecordShape = RecordShape>(cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return this.guarded(true, () => this.readNow<T>(cypher, params));
  }

  private readNow<T extends RecordShape>(cypher: string, params: Record<string, unknown>): Promise<T[]> {
    return retryConcurrentDeletion(async () => {
      const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
      try {
        const result = await session.executeRead((tx) => tx.run<T>(cypher, params));
        return result.records.map((r) => r.toObject());
      } finally {
        await session.close();
      }
    });
  }

  /** Runs one write query in a write transaction. */
  async write<T extends RecordShape = RecordShape>(cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return this.inWriteTransaction(async (tx) => {
      const result = await tx.run<T>(cypher, params);
      return result.records.map((r) => r.toObject());
    });
  }

  async inWriteTransaction<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.guarded(false, () => this.writeNow(work));
  }

  /** Reads may be let go when Neo4j goes down meanwhile; writes only fail fast when it already is. */
  private guarded<T>(abortable: boolean, work: () => Promise<T>): Promise<T> {
    return this.health === undefined ? work() : this.health.run(work, abortable);
  }

  private async writeNow<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      return await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }

  /** Runs a statement outside an explicit transaction (schema changes cannot share one with data). */
  async runAutoCommit(cypher: string, params: Record<string, unknown> = {}): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      await session.run(cypher, params);
    } finally {
      await session.close();
    }
  }

  /** Writes many rows through one `UNWIND $rows AS row …` statement, chunk by chunk. */
  async writeBatched(cypher: string, rows: Row[], params: Record<string, unknown> = {}): Promise<PlanResult> {
    return this.runPlan([{ cypher, rows, params }]);
  }

  /**
   * Applies a plan: in one transaction when it is small enough (so an ingest is all or nothing and can
   * be acknowledged once committed), otherwise one transaction per chunk.
   */
  async runPlan(plan: WritePlan): Promise<PlanResult> {
    const totalRows = plan.reduce((n, s) => n + s.rows.length, 0);
    const chunks = plan.flatMap((statement) => chunk(statement, this.options.batchSize));
    if (totalRows <= this.options.maxRowsPerTransaction) {
      await this.inWriteTransaction((tx) => runPlanIn(tx, plan, this.options.batchSize));
      return { rows: totalRows, statements: chunks.length, transactions: 1 };
    }
    for (const c of chunks) {
      await this.inWriteTransaction(async (tx) => {
        await tx.run(c.cypher, { ...c.params, rows: c.rows });
      });
    }
    return { rows: totalRows, statements: chunks.length, transactions: chunks.length };
  }

  /** One trivial query, auto-commit and without the driver's retries: does Neo4j answer now? */
  private async checkOnce(): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      await session.run('RETURN 1 AS one');
    } finally {
      await session.close();
    }
  }

  /** True when the database answers a trivial query now. */
  async ping(): Promise<{ up: true; latencyMs: number } | { up: false; error: string }> {
    const started = Date.now();
    try {
      await answerWithin(this.checkOnce(), 2_000);
      return { up: true, latencyMs: Date.now() - started };
    } catch (err) {
      return { up: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    this.health?.close();
    await this.driver.close();
  }
}

/**
 * Runs a plan's statements, chunk by chunk, in a transaction the caller holds (a group commit puts
 * several plans in one). Returns how many statements ran.
 */
export async function runPlanIn(tx: ManagedTransaction, plan: WritePlan, batchSize: number): Promise<number> {
  let statements = 0;
  for (const statement of plan) {
    for (const c of chunk(statement, batchSize)) {
      await tx.run(c.cypher, { ...c.params, rows: c.rows });
      statements += 1;
    }
  }
  return statements;
}

/** Splits a statement's rows into chunks; a statement with no rows still runs once (cleanups). */
function chunk(statement: BatchStatement, size: number): BatchStatement[] {
  if (statement.rows.length <= size) return [statement];
  const out: BatchStatement[] = [];
  for (let i = 0; i < statement.rows.length; i += size) {
    out.push({ ...statement, rows: statement.rows.slice(i, i + size) });
  }
  return out;
}
