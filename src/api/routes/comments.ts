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
import { actionRoles, ownTask } from '../task-actions.js';
import { HttpError, notFound } from '../errors.js';
import { commentSchema } from '../../comments/schemas.js';
import { actingPrincipal, withSubstitutions } from '../substitutes.js';
import { usernameSchema } from '../../domain/fields.js';
import { enabledUsersNamed, processToCommentOn, taskComments, taskToCommentOn, writeComment } from '../../comments/store.js';

const commentBody = z.strictObject({
  text: z.string().trim().min(1, 'a comment needs words').max(4000),
  mentions: z.array(usernameSchema).max(20).default([]).describe('usernames to notify; each must be able to see the task'),
});

export interface Target {
  workflowId: string;
  taskId: number | null;
  path: string;
  /** The steps whose doers may comment: the task's, or every step the process has opened. */
  steps: { process: string; step: string }[];
  holder: string | null;
  /** The person a task names: on a step of their own (a member's report) they read and write without a role. */
  person?: string | null;
  title: string;
}

/** Is the target a task of a step the caller does themselves (StepDef.byPerson)? */
const ownTarget = (p: Principal, target: Pick<Target, 'taskId' | 'steps' | 'person'>): boolean =>
  target.taskId !== null && target.steps.length === 1 && ownTask(p, { ...target.steps[0]!, assigneePerson: target.person ?? null });

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
  const own = ownTarget(p, target);
  if (!allows(p, target.path) && !own) throw notFound(target.taskId ? `task ${target.taskId}` : `process ${target.workflowId}`);
  const acting = own ? caller : commentingAs(p, target);
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
  const users = mentions.length ? await enabledUsersNamed(sql, mentions) : [];
  const details: { field: string; message: string }[] = [];
  for (const [i, name] of body.mentions.entries()) {
    const u = users.find((x) => x.username === name);
    const seen = u ? await withSubstitutions(sql, (await loadPrincipal(sql, u.id))!) : null;
    if (!u) details.push({ field: `body.mentions.${i}`, message: `no user ${name}` });
    else if (!seen || !allows(seen, target.path, mentionableRoles))
      details.push({ field: `body.mentions.${i}`, message: `${name} cannot see this ${target.taskId ? 'task' : 'process'}` });
  }
  if (details.length) throw new HttpError(422, 'invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  const who = acting.onBehalfOf ? `${caller.username}（代 ${acting.onBehalfOf}）` : caller.username;
  return writeComment(sql, {
    workflowId: target.workflowId,
    taskId: target.taskId,
    author: caller.username,
    onBehalfOf: acting.onBehalfOf ?? null,
    text: body.text,
    mentions,
    notify: { ids: users.map((u) => u.id), title: `${who} 在「${target.title}」的评论中提到了你` },
  });
}

const comments: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  const taskTarget = async (id: number): Promise<Target | null> => {
    const t = await taskToCommentOn(sql, id);
    return t
      ? {
          workflowId: t.workflow_id,
          taskId: id,
          path: t.path,
          steps: [t],
          holder: t.holder,
          person: t.assigneePerson,
          title: stepWords(t.process, t.step, 'zh-CN'),
        }
      : null;
  };
  const processTarget = async (id: string): Promise<Target | null> => {
    const p = await processToCommentOn(sql, id);
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
      const p = await withSubstitutions(sql, req.principal);
      if (!t || (!allows(p, t.path) && !ownTarget(p, t))) throw notFound(`task ${req.params.id}`);
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
