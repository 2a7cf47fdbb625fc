import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../errors.js';
import { inScope, ownTasks } from '../scope.js';
import { processTaskContext } from '../../tasks/process-context.js';
import { escalationsOfTask, organizationNames, outcomesBefore, processEvents, taskActs, taskInScope, taskPage, type TaskRow } from '../../tasks/store.js';
import { taskActions } from '../../domain/task-rights.js';
import { stepDef } from '../../domain/steps.js';
import { actionsNow, escalationActionsNow, mayComment } from '../task-actions.js';
import { taskActionBodies } from '../../../workflows/messages.js';
import { idempotent } from '../idempotency.js';
import { ratings, taskFilterWhere } from '../task-filter.js';
import { actOnTask, actorOf } from '../task-updates.js';
import { requireNewHolder } from '../task-holders.js';
import { absentees, heldBy, withSubstitutions } from '../substitutes.js';
import { taskComments } from '../../comments/store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { taskDetailSchema, taskListItemSchema, taskSchema, taskStateSchema as taskState, taskViewSchema } from '../../tasks/schemas.js';

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
    titleParts: t.title_parts ?? null,
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
      const { where } = await taskFilterWhere(
        sql,
        p,
        {
          state,
          process,
          org,
          step,
          dueAfter,
          dueBefore,
          escalationLevel,
          rating,
          ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
        },
        { own: true },
      );
      const rows = await taskPage(sql, where, after, q.limit, q.mine === 'true' ? heldBy(sql, req.principal.userId, req.principal.username) : undefined);
      const page = rows.slice(0, q.limit);
      const now = Date.now();
      const actor = actorOf(p);
      const away = absentees(p);
      const last = page.at(-1);
      return {
        items: page.map((t) => ({
          ...taskItem(t, now),
          actions: actionsNow(
            actor,
            { process: t.process, step: t.step, path: t.path, state: t.state, claimedBy: t.claimed_by, assigneePerson: t.assignee_person },
            away,
          ),
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
      const t = await taskInScope(sql, req.params.id, sql`(${inScope(sql, p)} or ${ownTasks(sql, p)})`);
      if (!t) throw notFound(`task ${req.params.id}`);
      const context = t.context && typeof t.context === 'object' && !Array.isArray(t.context) ? t.context : null;
      const codes = context
        ? Object.values(context)
            .filter((v): v is string => typeof v === 'string')
            .slice(0, 50)
        : [];
      const live = t.state === 'open' || t.state === 'claimed' || t.state === 'escalated';
      const def = stepDef(t.process, t.step);
      const [escalations, processHistory, earlier, processContext, named, comments, acts] = await Promise.all([
        escalationsOfTask(sql, t.id),
        processEvents(sql, t.workflow_id),
        // What the person decides on includes what was decided before it in the same process (the request, the ballot).
        def?.decidedAlone ? Promise.resolve([]) : outcomesBefore(sql, t.workflow_id, t.id),
        // What the task's process shows beside it (a pairing's evidence and milestones).
        processTaskContext(sql, { ...t, live }, req.principal),
        codes.length ? organizationNames(sql, codes) : Promise.resolve([]),
        taskComments(sql, t.workflow_id, t.id),
        taskActs(sql, t.id),
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
        actions: actionsNow(
          actorOf(p),
          { process: t.process, step: t.step, path: t.path, state: t.state, claimedBy: t.claimed_by, assigneePerson: t.assignee_person },
          absentees(p),
        ),
        escalations: escalations.map((e) => ({
          id: e.id,
          level: e.level,
          state: e.state,
          organization: e.code,
          actions: escalationActionsNow(actorOf(p), e, t.path),
        })),
        comments,
        // A task link's session reaches the task's form only (taskLinkAllows): no comment, no mention search.
        mayComment: req.principal.onlyTask === undefined && mayComment(actorOf(p), { ...t, assigneePerson: t.assignee_person }),
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
