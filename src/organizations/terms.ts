// The register of terms (domain.md §4.1 step 1) as the API reads and writes it: terms by end date, the yearly plan
// (换届计划), the late terms (未按期换届), and who elects how.
import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable, Sql } from '../db/client.js';
import type { IsoDate } from '../domain/dates.js';
import type { ElectionBody } from '../domain/rules.js';
import type { overdueTermSchema, termPlanItemSchema, termSchema } from './term-schemas.js';
import { termLate, termPlanReason } from './term-late.js';

export interface TermSearch {
  /** The caller's scope over `o`. */
  scope: Fragment;
  /** The ltree path of an organization the caller sees: its subtree only. */
  under?: string | undefined;
  endsFrom?: IsoDate | undefined;
  endsTo?: IsoDate | undefined;
  /** Only the terms late on `today` (true), or only those not late (false). */
  overdue?: boolean | undefined;
  today: IsoDate;
  /** Terms after this one in (end date, code) order: the cursor. */
  after?: { endsOn: string; code: string } | null | undefined;
  limit: number;
}

/** Terms on the register, by end date and code: at most `limit` rows, and one more when there are more. */
export function listTerms(sql: Queryable, s: TermSearch): Promise<z.infer<typeof termSchema>[]> {
  const late = termLate(sql, s.today);
  const conds = [s.scope, sql`o.term_ends_on is not null`];
  if (s.under !== undefined) conds.push(sql`o.path <@ ${s.under}::ltree`);
  if (s.endsFrom) conds.push(sql`o.term_ends_on >= ${s.endsFrom}::date`);
  if (s.endsTo) conds.push(sql`o.term_ends_on <= ${s.endsTo}::date`);
  // Overdue: past the term's end and past any approved postponement (which the term election writes).
  if (s.overdue === true) conds.push(late);
  if (s.overdue === false) conds.push(sql`not ${late}`);
  if (s.after) conds.push(sql`(o.term_ends_on, o.code) > (${s.after.endsOn}::date, ${s.after.code})`);
  return sql<z.infer<typeof termSchema>[]>`
    select o.code, o.name, o.type, o.sector, o.term_years as "termYears",
           to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
           to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
           ${late} as overdue, o.secretary_name as "secretaryName"
    from organizations o where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
    order by o.term_ends_on, o.code limit ${s.limit + 1}`;
}

/** Over `organizations o`: the step its running term election is at, if any. */
const electionStep = (sql: Queryable) => sql`
  (select p.current_step from processes p where p.organization_id = o.id and p.kind = 'term-election' and p.status = 'running'
   order by p.started_at desc limit 1)`;

/** The 换届计划 of `year` in scope: terms due in it, by supervising committee, end date and code. */
export async function termPlan(sql: Queryable, scope: Fragment, year: number): Promise<z.infer<typeof termPlanItemSchema>[]> {
  const items = await sql<z.infer<typeof termPlanItemSchema>[]>`
    select * from (
      select o.code, o.name, o.type, o.sector, s.code as "supervisorCode", s.name as "supervisorName", o.term_years as "termYears",
             to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
             o.secretary_name as "secretaryName", to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
             ${electionStep(sql)} as "electionStep", ${termPlanReason(sql, year)} as "inPlanBecause", s.code as s_code
      from organizations o join organizations s on s.id = o.parent_id
      where ${scope} and o.type <> 'unit') t
    where t."inPlanBecause" is not null
    order by t.s_code, t."termEndsOn", t.code`;
  for (const i of items) delete (i as { s_code?: string }).s_code;
  return items;
}

/** The terms in scope late on `today` (未按期换届), by end date and code, with the days since their end. */
export function lateTerms(sql: Queryable, scope: Fragment, today: IsoDate): Promise<z.infer<typeof overdueTermSchema>[]> {
  return sql<z.infer<typeof overdueTermSchema>[]>`
    select o.code, o.name, s.code as "supervisorCode", s.name as "supervisorName", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
           (${today}::date - o.term_ends_on)::int as "daysOverdue", to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
           o.secretary_name as "secretaryName", ${electionStep(sql)} as "electionStep"
    from organizations o join organizations s on s.id = o.parent_id
    where ${scope} and o.type <> 'unit' and ${termLate(sql, today)}
    order by o.term_ends_on, o.code`;
}

/** Who elects how: the declared body, the delegates and the term's number (第n届); null clears, undefined keeps. */
export interface ElectionRegisterChange {
  electionBody?: ElectionBody | null | undefined;
  delegates?: number | null | undefined;
  termOrdinal?: number | null | undefined;
  reason?: string | undefined;
}

export type ElectionRegisterResult =
  | {
      written: { electionBody: ElectionBody | null; declared: ElectionBody | null; delegates: number | null; termOrdinal: number | null };
    }
  /** `unit`: a unit has no committee to elect; `delegates`: a delegates' conference without its number of delegates. */
  | { refused: 'unit' | 'delegates' };

/**
 * Writes who elects organization `id` how, under the row's lock; a change is audited in organization_changes
 * (source election-register) with the reason, and a write that changes nothing writes no audit row.
 */
export function writeElectionRegister(sql: Sql, o: { id: number; code: string }, b: ElectionRegisterChange, actor: string): Promise<ElectionRegisterResult> {
  return sql.begin(async (tx): Promise<ElectionRegisterResult> => {
    const [before] = await tx<{ election_body_declared: ElectionBody | null; delegates: number | null; term_ordinal: number | null; type: string }[]>`
      select election_body_declared, delegates, term_ordinal, type from organizations where id = ${o.id} for update`;
    const old = { election_body_declared: before!.election_body_declared, delegates: before!.delegates, term_ordinal: before!.term_ordinal };
    const now = {
      election_body_declared: b.electionBody === undefined ? old.election_body_declared : b.electionBody,
      delegates: b.delegates === undefined ? old.delegates : b.delegates,
      term_ordinal: b.termOrdinal === undefined ? old.term_ordinal : b.termOrdinal,
    };
    if (before!.type === 'unit' && now.election_body_declared !== null) return { refused: 'unit' };
    if (now.election_body_declared === 'delegates_conference' && now.delegates === null) return { refused: 'delegates' };
    const [after] = await tx<{ election_body: ElectionBody | null }[]>`
      update organizations set election_body_declared = ${now.election_body_declared}, delegates = ${now.delegates}, term_ordinal = ${now.term_ordinal}, updated_at = now()
      where id = ${o.id} returning election_body`;
    if (JSON.stringify(old) !== JSON.stringify(now)) {
      await tx`
        insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
        values (${o.id}, ${o.code}, ${actor}, now(), 'election-register', ${tx.json(old)}, ${tx.json({ ...now, reason: b.reason ?? null })})`;
    }
    return {
      written: {
        electionBody: after!.election_body,
        declared: now.election_body_declared,
        delegates: now.delegates,
        termOrdinal: now.term_ordinal,
      },
    };
  });
}
