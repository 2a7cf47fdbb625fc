import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../errors.js';
import { inScope } from '../scope.js';
import { processTaskContext } from '../../tasks/process-context.js';
import { taskActions } from '../../domain/task-rights.js';
import { stepDef } from '../../domain/steps.js';
import { actionsNow, escalationActionsNow, mayComment } from '../task-actions.js';
import { taskActionBodies } from '../../../workflows/messages.js';
import { idempotent } from '../idempotency.js';
import { ratings, taskFilterWhere } from '../task-filter.js';
import { actOnTask, actorOf } from '../task-updates.js';
import { requireNewHolder } from '../task-holders.js';
import { absentees, heldBy, withSubstitutions } from '../substitutes.js';
import { taskComments } from './comments.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { taskDetailSchema, taskListItemSchema, taskSchema, taskStateSchema as taskState, taskViewSchema } from '../schemas.js';

export { taskSchema };

// The inbox's keyset: a due date PostgreSQL can hold (year 0001 or later) and a task id.
const cursorSchema = z.object({ dueAt: z.iso.datetime().refine((d) => !d.startsWith('0000'), 'year 0 is no date'), id: z.number().int() });

const listQuery = z.object({
  state: taskState.optional(),
  process: z.string().max(64).optional(),
  org: z.string().max(64).optional().describe('organization code: tasks in its subtree'),
  overdue: z.enum(['true', 'false']).optional(),
  dueBefore: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  dueAfter: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  step: z.string().min(1).max(100).optional(),
  escalationLevel: z.coerce.number().int().min(0).max(3).optional().describe('at least this escalation level'),
  rating: z.enum(ratings).optional(),
  mine: z
    .enum(['true', 'false'])
    .optional()
    .describe('only tasks held by the caller (claimed, delegated, or assigned to a role the caller holds at the organization)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

interface TaskRow {
  id: number;
  workflow_id: string;
  process: string;
  step: string;
  code: string;
  name: string;
  path: string;
  assignee_role: string | null;
  assignee_person: string | null;
  claimed_by: string | null;
  state: z.infer<typeof taskState>;
  opened_at: Date;
  due_at: Date;
  /** `due_at` to the microsecond, as PostgreSQL stores it: a JS Date keeps milliseconds only. */
  due_key: string;
  escalation_level: number;
  provisional_years: number[];
  nudge_count: number;
  /** Of the process's organization (a community's steps are named in its words); absent where not read. */
  settlement?: 'village' | 'community' | null;
}

/**
 * One inbox page: the tasks matching `where` (over `t` and its organization `o`) by due date, after the cursor,
 * one row more than the page to tell whether another follows. bench/overdue.ts times this very statement.
 */
export function taskPage(sql: import('../../db/client.js').Sql, where: ReturnType<typeof inScope>, after: { dueAt: string; id: number } | null, limit: number) {
  return sql<TaskRow[]>`
    select t.id, t.workflow_id, t.process, t.step, o.code, o.name, o.path::text as path, t.assignee_role, t.assignee_person, t.claimed_by, t.state, t.opened_at, t.due_at,
           to_char(t.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as due_key, t.escalation_level, t.provisional_years, t.nudge_count,
           -- One primary-key lookup per row of the page: whose words the step is named in (a community's street committee).
           (select po.settlement from processes p join organizations po on po.id = p.organization_id where p.workflow_id = t.workflow_id) as settlement
    from tasks t join organizations o on o.id = t.organization_id
    where ${where}
      ${after ? sql`and (t.due_at, t.id) > (${after.dueAt}::text::timestamptz, ${after.id})` : sql``}
    order by t.due_at, t.id
    limit ${limit + 1}`;
}

/** A task row as the list (and the detail) answers it. */
function taskItem(t: Omit<TaskRow, 'due_key'>, now: number): z.infer<typeof taskSchema> {
  return {
    id: t.id,
    workflowId: t.workflow_id,
    process: t.process,
    step: t.step,
    organization: t.code,
    organizationName: t.name,
    assigneeRole: t.assignee_role,
    assigneePerson: t.assignee_person,
    claimedBy: t.claimed_by,
    state: t.state,
    openedAt: t.opened_at.toISOString(),
    dueAt: t.due_at.toISOString(),
    overdue: ['open', 'claimed', 'escalated'].includes(t.state) && t.due_at.getTime() < now,
    escalationLevel: t.escalation_level,
    provisional: t.provisional_years.length > 0,
    provisionalYears: t.provisional_years,
    nudges: t.nudge_count,
    ...(t.settlement !== undefined ? { settlement: t.settlement } : {}),
  };
}

const tasks: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(taskListItemSchema), nextCursor: z.string().nullable() }) },
      },
      config: { sharedRead: true },
    },
    async (req) => {
      const q = req.query;
      const after = decodeCursor(q.cursor, cursorSchema) ?? null;
      // A substitute sees and acts on the tasks of whom they stand in for.
      const p = await withSubstitutions(sql, req.principal);
      const { state, process, org, step, dueAfter, dueBefore, escalationLevel, rating } = q;
      const { where } = await taskFilterWhere(sql, p, {
        state,
        process,
        org,
        step,
        dueAfter,
        dueBefore,
        escalationLevel,
        rating,
        ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
      });
      const rows = await taskPage(
        sql,
        sql`${where}
          ${q.mine === 'true' ? sql`and ${heldBy(sql, req.principal.userId, req.principal.username)}` : sql``}`,
        after,
        q.limit,
      );
      const page = rows.slice(0, q.limit);
      const now = Date.now();
      const actor = actorOf(p);
      const away = absentees(p);
      const last = page.at(-1);
      return {
        items: page.map((t) => ({
          ...taskItem(t, now),
          actions: actionsNow(actor, { process: t.process, step: t.step, path: t.path, state: t.state, claimedBy: t.claimed_by }, away),
        })),
        // The cursor carries the stored microseconds: cut to milliseconds, the tasks due in the same millisecond as
        // the page's last one would come again on the next page (and a page of one would never end). It goes back
        // as text (`::text::timestamptz` in taskPage): a timestamptz parameter is serialized through a JS Date.
        nextCursor: rows.length > q.limit && last ? encodeCursor({ dueAt: last.due_key, id: last.id } satisfies z.infer<typeof cursorSchema>) : null,
      };
    },
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'a task: its step, what it decides on, what the caller may do now, and its process history',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: taskDetailSchema },
      },
    },
    async (req) => {
      const p = await withSubstitutions(sql, req.principal);
      const [t] = await sql<
        (TaskRow & {
          task_key: string;
          context: Record<string, unknown> | null;
          process_kind: string | null;
          process_status: string | null;
          process_code: string | null;
          process_name: string | null;
          process_path: string | null;
          process_settlement: 'village' | 'community' | null;
        })[]
      >`
        select t.id, t.workflow_id, t.process, t.step, o.code, o.name, o.path::text as path, t.assignee_role, t.assignee_person, t.claimed_by,
               t.state, t.opened_at, t.due_at, t.escalation_level, t.provisional_years, t.nudge_count, t.context, t.task_key,
               p.kind as process_kind, p.status as process_status, po.code as process_code, po.name as process_name, po.path::text as process_path, po.settlement as process_settlement
        from tasks t join organizations o on o.id = t.organization_id
        left join processes p on p.workflow_id = t.workflow_id left join organizations po on po.id = p.organization_id
        where t.id = ${req.params.id} and ${inScope(sql, p)}`;
      if (!t) throw notFound(`task ${req.params.id}`);
      const context = t.context && typeof t.context === 'object' && !Array.isArray(t.context) ? t.context : null;
      const codes = context
        ? Object.values(context)
            .filter((v): v is string => typeof v === 'string')
            .slice(0, 50)
        : [];
      const live = t.state === 'open' || t.state === 'claimed' || t.state === 'escalated';
      const [escalations, processHistory, earlier, processContext, named, comments, acts] = await Promise.all([
        sql<{ id: number; level: number; state: 'open' | 'acknowledged' | 'closed'; code: string; path: string }[]>`
          select e.id, e.level, e.state, o.code, o.path::text as path
          from escalations e join organizations o on o.id = e.organization_id where e.task_id = ${t.id} order by e.level`,
        sql<{ at: Date; step: string; event_key: string; verb: string | null; round: number | null; run: number | null; detail: Record<string, unknown> }[]>`
          select at, step, event_key, verb, round, run, detail from process_events where workflow_id = ${t.workflow_id} order by at, event_key`,
        // What the person decides on includes what was decided before it in the same process (the request, the ballot).
        sql<{ id: number; step: string; outcome: Record<string, unknown>; closed_at: Date }[]>`
          select id, step, outcome, closed_at from tasks
          where workflow_id = ${t.workflow_id} and state = 'done' and id <> ${t.id} and jsonb_typeof(outcome) = 'object' and closed_at is not null
          order by closed_at, id limit 100`,
        // What the task's process shows beside it (a pairing's evidence and milestones).
        processTaskContext(sql, { ...t, live }, req.principal),
        codes.length ? sql<{ code: string; name: string }[]>`select code, name from organizations where code = any(${codes})` : Promise.resolve([]),
        taskComments(sql, t.workflow_id, t.id),
        sql<{ at: Date; kind: string; event_key: string; actor: string; on_behalf_of: string | null; reason: string | null }[]>`
          select at, kind, event_key, actor, on_behalf_of, reason from task_events where task_id = ${t.id} and actor is not null order by at, id limit 500`,
      ]);
      // What people did to the task, each shown once: a nudge (一键催办) as a line of the process's history, a comment
      // among the comments, the rest in the task's action log.
      const nudged = acts.filter((a) => a.kind === 'nudged');
      const actionLog = acts.filter((a) => a.kind !== 'nudged' && a.kind !== 'commented');
      const history = [
        ...processHistory,
        ...nudged.map((n) => ({
          at: n.at,
          step: t.step,
          event_key: `${n.event_key.replace(':', '-')}-nudged`,
          verb: 'nudged',
          round: null,
          run: null,
          detail: { by: n.actor },
        })),
      ].sort((a, b) => a.at.getTime() - b.at.getTime());
      const def = stepDef(t.process, t.step);
      return {
        task: taskItem(t, Date.now()),
        process:
          t.process_kind && t.process_status && t.process_code && t.process_name
            ? {
                id: t.workflow_id,
                kind: t.process_kind,
                status: t.process_status,
                organization: t.process_code,
                organizationName: t.process_name,
                settlement: t.process_settlement,
              }
            : null,
        step: def ? { id: def.id, role: def.role, words: { ...def.words } } : null,
        context,
        contextNames: Object.fromEntries(named.map((o) => [o.code, o.name])),
        actions: actionsNow(actorOf(p), { process: t.process, step: t.step, path: t.path, state: t.state, claimedBy: t.claimed_by }, absentees(p)),
        escalations: escalations.map((e) => ({
          id: e.id,
          level: e.level,
          state: e.state,
          organization: e.code,
          actions: escalationActionsNow(actorOf(p), e, t.path),
        })),
        comments,
        // A task link's session reaches the task's form only (taskLinkAllows): no comment, no mention search.
        mayComment: req.principal.onlyTask === undefined && mayComment(actorOf(p), t),
        actionLog: actionLog.map((a) => ({ at: a.at.toISOString(), kind: a.kind, actor: a.actor, onBehalfOf: a.on_behalf_of, reason: a.reason })),
        history: history.map((h) => ({
          at: h.at.toISOString(),
          step: h.step,
          event: h.event_key,
          verb: h.verb,
          round: h.round,
          run: h.run,
          detail: h.detail ?? {},
        })),
        earlier: earlier.map((e) => ({ id: e.id, step: e.step, outcome: e.outcome, doneAt: e.closed_at.toISOString() })),
        ...processContext,
      };
    },
  );

  // One route per action, each with its own body schema (documented in the OpenAPI): scope (404), role (403),
  // then the workflow's Update, whose validator refuses what the task's state forbids (409) before it enters
  // history. The Update's handler writes the task row and the audit entry before it returns.
  for (const action of taskActions) {
    app.post(
      `/tasks/:id/${action}`,
      {
        schema: {
          tags: ['tasks'],
          summary: `${action} a task`,
          params: z.object({ id: z.coerce.number().int().positive() }),
          headers: z.object({ 'idempotency-key': z.string().max(200).optional() }),
          // An action without a body (claim) arrives as null: parse it as {}.
          body: z.preprocess((v) => v ?? {}, taskActionBodies[action] as z.ZodType),
          response: { 200: taskViewSchema },
        },
      },
      async (req, reply) =>
        idempotent(sql, req, reply, async () => {
          await requireNewHolder(sql, req.principal, { task: req.params.id }, action, req.body as object);
          return { status: 200, body: await actOnTask(app, req, req.params.id, action, req.body as object) };
        }),
    );
  }
};

export default tasks;
