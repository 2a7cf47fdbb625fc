// Comments on a task or a whole process. Who can see the task (its organization in the caller's
// subtree) reads them; who may complete it or steers above it (task-actions.ts mayComment) writes — a substitute
// through the absent user's roles, recorded on their behalf. A mention notifies the user named (kind 'mention'),
// who must be able to see the task. A task's comment also enters the task's audit (task_events 'commented').
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Sql } from '../../db/client.js';
import { allows, loadPrincipal, type Principal } from '../../auth/principal.js';
import { mentionableRoles } from '../../domain/task-rights.js';
import { steeringRoles } from '../../domain/roles.js';
import { stepWords } from '../../domain/step-words.js';
import { actionRoles } from '../task-actions.js';
import { HttpError, notFound } from '../errors.js';
import { commentSchema } from '../schemas.js';
import { actingPrincipal, withSubstitutions } from '../substitutes.js';
import { usernameSchema } from '../../../workflows/messages.js';

const commentBody = z.strictObject({
  text: z.string().trim().min(1, 'a comment needs words').max(4000),
  mentions: z.array(usernameSchema).max(20).default([]).describe('usernames to notify; each must be able to see the task'),
});

interface CommentRow {
  id: number;
  task_id: number | null;
  author: string;
  on_behalf_of: string | null;
  body: string;
  mentions: string[];
  created_at: Date;
}
const commentItem = (c: CommentRow): z.infer<typeof commentSchema> => ({
  id: c.id,
  taskId: c.task_id,
  author: c.author,
  onBehalfOf: c.on_behalf_of,
  text: c.body,
  mentions: c.mentions,
  at: c.created_at.toISOString(),
});

/** A task's comments and its process's (taskId null: the process's only), oldest first: the newest 500 of a long thread. */
export async function taskComments(sql: Sql, workflowId: string, taskId: number | null) {
  const rows = await sql<CommentRow[]>`
    select * from (
      select id, task_id, author, on_behalf_of, body, mentions, created_at from comments
      where workflow_id = ${workflowId} and (task_id is null ${taskId === null ? sql`` : sql`or task_id = ${taskId}`})
      order by created_at desc, id desc limit 500) c
    order by created_at, id`;
  return rows.map(commentItem);
}

export interface Target {
  workflowId: string;
  taskId: number | null;
  path: string;
  /** The steps whose doers may comment: the task's, or every step the process has opened. */
  steps: { process: string; step: string }[];
  holder: string | null;
  title: string;
}

/** Who writes on a target: the roles that may complete one of its steps, and the organizers, supervisors and admins above. */
const commentRoles = (steps: Target['steps']) => [...new Set([...steps.flatMap((s) => actionRoles(s.process, s.step, 'complete')), ...steeringRoles])];

/**
 * Whom `p` (with the grants lent to them today: withSubstitutions) comments as on a target — themself, or the absent
 * user they stand in for — or null when they may not write there. The rule of POST …/comments; the organization's
 * life answers it per process (`mayComment`, routes/organization-life.ts), so its form shows only to those it lets write.
 */
export const commentingAs = (p: Principal, target: Pick<Target, 'path' | 'steps' | 'holder'>): Principal | null =>
  actingPrincipal(p, target.path, commentRoles(target.steps), target.holder);

