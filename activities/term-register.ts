import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { IsoDate } from '../src/domain/dates.js';

export interface TermWrite {
  organizationId: number;
  startedOn: IsoDate;
  termYears: number;
  secretary?: string;
  actor: string;
  source: string;
  at: string;
}

/**
 * A term written to the register by the process that owns it (a correction of a running term election, a missing
 * term filled in): under the row's lock, with an audit row in organization_changes only when something changed, so
 * a retry after commit writes nothing. `ifEmpty`: only into a register without a different term (an import that
 * filled it meanwhile is not overwritten; `written` says so).
 */
export function writeTerm(sql: Sql, c: TermWrite & { ifEmpty?: boolean }): Promise<{ written: boolean; termEndsOn: IsoDate | null }> {
  return sql.begin(async (tx) => {
    const [before] = await tx<{ code: string; term_started_on: string | null; term_years: number | null; secretary_name: string | null }[]>`
      select code, to_char(term_started_on, 'YYYY-MM-DD') as term_started_on, term_years, secretary_name
      from organizations where id = ${c.organizationId} for update`;
    if (!before) throw ApplicationFailure.nonRetryable(`organization ${c.organizationId} does not exist`, 'NotFound');
    const old = { term_started_on: before.term_started_on, term_years: before.term_years, secretary_name: before.secretary_name };
    const sameTerm = old.term_started_on === c.startedOn && old.term_years === c.termYears;
    if (c.ifEmpty && old.term_started_on !== null && old.term_years !== null && !sameTerm) return { written: false, termEndsOn: null };
    const now = { term_started_on: c.startedOn, term_years: c.termYears, secretary_name: c.secretary ?? before.secretary_name };
    const [after] = await tx<{ term_ends_on: IsoDate }[]>`
      update organizations set term_started_on = ${now.term_started_on}, term_years = ${now.term_years}, secretary_name = ${now.secretary_name}, updated_at = ${c.at}
      where id = ${c.organizationId} returning to_char(term_ends_on, 'YYYY-MM-DD') as term_ends_on`;
    if (JSON.stringify(old) !== JSON.stringify(now)) {
      await tx`
        insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
        values (${c.organizationId}, ${before.code}, ${c.actor}, ${c.at}, ${c.source}, ${tx.json(old)}, ${tx.json(now)})`;
    }
    return { written: true, termEndsOn: after!.term_ends_on };
  });
}
