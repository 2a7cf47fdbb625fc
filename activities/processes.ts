import { ApplicationFailure } from '@temporalio/activity';
import { stepWords } from '../src/domain/step-words.js';
import type { Sql } from '../src/db/client.js';
import { termRulesFor, type TermRules } from '../src/domain/rules.js';
import { shanghaiDate, type IsoDate } from '../src/domain/dates.js';
import { taskHolders } from './tasks.js';

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
  /** A history line's words besides its step (process-run.ts EventWords), and which term, selection or cycle. */
  verb?: string;
  round?: number;
  run?: number;
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

/**
 * Activities that project process state into PostgreSQL. Every write is keyed by workflow id + task key +
 * event key, so a retried activity (worker crash, lost reply) writes nothing twice.
 */
export function processActivities(sql: Sql) {
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
          insert into process_events (workflow_id, event_key, at, step, detail, verb, round, run)
          values (${r.workflowId}, ${r.eventKey}, ${r.at}, ${r.step}, ${tx.json(r.detail as never)}, ${r.verb ?? null}, ${r.round ?? null}, ${r.run ?? null})
          on conflict do nothing`;
      });
    },

    /**
     * An event on a task the process itself records (the term reminders 6 and 3 months before expiry). A reminder
     * also tells whoever holds the task, as the task's own reminders do (tasks.ts fireTaskReminder): an in-app
     * notification that the notifier gathers into the recipient's digest (e-mail, webhooks). Both in one
     * transaction, and only when the event is new, so a retry notifies nobody twice.
     */
    async recordTaskEvent(e: TaskEventInput): Promise<void> {
      await sql.begin(async (tx) => {
        const [ev] = await tx<{ task_id: number; process: string; step: string; due_at: Date }[]>`
          with ins as (
            insert into task_events (task_id, event_key, kind, at, actor, after)
            select id, ${e.eventKey}, ${e.kind}, ${e.at}, ${e.actor ?? null}, ${tx.json((e.detail ?? {}) as never)}
            from tasks where workflow_id = ${e.workflowId} and task_key = ${e.taskKey}
            on conflict do nothing returning task_id)
          select t.id as task_id, t.process, t.step, t.due_at from ins join tasks t on t.id = ins.task_id`;
        if (!ev || e.kind !== 'reminded') return;
        const dueOn = shanghaiDate(ev.due_at);
        const months = typeof e.detail?.monthsBeforeTermEnd === 'number' ? `（本届任期 ${e.detail.monthsBeforeTermEnd} 个月后届满）` : '';
        await tx`
          insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
          select a.id, ${`task:${ev.task_id}:${e.eventKey}`}, 'reminder', ${ev.task_id}, ${`提醒：${stepWords(ev.process, ev.step, 'zh-CN')} 将于 ${dueOn} 到期${months}`}, '', ${e.at}
          from (${taskHolders(tx as unknown as Sql, ev.task_id)}) a
          on conflict do nothing`;
      });
    },

    /** Full members on the register now: the members' meeting checks its ballot against them (domain.md §4.1 step 6). */
    async countFullMembers(i: { organizationId: number }): Promise<{ fullMembers: number }> {
      const [o] = await sql<{ full_members: number }[]>`select full_members from organizations where id = ${i.organizationId}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organizationId} does not exist`, 'NotFound');
      return { fullMembers: o.full_members };
    },

  };
}
