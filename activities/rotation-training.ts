import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { addMonths, shanghaiDate, type IsoDate } from '../src/domain/dates.js';
import { cycleYearsOf, trainingRulesFor, type TrainingRules } from '../src/domain/rules.js';

export interface TrainingContext {
  organizationId: number;
  orgPath: string;
  secretary: string | null;
  rules: TrainingRules;
  startsOn: IsoDate;
  endsOn: IsoDate;
}

export interface CycleRecord {
  workflowId: string;
  cycle: number;
  organizationId: number;
  secretary: string | null;
  startsOn: IsoDate;
  endsOn: IsoDate;
  state: 'open' | 'completed' | 'closed';
  trainedOn?: IsoDate | null;
  session?: string | null;
  at: string;
}

/** Rotation training (domain.md §4.3): the cycle's context, its projection, enrolments. Keyed by workflow id + cycle. */
export function rotationTrainingActivities(sql: Sql) {
  return {
    async loadTrainingContext(i: { organization: string; at: string; startsOn?: IsoDate; secretary?: string; ruleSet?: string }): Promise<TrainingContext> {
      const [org] = await sql<{ id: number; path: string; sector: string; secretary_name: string | null }[]>`
        select id, path::text as path, sector, secretary_name from organizations where code = ${i.organization}`;
      if (!org) throw ApplicationFailure.nonRetryable(`organization ${i.organization} does not exist`, 'NotFound');
      const startsOn = i.startsOn ?? shanghaiDate(new Date(i.at));
      const rules = trainingRulesFor(startsOn, i.ruleSet);
      return {
        organizationId: org.id,
        orgPath: org.path,
        secretary: i.secretary ?? org.secretary_name,
        rules,
        startsOn,
        endsOn: addMonths(startsOn, 12 * cycleYearsOf(rules, org.sector)),
      };
    },

    async recordCycle(c: CycleRecord): Promise<void> {
      await sql`
        insert into training_cycles (workflow_id, cycle, organization_id, secretary_name, starts_on, ends_on, state, trained_on, session_id, updated_at)
        values (${c.workflowId}, ${c.cycle}, ${c.organizationId}, ${c.secretary}, ${c.startsOn}, ${c.endsOn}, ${c.state}, ${c.trainedOn ?? null},
                (select id from training_sessions where code = ${c.session ?? null}), ${c.at})
        on conflict (workflow_id, cycle) do update set state = excluded.state, trained_on = excluded.trained_on,
          session_id = excluded.session_id, secretary_name = excluded.secretary_name, updated_at = excluded.updated_at`;
    },

    async recordEnrolment(e: {
      workflowId: string;
      cycle: number;
      session: string;
      organizationId: number;
      actor: string;
      at: string;
      attended?: boolean;
    }): Promise<void> {
      await sql`
        insert into training_enrolments (session_id, workflow_id, cycle, organization_id, enrolled_at, enrolled_by, attended)
        select id, ${e.workflowId}, ${e.cycle}, ${e.organizationId}, ${e.at}, ${e.actor}, ${e.attended ?? null}
        from training_sessions where code = ${e.session}
        on conflict (session_id, workflow_id, cycle) do update set attended = coalesce(excluded.attended, training_enrolments.attended)`;
      // The open training task's context lists the sessions enrolled in, so its form checks attendance as the workflow does.
      if (!e.attended) {
        await sql`
          update tasks set context = jsonb_set(context, '{enrolled}', (context->'enrolled') || to_jsonb(${e.session}::text))
          where workflow_id = ${e.workflowId} and task_key = ${`c${e.cycle}:training`} and context is not null
            and not (context->'enrolled') ? ${e.session}`;
      }
    },

    /** A cycle closed early (a new secretary): its open tasks are cancelled with the reason. */
    async closeCycleTasks(c: { workflowId: string; taskKeyPrefix: string; actor: string; reason: string; at: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const open = await tx<{ id: number }[]>`
          update tasks set state = 'cancelled', closed_at = ${c.at}, reason = ${c.reason}, updated_at = ${c.at}
          where workflow_id = ${c.workflowId} and starts_with(task_key, ${c.taskKeyPrefix}) and state in ('open', 'claimed', 'escalated')
          returning id`;
        for (const t of open) {
          await tx`insert into task_events (task_id, event_key, kind, at, actor, after)
                   values (${t.id}, 'cycle-closed', 'cancelled', ${c.at}, ${c.actor}, ${tx.json({ state: 'cancelled', reason: c.reason })})
                   on conflict do nothing`;
        }
        if (open.length)
          await tx`update escalations set state = 'closed', updated_at = ${c.at} where task_id = any(${open.map((t) => t.id)}) and state <> 'closed'`;
      });
    },
  };
}
