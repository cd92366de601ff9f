/**
 * What an ingest step wants written, as data: a list of batched statements that the graph layer runs
 * in one bounded write transaction (split into chunks of at most the configured batch size).
 * Plugins build plans as pure functions, so they are unit-tested without a database.
 */
export type Row = Record<string, unknown>;

export type BatchStatement = {
  /** Cypher that starts with `UNWIND $rows AS row`; may use other parameters from `params`. */
  cypher: string;
  rows: Row[];
  params?: Record<string, unknown>;
};

export type WritePlan = BatchStatement[];
