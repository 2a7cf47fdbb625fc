import postgres from 'postgres';

export type Sql = postgres.Sql<{ int8: number }>;
/** A connection or a transaction: what a function that only queries accepts, so it runs inside a caller's sql.begin too. */
export type Queryable = Sql | postgres.TransactionSql<{ int8: number }>;

export function createSql(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // int8 ids and counts as JS numbers: 2^53 is far beyond anything a province holds.
    types: { int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    connection: { application_name: 'orglife' },
  });
}
