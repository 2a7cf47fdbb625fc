// Activities of the human-task building block (workflows/human-task.ts): plan deadlines on the working-day
// calendar, and project the task, its reminders, escalations, audit entries and in-app notifications into
// PostgreSQL. Every write is keyed by workflow id + task key + event key: a retry writes nothing twice.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { loadCalendar, taskHolders } from '../src/tasks/holders.js';
import { stepWords } from '../src/domain/step-words.js';
import type { TaskTitle } from '../src/domain/step.js';
import { planTask, type PlanInput, type TaskPlan } from '../src/domain/task-plan.js';
import {
  countyIdOf,
  escalationRecipients,
  escalationTarget,
  insertOpenings,
  insertPlanned,
  laneToWake,
  openDue,
  planRows,
  recordDue,
  wakeLane,
  type EscalationTargetRow,
} from './deadlines.js';

/** The changes that notify someone, as the notification names them (the task is named by its step's words). */
const changeWords: Readonly<Record<string, string>> = { delegated: '任务转交给您', reassigned: '任务改派给您', 'escalation-reassign': '督办改派给您' };

export interface OpenHumanTaskInput {
  workflowId: string;
  taskKey: string;
  process: string;
  step: string;
  organizationId: number;
  assigneeRole: string;
  assigneePerson?: string | null;
  openedAt: string;
  /** The task queue whose deadline sweep records the task's instants; null: the workflow keeps timers of its own. */
  lane?: string | null;
  /** The instants, or what to plan them from (one activity instead of two on the busy path). */
  plan?: TaskPlan;
  planInput?: PlanInput;
  title?: string;
  /** What sets the task apart from its step's others (src/domain/step.ts TaskTitle): the inbox names it by them. */
  titled?: TaskTitle;
  /** The step's context (src/domain/steps.ts): what its rule needs and what the person decides on. */
  context?: unknown;
}

export interface OpenedTask {
  id: number;
  /** ltree path of the task's organization: the workflow's validators check callers' grants against it. */
  orgPath: string;
  dueAt: string;
  plan: TaskPlan;
}

export interface TaskChange {
  workflowId: string;
  taskKey: string;
  eventKey: string;
  kind: string;
  at: string;
  actor: string;
  /** The absent user a substitute acted for (null or absent: the actor acted as themself). */
  onBehalfOf?: string | null;
  reason?: string | null;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** Columns of the task row after the change. */
  set: {
    state: string;
    assigneeRole: string;
    assigneePerson: string | null;
    claimedBy: string | null;
    dueAt: string;
    escalationLevel: number;
    outcome?: Record<string, unknown>;
    closed?: boolean;
  };
  /** A new plan (extension): its reminders replace the unfired ones. */
  plan?: { generation: number; plan: TaskPlan };
  /** Escalations to update: by level, new state and the action to append. */
  escalations?: { level: number; state: 'open' | 'acknowledged' | 'closed'; action: string }[];
  /** Close every open escalation (the task was done, cancelled or extended). */
  closeOpenEscalations?: boolean;
  /** People to tell about the change (usernames). */
  notify?: string[];
}

export interface EscalationTarget {
  id: number;
  level: number;
  organizationId: number;
  organizationCode: string;
  path: string;
  role: string;
}

/** A plan's rows: every instant for a swept task; a task with timers of its own keeps rows of its reminders only. */
const deadlineRows = (taskId: number, plan: TaskPlan, o: Parameters<typeof planRows>[2]) => {
  const rows = planRows(taskId, plan, o);
  return o.lane ? rows : rows.filter((r) => r.kind === 'reminder');
};

