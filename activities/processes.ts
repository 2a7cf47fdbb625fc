import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { termRulesFor, type TermRules } from '../src/domain/rules.js';
import { shanghaiDate, shanghaiInstant, type IsoDate } from '../src/domain/dates.js';
import { WorkingCalendar } from '../src/domain/calendar.js';

export interface TermContext {
  organizationId: number;
  /** ltree path: the rights of the process's actions are checked against it. */
  orgPath: string;
  /** The supervising committee (上级党委): its tasks (reply, review, approval) are assigned there. */
  parentId: number | null;
  /** Full members on the register when the run starts: the most who may vote. */
  fullMembers: number;
  termEndsOn: IsoDate;
  rules: TermRules;
}

export interface StepRecord {
  workflowId: string;
  kind: string;
  organizationId: number;
  step: string;
  eventKey: string;
  at: string;
  nextDeadline: string | null;
  detail: Record<string, unknown>;
  status: 'running' | 'completed' | 'cancelled';
}

export interface OpenTaskInput {
  workflowId: string;
  taskKey: string;
  process: string;
  step: string;
  organizationId: number;
  assigneeRole: string;
  openedAt: string;
  /** Due at the end of this date's working day, moved earlier to a workday if it is a holiday. */
  dueOn: IsoDate;
}

export interface TaskEventInput {
  workflowId: string;
  taskKey: string;
  eventKey: string;
  kind: string;
  at: string;
  actor?: string;
  detail?: Record<string, unknown>;
}

export interface CloseTaskInput {
  workflowId: string;
  taskKey: string;
  state: 'done' | 'cancelled';
  actor: string;
  outcome: Record<string, unknown>;
  at: string;
}

/**
 * Activities that project process state into PostgreSQL. Every write is keyed by workflow id + task key +
 * event key, so a retried activity (worker crash, lost reply) writes nothing twice.
 */
export function processActivities(sql: Sql, calendar = new WorkingCalendar()) {
  return {
    async loadTermContext(input: { organization: string; at: string; ruleSet?: string }): Promise<TermContext> {
      const [org] = await sql<{ id: number; term_ends_on: Date | null; path: string; parent_id: number | null; full_members: number }[]>`
        select id, term_ends_on, path::text as path, parent_id, full_members from organizations where code = ${input.organization}`;
      if (!org) throw ApplicationFailure.nonRetryable(`organization ${input.organization} does not exist`, 'NotFound');
      if (!org.term_ends_on) {
        throw ApplicationFailure.nonRetryable(`organization ${input.organization} has no term on the register`, 'NoTerm');
      }
      return {
        organizationId: org.id,
        orgPath: org.path,
        parentId: org.parent_id === null ? null : Number(org.parent_id),
        fullMembers: org.full_members,
        termEndsOn: shanghaiDate(org.term_ends_on),
        rules: termRulesFor(shanghaiDate(new Date(input.at)), input.ruleSet),
      };
    },

    async recordStep(r: StepRecord): Promise<void> {
      await sql.begin(async (tx) => {
        await tx`
          insert into processes (workflow_id, kind, organization_id, status, current_step, next_deadline, started_at, updated_at)
          values (${r.workflowId}, ${r.kind}, ${r.organizationId}, ${r.status}, ${r.step}, ${r.nextDeadline}, ${r.at}, ${r.at})
          on conflict (workflow_id) do update set
            status = excluded.status, current_step = excluded.current_step,
            next_deadline = excluded.next_deadline, updated_at = excluded.updated_at
          where processes.updated_at <= excluded.updated_at`;
        await tx`
          insert into process_events (workflow_id, event_key, at, step, detail)
          values (${r.workflowId}, ${r.eventKey}, ${r.at}, ${r.step}, ${tx.json(r.detail as never)})
          on conflict do nothing`;
      });
    },

    async openTask(t: OpenTaskInput): Promise<{ id: number; dueAt: string }> {
      const dueAt = shanghaiInstant(calendar.workdayOnOrBefore(t.dueOn), 18).toISOString();
      return sql.begin(async (tx) => {
        const [row] = await tx<{ id: number; due_at: Date; inserted: boolean }[]>`
          insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
          values (${t.workflowId}, ${t.taskKey}, ${t.process}, ${t.step}, ${t.organizationId}, ${t.assigneeRole}, 'open', ${t.openedAt}, ${dueAt})
          on conflict (workflow_id, task_key) do update set task_key = excluded.task_key
          returning id, due_at, (xmax = 0) as inserted`;
        if (row!.inserted) {
          await tx`
            insert into task_events (task_id, event_key, kind, at, after)
            values (${row!.id}, 'opened', 'opened', ${t.openedAt}, ${tx.json({ state: 'open', dueAt })})
            on conflict do nothing`;
        }
        return { id: row!.id, dueAt: row!.due_at.toISOString() };
      });
    },

    async recordTaskEvent(e: TaskEventInput): Promise<void> {
      await sql`
        insert into task_events (task_id, event_key, kind, at, actor, after)
        select id, ${e.eventKey}, ${e.kind}, ${e.at}, ${e.actor ?? null}, ${sql.json((e.detail ?? {}) as never)}
        from tasks where workflow_id = ${e.workflowId} and task_key = ${e.taskKey}
        on conflict do nothing`;
    },

    async closeTask(c: CloseTaskInput): Promise<void> {
      await sql.begin(async (tx) => {
        const [before] = await tx<{ id: number; state: string }[]>`
          select id, state from tasks where workflow_id = ${c.workflowId} and task_key = ${c.taskKey} for update`;
        if (!before) throw ApplicationFailure.nonRetryable(`task ${c.taskKey} of ${c.workflowId} is not projected`);
        if (before.state === c.state) return; // a retry after the first attempt committed
        await tx`update tasks set state = ${c.state}, closed_at = ${c.at}, outcome = ${tx.json(c.outcome as never)} where id = ${before.id}`;
        await tx`
          insert into task_events (task_id, event_key, kind, at, actor, before, after)
          values (${before.id}, ${c.state}, ${c.state === 'done' ? 'completed' : 'cancelled'}, ${c.at}, ${c.actor},
                  ${tx.json({ state: before.state })}, ${tx.json({ state: c.state, outcome: c.outcome } as never)})
          on conflict do nothing`;
      });
    },
  };
}
