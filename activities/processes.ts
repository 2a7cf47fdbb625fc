import { stepWords } from '../src/domain/step-words.js';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { taskHolders } from '../src/tasks/holders.js';

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
          from (${taskHolders(tx as unknown as Sql, ev.task_id, e.at)}) a
          on conflict do nothing`;
      });
    },

    /** Closes every open task of the process (and their escalations) and marks the process cancelled, with who and why. */
    async cancelProcess(c: {
      workflowId: string;
      organizationId: number;
      kind: string;
      step: string;
      actor: string;
      reason: string;
      at: string;
    }): Promise<void> {
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
        // Tasks planned to open later never open: the process they belong to has ended.
        await tx`delete from task_openings where workflow_id = ${c.workflowId}`;
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
