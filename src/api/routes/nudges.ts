import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { scopeRoots, type Role } from '../../auth/principal.js';
import { stepWords } from '../../domain/step-words.js';
import { shanghaiDate } from '../../domain/dates.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { taskFilterSchema, taskFilterWhere } from '../task-filter.js';
import { nudgeResultSchema } from '../schemas.js';

/** Who may nudge (一键催办): those who steer the work of the organizations on the list. */
export const nudgeRoles: readonly Role[] = ['admin', 'organizer', 'supervisor'];
/** More live tasks than this under one filter is not a nudge but a broadcast: narrow the filter. */
export const NUDGE_MAX_TASKS = 2000;

/**
 * 一键催办: everyone holding a live task on a list gets one message (a `notifications` row of kind 'nudge', so
 * the in-app list, the e-mail digest and the channels carry it) listing their tasks; each task records the
 * nudge in its events and counts it. The list is sent as its filter, not as ids, and read again here inside
 * the caller's subtree — only where the caller steers.
 */
const nudges: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/nudges',
    {
      schema: {
        tags: ['tasks'],
        summary: 'nudge everyone holding a live task that matches the filter: one message per person, recorded and counted on each task',
        headers: idempotencyKeyHeader,
        body: z.object({ filter: taskFilterSchema, message: z.string().trim().min(1).max(200).optional().describe('a line added to each message') }).strict(),
        response: { 200: nudgeResultSchema },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const p = req.principal;
        const steer = scopeRoots(p, nudgeRoles);
        if (steer.length === 0) throw new HttpError(403, 'forbidden', `nudging needs the role ${nudgeRoles.join(' or ')}`);
        const { filter, message } = req.body;
        const { where } = await taskFilterWhere(sql, p, filter);
        const steered = steer.includes('') ? sql`true` : sql`o.path <@ ${sql.array(steer)}::ltree[]`;
        const body = await sql.begin(async (tx) => {
          const targets = await tx<{ id: number; process: string; step: string; name: string; due_at: Date }[]>`
            select t.id, t.process, t.step, o.name, t.due_at from tasks t join organizations o on o.id = t.organization_id
            where ${where} and ${steered} and t.state in ('open', 'claimed', 'escalated')
            order by t.due_at, t.id limit ${NUDGE_MAX_TASKS + 1}`;
          if (targets.length === 0) throw new HttpError(422, 'nothing_to_nudge', 'no live task in your subtree matches this filter', [{ field: 'filter', message: 'matches no live task' }]);
          if (targets.length > NUDGE_MAX_TASKS) {
            throw new HttpError(422, 'too_many', `more than ${NUDGE_MAX_TASKS} tasks match: narrow the filter`, [{ field: 'filter', message: `matches more than ${NUDGE_MAX_TASKS} tasks` }]);
          }
          const ids = targets.map((t) => t.id);
          // The holder of each task: who claimed it, else the person it is assigned to, else every user with the
          // assigned role at its organization (the inbox's `heldBy`, read the other way round).
          const holders = await tx<{ task_id: number; user_id: number }[]>`
            select t.id as task_id, u.id as user_id from tasks t join users u on u.username = coalesce(t.claimed_by, t.assignee_person) and not u.disabled
            where t.id = any(${ids})
            union
            select t.id, r.user_id from tasks t join user_roles r on r.organization_id = t.organization_id and r.role = t.assignee_role
            join users u on u.id = r.user_id and not u.disabled
            where t.id = any(${ids}) and t.claimed_by is null and t.assignee_person is null`;
          const byUser = new Map<number, number[]>();
          for (const h of holders) byUser.set(h.user_id, [...(byUser.get(h.user_id) ?? []), h.task_id]);
          const [n] = await tx<{ id: number }[]>`
            insert into nudges (actor_id, actor, filter, message, tasks, people)
            values (${p.userId}, ${p.username}, ${tx.json(filter)}, ${message ?? null}, ${ids.length}, ${byUser.size}) returning id`;
          const nudgeId = n!.id;
          const byId = new Map(targets.map((t) => [t.id, t]));
          const line = (id: number) => {
            const t = byId.get(id)!;
            return `${stepWords(t.process, t.step, 'zh-CN')} · ${t.name} · 截止 ${shanghaiDate(t.due_at)}`;
          };
          const rows = [...byUser].map(([userId, taskIds]) => {
            const mine = taskIds.sort((a, b) => byId.get(a)!.due_at.getTime() - byId.get(b)!.due_at.getTime() || a - b);
            return {
              user_id: userId,
              event_key: `nudge:${nudgeId}`,
              kind: 'nudge',
              // The most urgent of them: the message opens on it.
              task_id: mine[0]!,
              title: `催办：请尽快办理 ${mine.length} 项待办（${p.username}）`,
              body: [...(message ? [message] : []), ...mine.map(line)].join('\n'),
              created_at: new Date(),
            };
          });
          if (rows.length) await tx`insert into notifications ${tx(rows)}`;
          await tx`
            insert into task_events (task_id, event_key, kind, at, actor, reason, after)
            select id, ${`nudge:${nudgeId}`}, 'nudged', now(), ${p.username}, ${message ?? null}, jsonb_build_object('nudge', ${nudgeId}::bigint)
            from unnest(${ids}::bigint[]) as id`;
          await tx`update tasks set nudge_count = nudge_count + 1 where id = any(${ids})`;
          const reached = new Set(holders.map((h) => h.task_id));
          return { id: nudgeId, tasks: ids.length, people: byUser.size, unreached: ids.filter((id) => !reached.has(id)) };
        });
        return { status: 200, body };
      }),
  );
};

export default nudges;
