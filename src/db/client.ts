import postgres from 'postgres';

export type Sql = postgres.Sql<{ int8: number }>;
/** A connection or a transaction: what a function that only queries accepts, so it runs inside a caller's sql.begin too. */
export type Queryable = Sql | postgres.TransactionSql<{ int8: number }>;

export interface PoolOptions {
  max?: number;
  /**
   * PostgreSQL ends a statement that runs longer (statement_timeout). The API's pool sets it: a request's query
   * never holds a connection for long; work that needs longer (an import's writes) raises it for its transaction.
   */
  statementTimeoutMs?: number;
}

/**
 * The API's pool: statements end after 30 s. Every pool ends a transaction left idle for 60 s
 * (idle_in_transaction_session_timeout), so no code waiting on something else while in a transaction can hold its
 * connection and locks for longer.
 */
export const API_POOL: PoolOptions = { statementTimeoutMs: 30_000 };
const IDLE_IN_TRANSACTION_MS = 60_000;

export function createSql(url: string, opts: PoolOptions = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // int8 ids and counts as JS numbers: 2^53 is far beyond anything a province holds.
    types: { int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    connection: {
      application_name: 'orglife',
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
    },
  });
}