/** Writes the comment, its audit row and the mentions' notifications in one transaction. */
async function addComment(sql: Sql, caller: Principal, target: Target, body: z.infer<typeof commentBody>) {
  const p = await withSubstitutions(sql, caller);
  if (!allows(p, target.path)) throw notFound(target.taskId ? `task ${target.taskId}` : `process ${target.workflowId}`);
  const acting = commentingAs(p, target);
  if (!acting) {
    const roles = commentRoles(target.steps);
    throw new HttpError(
      403,
      'forbidden',
      `only those who may do ${target.taskId ? 'this task' : "this process's steps"} or steer them (${roles.join(', ')}) comment here`,
    );
  }
  const mentions = [...new Set(body.mentions)];
  // Each mentioned user must exist and see the task: a mention never shows a task to someone outside it.
  const users = mentions.length
    ? await sql<{ id: number; username: string }[]>`select id, username from users where username = any(${mentions}) and not disabled`
    : [];
  const details: { field: string; message: string }[] = [];
  for (const [i, name] of body.mentions.entries()) {
    const u = users.find((x) => x.username === name);
    const seen = u ? await withSubstitutions(sql, (await loadPrincipal(sql, u.id))!) : null;
    if (!u) details.push({ field: `body.mentions.${i}`, message: `no user ${name}` });
    else if (!seen || !allows(seen, target.path, mentionableRoles))
      details.push({ field: `body.mentions.${i}`, message: `${name} cannot see this ${target.taskId ? 'task' : 'process'}` });
  }
  if (details.length) throw new HttpError(422, 'invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  return sql.begin(async (tx) => {
    const [c] = await tx<CommentRow[]>`
      insert into comments (workflow_id, task_id, author, on_behalf_of, body, mentions)
      values (${target.workflowId}, ${target.taskId}, ${caller.username}, ${acting.onBehalfOf ?? null}, ${body.text}, ${mentions})
      returning id, task_id, author, on_behalf_of, body, mentions, created_at`;
    if (target.taskId !== null) {
      await tx`
        insert into task_events (task_id, event_key, kind, at, actor, on_behalf_of, after)
        values (${target.taskId}, ${`comment-${c!.id}`}, 'commented', ${c!.created_at}, ${caller.username}, ${acting.onBehalfOf ?? null},
                ${tx.json({ commentId: c!.id, mentions })})`;
    }
    if (users.length) {
      const who = acting.onBehalfOf ? `${caller.username}（代 ${acting.onBehalfOf}）` : caller.username;
      await tx`
        insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
        select id, ${`comment:${c!.id}:mention`}, 'mention', ${target.taskId}, ${`${who} 在「${target.title}」的评论中提到了你`}, ${body.text.slice(0, 500)}, ${c!.created_at}
        from users where id = any(${users.map((u) => u.id)})
        on conflict do nothing`;
    }
    return commentItem(c!);
  });
}

const comments: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  const taskTarget = async (id: number): Promise<Target | null> => {
    const [t] = await sql<{ workflow_id: string; path: string; process: string; step: string; holder: string | null }[]>`
      select t.workflow_id, o.path::text as path, t.process, t.step, coalesce(t.claimed_by, t.assignee_person) as holder
      from tasks t join organizations o on o.id = t.organization_id where t.id = ${id}`;
    return t ? { workflowId: t.workflow_id, taskId: id, path: t.path, steps: [t], holder: t.holder, title: stepWords(t.process, t.step, 'zh-CN') } : null;
  };
  const processTarget = async (id: string): Promise<Target | null> => {
    const [p] = await sql<{ kind: string; path: string; steps: { process: string; step: string }[] }[]>`
      select p.kind, o.path::text as path,
             coalesce((select json_agg(distinct jsonb_build_object('process', t.process, 'step', t.step)) from tasks t where t.workflow_id = p.workflow_id), '[]') as steps
      from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${id}`;
    return p ? { workflowId: id, taskId: null, path: p.path, steps: p.steps, holder: null, title: id } : null;
  };

  app.get(
    '/tasks/:id/comments',
    {
      schema: {
        tags: ['comments'],
        summary: "a task's comments and its process's, oldest first",
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: z.object({ items: z.array(commentSchema) }) },
      },
    },
    async (req) => {
      const t = await taskTarget(req.params.id);
      if (!t || !allows(await withSubstitutions(sql, req.principal), t.path)) throw notFound(`task ${req.params.id}`);
      return { items: await taskComments(sql, t.workflowId, t.taskId) };
    },
  );
  app.post(
    '/tasks/:id/comments',
    {
      schema: {
        tags: ['comments'],
        summary: 'comment on a task, mentioning users to notify (audited)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: commentBody,
        response: { 201: commentSchema },
      },
    },
    async (req, reply) => {
      const t = await taskTarget(req.params.id);
      if (!t) throw notFound(`task ${req.params.id}`);
      return reply.status(201).send(await addComment(sql, req.principal, t, req.body));
    },
  );
  app.get(
    '/processes/:id/comments',
    {
      schema: {
        tags: ['comments'],
        summary: "a process's own comments, oldest first",
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: z.object({ items: z.array(commentSchema) }) },
      },
    },
    async (req) => {
      const p = await processTarget(req.params.id);
      if (!p || !allows(await withSubstitutions(sql, req.principal), p.path)) throw notFound(`process ${req.params.id}`);
      return { items: await taskComments(sql, p.workflowId, null) };
    },
  );
  app.post(
    '/processes/:id/comments',
    {
      schema: {
        tags: ['comments'],
        summary: 'comment on a whole process, mentioning users to notify (audited)',
        params: z.object({ id: z.string().min(1).max(200) }),
        body: commentBody,
        response: { 201: commentSchema },
      },
    },
    async (req, reply) => {
      const p = await processTarget(req.params.id);
      if (!p) throw notFound(`process ${req.params.id}`);
      return reply.status(201).send(await addComment(sql, req.principal, p, req.body));
    },
  );
};

export default comments;