export function taskActivities(sql: Sql) {
  return {
    async planHumanTask(p: PlanInput): Promise<TaskPlan> {
      return planTask(await loadCalendar(sql), p);
    },

    async openHumanTask(input: OpenHumanTaskInput): Promise<OpenedTask> {
      const plan = input.plan ?? (input.planInput ? planTask(await loadCalendar(sql), input.planInput) : undefined);
      if (!plan) throw ApplicationFailure.nonRetryable('openHumanTask needs plan or planInput');
      const t = { ...input, plan };
      const lane = input.lane ?? null;
      const opened = await sql.begin(async (tx) => {
        const [row] = await tx<{ id: number; due_at: Date; inserted: boolean; path: string }[]>`
          with ins as (
            insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, assignee_person, state, opened_at, due_at, updated_at,
                               provisional_years, plan_input, context, deadline_lane, title_parts)
            values (${t.workflowId}, ${t.taskKey}, ${t.process}, ${t.step}, ${t.organizationId}, ${t.assigneeRole}, ${t.assigneePerson ?? null},
                    'open', ${t.openedAt}, ${t.plan.dueAt}, ${t.openedAt},
                    ${t.plan.provisionalYears ?? []}::int[], ${t.plan.basis ? tx.json(t.plan.basis as never) : null},
                    ${t.context === undefined ? null : tx.json(t.context as never)}, ${lane}, ${t.titled ? tx.json(t.titled as never) : null})
            on conflict (workflow_id, task_key) do update set task_key = excluded.task_key
            returning id, due_at, organization_id, (xmax = 0) as inserted)
          select ins.id, ins.due_at, ins.inserted, o.path::text as path from ins join organizations o on o.id = ins.organization_id`;
        if (!row) throw ApplicationFailure.nonRetryable(`organization ${t.organizationId} does not exist`);
        if (row.inserted) {
          await tx`
            insert into task_events (task_id, event_key, kind, at, after)
            values (${row.id}, 'opened', 'opened', ${t.openedAt},
                    ${tx.json({ state: 'open', dueAt: t.plan.dueAt, assigneeRole: t.assigneeRole, assigneePerson: t.assigneePerson ?? null })})
            on conflict do nothing`;
          await tx`
            insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
            select a.id, ${`task:${row.id}:opened`}, 'task-opened', ${row.id}, ${`新任务：${t.title ?? stepWords(t.process, t.step, 'zh-CN')}`},
                   ${`截止 ${t.plan.dueAt}`}, ${t.openedAt}
            from (${taskHolders(tx as unknown as Sql, row.id, t.openedAt)}) a
            on conflict do nothing`;
        }
        // Planned after the opening notice, whose recipients the reminders also reach. A retry after a commit whose
        // wake-up was lost asks again.
        const wake = row.inserted
          ? await insertPlanned(tx as unknown as Sql, deadlineRows(row.id, plan, { generation: 0, from: t.openedAt, lane }))
          : await laneToWake(tx as unknown as Sql, lane, row.id);
        return { task: { id: row.id, orgPath: row.path, dueAt: row.due_at.toISOString(), plan }, wake };
      });
      await wakeLane(opened.wake);
      return opened.task;
    },

    /**
     * Tasks to open at later instants (a branch's meetings of its year): each planned on the working-day calendar
     * from its instant and kept as an opening the lane's deadline sweep opens then (activities/deadlines.ts
     * `openDue`), all in one transaction. Answers each task's plan and its organization's path, in order.
     */
    async planTaskOpenings(input: {
      workflowId: string;
      lane: string;
      openings: (Omit<OpenHumanTaskInput, 'workflowId' | 'openedAt' | 'lane'> & { opensAt: string })[];
    }): Promise<{ plan: TaskPlan; orgPath: string }[]> {
      const cal = await loadCalendar(sql);
      const planned = input.openings.map((o) => {
        const plan = o.plan ?? (o.planInput ? planTask(cal, { ...o.planInput, from: o.opensAt }) : undefined);
        if (!plan) throw ApplicationFailure.nonRetryable('planTaskOpenings needs plan or planInput');
        return { ...o, plan };
      });
      const orgIds = [...new Set(planned.map((o) => o.organizationId))];
      const paths = new Map(
        (await sql<{ id: number; path: string }[]>`select id::int as id, path::text as path from organizations where id = any(${orgIds}::bigint[])`).map(
          (o) => [o.id, o.path],
        ),
      );
      const missing = orgIds.find((id) => !paths.has(id));
      if (missing !== undefined) throw ApplicationFailure.nonRetryable(`organization ${missing} does not exist`);
      const wake = await sql.begin((tx) =>
        insertOpenings(
          tx as unknown as Sql,
          planned.map((o) => ({
            workflow_id: input.workflowId,
            task_key: o.taskKey,
            opens_at: o.opensAt,
            lane: input.lane,
            process: o.process,
            step: o.step,
            organization_id: o.organizationId,
            assignee_role: o.assigneeRole,
            assignee_person: o.assigneePerson ?? null,
            due_at: o.plan.dueAt,
            plan: o.plan,
            provisional_years: o.plan.provisionalYears ?? [],
            plan_input: o.plan.basis ?? null,
            context: o.context ?? null,
            title: o.title ?? stepWords(o.process, o.step, 'zh-CN'),
            title_parts: o.titled ?? null,
          })),
        ),
      );
      await wakeLane(wake);
      return planned.map((o) => ({ plan: o.plan, orgPath: paths.get(o.organizationId)! }));
    },

    /** A reminder to whoever holds the task; one statement per table so a storm of them stays cheap. */
    async fireTaskReminder(r: { workflowId: string; taskKey: string; reminderKey: string; generation: number; at: string; dueAt: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const [task] = await tx<{ id: number; step: string; process: string }[]>`
          select id, step, process from tasks where workflow_id = ${r.workflowId} and task_key = ${r.taskKey}`;
        if (!task) throw ApplicationFailure.nonRetryable(`task ${r.taskKey} of ${r.workflowId} is not projected`);
        const eventKey = `${r.reminderKey}-g${r.generation}`;
        const [ev] = await tx`
          insert into task_events (task_id, event_key, kind, at, after)
          values (${task.id}, ${eventKey}, 'reminded', ${r.at}, ${tx.json({ reminder: r.reminderKey, dueAt: r.dueAt })})
          on conflict do nothing returning id`;
        if (!ev) return; // a retry after the first attempt committed
        await tx`update task_deadlines set recorded_at = ${r.at} where task_id = ${task.id} and key = ${r.reminderKey} and generation = ${r.generation}`;
        await tx`
          insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
          select a.id, ${`task:${task.id}:${eventKey}`}, 'reminder', ${task.id}, ${`提醒：${stepWords(task.process, task.step, 'zh-CN')} 将于 ${r.dueAt} 到期`}, '', ${r.at}
          from (${taskHolders(tx as unknown as Sql, task.id, r.at)}) a
          on conflict do nothing`;
      });
    },

    /** A level reached by a task's own timer (tasks whose deadlines are not swept): `escalationTarget` says to whom. */
    async escalateTask(e: { workflowId: string; taskKey: string; level: 1 | 2 | 3; generation: number; at: string }): Promise<EscalationTarget> {
      return sql.begin(async (tx) => {
        const [task] = await tx<(EscalationTargetRow & { id: number; step: string; process: string; path: string; state: string; escalation_level: number })[]>`
          select t.id, t.step, t.process, t.assignee_role, t.organization_id, o.parent_id, o.path::text as path, t.state, t.escalation_level,
                 ${countyIdOf(tx as unknown as Sql)} as county_id
          from tasks t join organizations o on o.id = t.organization_id
          where t.workflow_id = ${e.workflowId} and t.task_key = ${e.taskKey} for update of t`;
        if (!task) throw ApplicationFailure.nonRetryable(`task ${e.taskKey} of ${e.workflowId} is not projected`);
        const { organizationId: orgId, role } = escalationTarget(task, e.level);
        const eventKey = `escalated-${e.level}-g${e.generation}`;
        const [esc] = await tx<{ id: number; inserted: boolean }[]>`
          insert into escalations (task_id, event_key, level, organization_id, role, opened_at, updated_at)
          values (${task.id}, ${eventKey}, ${e.level}, ${orgId}, ${role}, ${e.at}, ${e.at})
          on conflict (task_id, event_key) do update set level = excluded.level
          returning id, (xmax = 0) as inserted`;
        if (esc!.inserted) {
          await tx`update tasks set state = 'escalated', escalation_level = ${e.level}, updated_at = ${e.at} where id = ${task.id}`;
          await tx`
            insert into task_events (task_id, event_key, kind, at, before, after)
            values (${task.id}, ${eventKey}, 'escalated', ${e.at},
                    ${tx.json({ state: task.state, escalationLevel: task.escalation_level })},
                    ${tx.json({ state: 'escalated', escalationLevel: e.level, escalationId: esc!.id, to: { organizationId: orgId, role } })})
            on conflict do nothing`;
          await tx`
            insert into notifications (user_id, event_key, kind, task_id, escalation_id, title, body, created_at)
            select distinct x.id, ${`escalation:${esc!.id}`}::text, 'escalation', ${task.id}::bigint, ${esc!.id}::bigint,
                   ${`督办（${e.level}级）：${stepWords(task.process, task.step, 'zh-CN')} 已逾期`}::text, '', ${e.at}::timestamptz
            from (${escalationRecipients(tx as unknown as Sql, tx`select ${esc!.id}::bigint as id, ${orgId}::bigint as organization_id, ${role}::text as role` as never, e.at)}) x
            on conflict do nothing`;
        }
        const [o] = await tx<{ code: string; path: string }[]>`select code, path::text as path from organizations where id = ${orgId}`;
        return { id: esc!.id, level: e.level, organizationId: orgId, organizationCode: o!.code, path: o!.path, role };
      });
    },

    /** An action by a person (complete, claim, …, escalation actions): task row, audit entry, notifications. */
    async recordTaskChange(c: TaskChange): Promise<void> {
      const wake = await sql.begin(async (tx) => {
        const row = () => tx<{ id: number; step: string; process: string; deadline_lane: string | null }[]>`
          select id, step, process, deadline_lane from tasks where workflow_id = ${c.workflowId} and task_key = ${c.taskKey} for update`;
        let [task] = await row();
        // No row: a task planned ahead whose instant the workflow saw pass, which the sweep has not opened yet (the
        // process settling it) is opened here; a person's action always finds its row, and pays for nothing more.
        if (
          !task &&
          (await openDue(tx as unknown as Sql, tx`workflow_id = ${c.workflowId} and task_key = ${c.taskKey}`, c.at, { limit: 1, skipLocked: false }))
        ) {
          [task] = await row();
        }
        if (!task) throw ApplicationFailure.nonRetryable(`task ${c.taskKey} of ${c.workflowId} is not projected`);
        // The instants the task's workflow saw pass before this action are recorded before it.
        if (task.deadline_lane) await recordDue(tx as unknown as Sql, tx`d.task_id = ${task.id}`, c.at);
        const [ev] = await tx`
          insert into task_events (task_id, event_key, kind, at, actor, on_behalf_of, reason, before, after)
          values (${task.id}, ${c.eventKey}, ${c.kind}, ${c.at}, ${c.actor}, ${c.onBehalfOf ?? null}, ${c.reason ?? null},
                  ${tx.json(c.before as never)}, ${tx.json(c.after as never)})
          on conflict do nothing returning id`;
        if (!ev) return laneToWake(tx as unknown as Sql, task.deadline_lane, task.id); // already projected by an earlier attempt
        const s = c.set;
        let wake: string | null = null;
        await tx`
          update tasks set state = ${s.state}, assignee_role = ${s.assigneeRole}, assignee_person = ${s.assigneePerson},
            claimed_by = ${s.claimedBy}, due_at = ${s.dueAt}, escalation_level = ${s.escalationLevel}, updated_at = ${c.at},
            reason = coalesce(${c.reason ?? null}, reason)
            ${s.outcome ? tx`, outcome = ${tx.json(s.outcome as never)}` : tx``}
            ${s.closed ? tx`, closed_at = ${c.at}` : tx``}
          where id = ${task.id}`;
        if (c.plan) {
          // An extension or a re-plan: whether the new plan is provisional, and what to compute it from next time.
          const p = c.plan.plan;
          await tx`update tasks set provisional_years = ${p.provisionalYears ?? []}::int[], plan_input = ${p.basis ? tx.json(p.basis as never) : null} where id = ${task.id}`;
          await tx`delete from task_deadlines where task_id = ${task.id} and recorded_at is null`;
          // An extension starts from level 0; a corrected calendar keeps the levels reached.
          wake = await insertPlanned(
            tx as unknown as Sql,
            deadlineRows(task.id, p, { generation: c.plan.generation, from: c.at, lane: task.deadline_lane, reachedLevel: s.escalationLevel }),
          );
        }
        // A closed task's instants are never due.
        if (s.closed) await tx`delete from task_deadlines where task_id = ${task.id} and recorded_at is null`;
        const action = { at: c.at, actor: c.actor, kind: c.kind, reason: c.reason ?? null };
        for (const e of c.escalations ?? []) {
          await tx`
            update escalations set state = ${e.state}, updated_at = ${c.at}, actions = actions || ${tx.json([{ ...action, action: e.action }] as never)}
            where task_id = ${task.id} and level = ${e.level} and state <> 'closed'`;
        }
        if (c.closeOpenEscalations) {
          await tx`
            update escalations set state = 'closed', updated_at = ${c.at}, actions = actions || ${tx.json([{ ...action, action: `task-${c.kind}` }] as never)}
            where task_id = ${task.id} and state <> 'closed'`;
        }
        if (c.notify?.length) {
          await tx`
            insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
            select id, ${`task:${task.id}:${c.eventKey}`}, ${`task-${c.kind}`}, ${task.id}, ${`${changeWords[c.kind] ?? '任务有变更'}：${stepWords(task.process, task.step, 'zh-CN')}`}, ${c.reason ?? ''}, ${c.at}
            from users where username = any(${c.notify})
            on conflict do nothing`;
        }
        return wake;
      });
      await wakeLane(wake);
    },
  };
}
