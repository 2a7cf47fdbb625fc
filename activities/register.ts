import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { IsoDate } from '../src/domain/dates.js';

/**
 * The term register's writes by its owner, a running term election (architecture.md: while a process runs for
 * an organization, the fields it writes change only through it). A correction that arrived as an Update (an
 * import row with a newer term) is written here, with the organization's audit row naming who and where from.
 */
export function registerActivities(sql: Sql) {
  return {
    /** Idempotent: absolute values, and the audit row only when something changed (a retry after commit writes nothing). */
    async correctTerm(c: { organizationId: number; startedOn: IsoDate; termYears: number; secretary?: string; actor: string; source: string; at: string }): Promise<{ termEndsOn: IsoDate }> {
      return sql.begin(async (tx) => {
        const [before] = await tx<{ code: string; term_started_on: Date | null; term_years: number | null; secretary_name: string | null; term_ends_on: Date | null }[]>`
          select code, term_started_on, term_years, secretary_name, term_ends_on from organizations where id = ${c.organizationId} for update`;
        if (!before) throw ApplicationFailure.nonRetryable(`organization ${c.organizationId} does not exist`, 'NotFound');
        const secretary = c.secretary ?? before.secretary_name;
        const [after] = await tx<{ term_ends_on: Date }[]>`
          update organizations set term_started_on = ${c.startedOn}, term_years = ${c.termYears}, secretary_name = ${secretary}, updated_at = ${c.at}
          where id = ${c.organizationId} returning term_ends_on`;
        const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
        const old = { term_started_on: day(before.term_started_on), term_years: before.term_years, secretary_name: before.secretary_name };
        const now = { term_started_on: c.startedOn, term_years: c.termYears, secretary_name: secretary };
        if (JSON.stringify(old) !== JSON.stringify(now)) {
          await tx`
            insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
            values (${c.organizationId}, ${before.code}, ${c.actor}, ${c.at}, ${c.source}, ${tx.json(old)}, ${tx.json(now)})`;
        }
        return { termEndsOn: after!.term_ends_on.toISOString().slice(0, 10) };
      });
    },
  };
}
