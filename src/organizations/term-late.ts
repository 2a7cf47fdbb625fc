import type postgres from 'postgres';
import type { IsoDate } from '../domain/dates.js';

/**
 * The one definition of "this organization's term election is late on `day`" (未按期换届), over `organizations o`:
 * its term has ended and no approved postponement (written by the term election) still runs. An organization
 * without a term on the register is not late here (the missing term has its own chase, term-date-missing).
 * The register's overdue filter, the 未按期换届 report and the ratings read it: the state on a day. The yearly
 * assessment's "term on time" asks another question — was each election due in the year held by its due day — and
 * reads the term election's record of its meeting (termOnTimeIn, src/domain/assessment.ts).
 */
export const termLate = (sql: postgres.Sql<{ int8: number }> | postgres.TransactionSql<{ int8: number }>, day: IsoDate) =>
  sql`coalesce(o.term_ends_on < ${day}::date and (o.term_postponed_until is null or o.term_postponed_until < ${day}::date), false)`;
