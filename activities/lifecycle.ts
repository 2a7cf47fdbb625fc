import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { termRulesFor, termYearsOf } from '../src/domain/rules.js';
import type { IsoDate } from '../src/domain/dates.js';

/**
 * Activities that end a process's run: the new term on the register, and the cancellation of a whole process.
 * Both are idempotent (a retry after a commit writes nothing new): the register write sets absolute values, the
 * cancellation only touches rows still open and keys its events by workflow id.
 */
export function lifecycleActivities(sql: Sql) {
  return {
    /**
     * Step 8: the approved election starts the new term. Its length is the one in force on the day the new term
     * starts (domain.md §4.1), not the run's rule set: the run carries the set in force when it began, which for a
     * term elected after a rule change is the old one (a village elected in 2018 gets the 2018 rules' 5 years, not
     * the 2010 rules' 3). `ruleSet` stays in the input for the histories that pass it; it does not choose the length.
     */
    async renewTerm(r: { workflowId: string; organizationId: number; startedOn: IsoDate; secretary: string; ruleSet: string; at: string }): Promise<{ termEndsOn: IsoDate }> {
      const rules = termRulesFor(r.startedOn);
      const [org] = await sql<{ type: string; sector: string }[]>`select type, sector from organizations where id = ${r.organizationId}`;
      if (!org) throw ApplicationFailure.nonRetryable(`organization ${r.organizationId} does not exist`, 'NotFound');
      const years = termYearsOf(rules, org.type, org.sector);
      const [row] = await sql<{ term_ends_on: Date }[]>`
        update organizations set term_started_on = ${r.startedOn}, term_years = ${years}, secretary_name = ${r.secretary}, updated_at = ${r.at}
        where id = ${r.organizationId} returning term_ends_on`;
      return { termEndsOn: row!.term_ends_on.toISOString().slice(0, 10) };
    },

    /** Closes every open task of the process (and their escalations) and marks the process cancelled, with who and why. */
    async cancelProcess(c: { workflowId: string; organizationId: number; kind: string; step: string; actor: string; reason: string; at: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const open = await tx<{ id: number; state: string }[]>`
          update tasks t set state = 'cancelled', closed_at = ${c.at}, reason = ${c.reason}, updated_at = ${c.at}
          from (select id, state from tasks where workflow_id = ${c.workflowId} and state in ('open', 'claimed', 'escalated') for update) old
          where t.id = old.id returning t.id, old.state`;
        for (const t of open) {
          await tx`
            insert into task_events (task_id, event_key, kind, at, actor, before, after)
            values (${t.id}, 'process-cancelled', 'cancelled', ${c.at}, ${c.actor}, ${tx.json({ state: t.state })},
                    ${tx.json({ state: 'cancelled', reason: c.reason })})
            on conflict do nothing`;
        }
        if (open.length) {
          await tx`update escalations set state = 'closed', updated_at = ${c.at} where task_id = any(${open.map((t) => t.id)}) and state <> 'closed'`;
        }
        await tx`
          insert into processes (workflow_id, kind, organization_id, status, current_step, next_deadline, started_at, updated_at)
          values (${c.workflowId}, ${c.kind}, ${c.organizationId}, 'cancelled', ${c.step}, null, ${c.at}, ${c.at})
          on conflict (workflow_id) do update set status = 'cancelled', current_step = excluded.current_step, next_deadline = null, updated_at = excluded.updated_at`;
        await tx`
          insert into process_events (workflow_id, event_key, at, step, detail)
          values (${c.workflowId}, ${`cancelled@${c.at}`}, ${c.at}, ${c.step}, ${tx.json({ by: c.actor, reason: c.reason, tasksCancelled: open.length })})
          on conflict do nothing`;
      });
    },
  };
}
