import type { ListenOptions, Listening } from './listen-postgres.ts';

/** What runs SQL: a client, or the transaction a client opened. */
export interface SqlQueryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of statements without parameters (a migration). */
  exec(sql: string): Promise<void>;
}

/**
 * A connection to a PostgreSQL dialect database: the one seam between the registry and its two
 * backends (PGlite, and a PostgreSQL server through `pg`), which run the same SQL.
 */
export interface SqlClient extends SqlQueryable {
  /**
   * Runs `work` in a READ COMMITTED transaction on one connection: committed when it resolves,
   * rolled back when it throws.
   */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Listens for `NOTIFY` on a channel, on a connection of its own that is replaced when lost; only
   * where other processes can notify (a PostgreSQL server).
   */
  listen?(channel: string, options: ListenOptions): Listening;
  /** Closes the connection (or pool). */
  close(): Promise<void>;
}
