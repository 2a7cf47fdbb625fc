import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowUpdateFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { allows } from '../../auth/principal.js';
import { completeTaskUpdate } from '../../../workflows/messages.js';

const taskState = z.enum(['open', 'claimed', 'done', 'cancelled', 'escalated']);

export const taskSchema = z.object({
  id: z.number(),
  workflowId: z.string(),
  process: z.string(),
  step: z.string(),
  organization: z.string(),
  organizationName: z.string(),
  assigneeRole: z.string().nullable(),
  state: taskState,
  openedAt: z.string(),
  dueAt: z.string(),
  overdue: z.boolean(),
  escalationLevel: z.number(),
});

const cursorSchema = z.object({ dueAt: z.string(), id: z.number() });
const encodeCursor = (c: z.infer<typeof cursorSchema>) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string) {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(s, 'base64url').toString()));
  } catch {
    throw new HttpError(400, 'invalid_request', 'querystring.cursor: not a cursor from this API', [
      { field: 'querystring.cursor', message: 'not a cursor from this API' },
    ]);
  }
}

const listQuery = z.object({
  state: taskState.optional(),
  process: z.string().max(64).optional(),
  org: z.string().max(64).optional().describe('organization code: tasks in its subtree'),
  overdue: z.enum(['true', 'false']).optional(),
  dueBefore: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
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
  assignee_role: string | null;
  state: z.infer<typeof taskState>;
  opened_at: Date;
  due_at: Date;
  escalation_level: number;
}

const tasks: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/tasks',
    { schema: { tags: ['tasks'], querystring: listQuery, response: { 200: z.object({ items: z.array(taskSchema), nextCursor: z.string().nullable() }) } } },
    async (req) => {
      const q = req.query;
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      let subtree = sql``;
      if (q.org) {
        const org = await organizationInScope(sql, req.principal, q.org);
        subtree = sql`and o.path <@ ${org.path}::ltree`;
      }
      const rows = await sql<TaskRow[]>`
        select t.id, t.workflow_id, t.process, t.step, o.code, o.name, t.assignee_role, t.state, t.opened_at, t.due_at, t.escalation_level
        from tasks t join organizations o on o.id = t.organization_id
        where ${inScope(sql, req.principal)} ${subtree}
          ${q.state ? sql`and t.state = ${q.state}` : sql``}
          ${q.process ? sql`and t.process = ${q.process}` : sql``}
          ${q.overdue === 'true' ? sql`and t.state in ('open', 'claimed', 'escalated') and t.due_at < now()` : sql``}
          ${q.overdue === 'false' ? sql`and not (t.state in ('open', 'claimed', 'escalated') and t.due_at < now())` : sql``}
          ${q.dueBefore ? sql`and t.due_at < ${q.dueBefore}` : sql``}
          ${after ? sql`and (t.due_at, t.id) > (${after.dueAt}, ${after.id})` : sql``}
        order by t.due_at, t.id
        limit ${q.limit + 1}`;
      const page = rows.slice(0, q.limit);
      const now = Date.now();
      const last = page.at(-1);
      return {
        items: page.map((t) => ({
          id: t.id,
          workflowId: t.workflow_id,
          process: t.process,
          step: t.step,
          organization: t.code,
          organizationName: t.name,
          assigneeRole: t.assignee_role,
          state: t.state,
          openedAt: t.opened_at.toISOString(),
          dueAt: t.due_at.toISOString(),
          overdue: ['open', 'claimed', 'escalated'].includes(t.state) && t.due_at.getTime() < now,
          escalationLevel: t.escalation_level,
        })),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ dueAt: last.due_at.toISOString(), id: last.id }) : null,
      };
    },
  );

  app.post(
    '/tasks/:id/complete',
    {
      schema: {
        tags: ['tasks'],
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ outcome: z.record(z.string(), z.unknown()).default({}) }).default({ outcome: {} }),
        response: { 200: z.object({ id: z.number(), state: z.string() }) },
      },
    },
    async (req) => {
      const [task] = await sql<{ workflow_id: string; task_key: string; path: string }[]>`
        select t.workflow_id, t.task_key, o.path::text as path
        from tasks t join organizations o on o.id = t.organization_id where t.id = ${req.params.id}`;
      if (!task || !allows(req.principal, task.path)) throw notFound(`task ${req.params.id}`);
      requireRole(req.principal, task.path, ['admin', 'organizer', 'secretary', 'liaison_officer']);
      try {
        const view = await app.temporal.workflow
          .getHandle(task.workflow_id)
          .executeUpdate(completeTaskUpdate, { args: [{ taskKey: task.task_key, actor: { username: req.principal.username }, outcome: req.body.outcome }] });
        return { id: req.params.id, state: view.state };
      } catch (err) {
        // The workflow's validator refused: nothing entered history, nothing changed.
        if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'conflict', err.cause?.message ?? err.message);
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'conflict', 'the process of this task has ended');
        throw err;
      }
    },
  );
};

export default tasks;
