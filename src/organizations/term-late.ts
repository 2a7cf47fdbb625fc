import type postgres from 'postgres';
import type { IsoDate } from '../domain/dates.js';
import { electedBodies } from '../domain/rules.js';
export type { TermPlanReason } from '../domain/rules.js';

type Sql = postgres.Sql<{ int8: number }> | postgres.TransactionSql<{ int8: number }>;

/**
 * Over `organizations o`: its committee is elected by this system's term election (domain.md §4.1 "Who elects how";
 * electedBodies), so its term is chased — an appointed 工委 or a county committee has none to chase.
 */
export const electsHere = (sql: Sql) => sql`coalesce(o.election_body in ${sql([...electedBodies])}, false)`;

/**
 * The one definition of "this organization's term election is late on `day`" (未按期换届), over `organizations o`:
 * its term has ended and no approved postponement (written by the term election) still runs. An organization
 * without a term on the register, or whose committee is not elected here (electsHere), is not late here (the missing term has its own chase, term-date-missing).
 * The register's overdue filter, the 未按期换届 report and the ratings read it: the state on a day. The yearly
 * assessment's "term on time" asks another question — was each election due in the year held by its due day — and
 * reads the term election's record of its meeting (termOnTimeIn, src/domain/assessment.ts).
 */
export const termLate = (sql: Sql, day: IsoDate) =>
  sql`(${electsHere(sql)} and coalesce(o.term_ends_on < ${day}::date and (o.term_postponed_until is null or o.term_postponed_until < ${day}::date), false))`;

/**
 * Over `organizations o`: why its term is in the 换届计划 of `year`, or null when it is not — the one definition the
 * plan sent on 1 January and GET /term-election/plan read. A term of an organization elected here is in it when
 * - `ends`: it ends in the year and no approved postponement moves the election past it;
 * - `postponement-ends`: an approved postponement (中国共产党基层组织选举工作条例 2020 art. 3: at most a year) ends in the
 *   year, whenever the term itself ended;
 * - `overdue`: it ended before the year and no postponement still runs into it — still owed (未按期换届), so still planned.
 * A renewed term has moved its end, so a term on the register is never one already renewed.
 */
export const termPlanReason = (sql: Sql, year: number) => {
  const from = sql`make_date(${year}::int, 1, 1)`;
  const to = sql`make_date(${year}::int + 1, 1, 1)`;
  return sql`(case when not ${electsHere(sql)} or o.term_ends_on is null then null
    when o.term_postponed_until >= ${from} and o.term_postponed_until < ${to} then 'postponement-ends'
    when o.term_ends_on >= ${from} and o.term_ends_on < ${to} and (o.term_postponed_until is null or o.term_postponed_until < ${to}) then 'ends'
    when o.term_ends_on < ${from} and (o.term_postponed_until is null or o.term_postponed_until < ${from}) then 'overdue'
  end)`;
};
