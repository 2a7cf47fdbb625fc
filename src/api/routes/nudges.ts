import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { scopeRoots, type Role } from '../../auth/principal.js';
import { steeringRoles } from '../../domain/roles.js';
import { stepWords } from '../../domain/step-words.js';
import { shanghaiDate } from '../../domain/dates.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { taskFilterSchema, taskFilterWhere } from '../task-filter.js';
import { nudgeResultSchema, returnNudgeResultSchema } from '../schemas.js';
import { missingReturns, requireYearBegun, returnDueOn } from '../missing-returns.js';
import { activeToday } from '../substitutes.js';
import { organizationInScope } from '../scope.js';
import type { Queryable, Sql } from '../../db/client.js';
import { holdersOfTasks } from '../../tasks/holders.js';

/** Who may nudge (一键催办): those who steer the work of the organizations on the list. */
export const nudgeRoles: readonly Role[] = steeringRoles;
/** More live tasks than this under one filter is not a nudge but a broadcast: narrow the filter. */
export const NUDGE_MAX_TASKS = 2000;

/** The nudge's own row, its audit entry: who, over which list, how many items and people. */
async function recordNudge(
  tx: Queryable,
  actorId: number,
  actor: string,
  filter: unknown,
  message: string | undefined,
  items: number,
  people: number,
): Promise<number> {
  const [n] = await tx<{ id: number }[]>`
    insert into nudges (actor_id, actor, filter, message, tasks, people)
    values (${actorId}, ${actor}, ${tx.json(filter as never)}, ${message ?? null}, ${items}, ${people}) returning id`;
  return Number(n!.id);
}

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
          if (targets.length === 0)
            throw new HttpError(422, 'nothing_to_nudge', 'no live task in your subtree matches this filter', [
              { field: 'filter', message: 'matches no live task' },
            ]);
          if (targets.length > NUDGE_MAX_TASKS) {
            throw new HttpError(422, 'too_many', `more than ${NUDGE_MAX_TASKS} tasks match: narrow the filter`, [
              { field: 'filter', message: `matches more than ${NUDGE_MAX_TASKS} tasks` },
            ]);
          }
          const ids = targets.map((t) => t.id);
          // Who holds each task, as its reminders reach them: the holder and, while they are away, their substitute.
          const holders = await tx<{ task_id: number; user_id: number }[]>`
            select task_id, id as user_id from (${holdersOfTasks(tx as unknown as Sql, ids, new Date().toISOString())}) h`;
          const byUser = new Map<number, number[]>();
          for (const h of holders) byUser.set(h.user_id, [...(byUser.get(h.user_id) ?? []), h.task_id]);
          const nudgeId = await recordNudge(tx, p.userId, p.username, filter, message, ids.length, byUser.size);
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

  // 催报: the yearly return's missing filers (GET /returns/{year}/missing), each organization's secretaries (and their
  // substitutes while away) told once, whatever number of organizations they file for.
  app.post(
    '/returns/:year/nudges',
    {
      schema: {
        tags: ['assessments'],
        summary: 'nudge (催报) the secretaries of every organization on the missing filers list: one message per person, recorded and counted per organization',
        headers: idempotencyKeyHeader,
        params: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
        body: z
          .object({
            org: z.string().min(1).max(64).optional().describe('narrow the list to this subtree'),
            message: z.string().trim().min(1).max(200).optional(),
          })
          .strict(),
        response: { 200: returnNudgeResultSchema },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const p = req.principal;
        const y = req.params.year;
        const steer = scopeRoots(p, nudgeRoles);
        if (steer.length === 0) throw new HttpError(403, 'forbidden', `nudging needs the role ${nudgeRoles.join(' or ')}`);
        requireYearBegun(y);
        const { org, message } = req.body;
        const under = org ? (await organizationInScope(sql, p, org)).path : undefined;
        const dueOn = returnDueOn(y);
        const body = await sql.begin(async (tx) => {
          const missing = await missingReturns(tx, steer, y, under);
          if (missing.length === 0)
            throw new HttpError(422, 'nothing_to_nudge', `no organization in your subtree misses its ${y} return`, [
              { field: 'params.year', message: 'no missing filer' },
            ]);
          if (missing.length > NUDGE_MAX_TASKS)
            throw new HttpError(422, 'too_many', `more than ${NUDGE_MAX_TASKS} organizations miss it: narrow with org`, [
              { field: 'body.org', message: `more than ${NUDGE_MAX_TASKS} organizations` },
            ]);
          // Each secretary, and whoever stands in for one today (as a task's reminders reach them), once.
          const byUser = new Map<number, typeof missing>();
          const add = (id: number, m: (typeof missing)[number]) => byUser.set(id, [...new Set([...(byUser.get(id) ?? []), m])]);
          for (const m of missing) for (const id of m.secretaryIds) add(id, m);
          const away = byUser.size
            ? await tx<{ user_id: number; substitute_id: number }[]>`
                select s.user_id, s.substitute_id from substitutions s join users u on u.id = s.substitute_id and not u.disabled
                where s.user_id = any(${[...byUser.keys()]}::bigint[]) and ${activeToday(tx as unknown as Sql)}`
            : [];
          for (const a of away) for (const m of byUser.get(Number(a.user_id)) ?? []) add(Number(a.substitute_id), m);
          const nudgeId = await recordNudge(tx, p.userId, p.username, { returns: y, ...(org ? { org } : {}) }, message, missing.length, byUser.size);
          const rows = [...byUser].map(([userId, mine]) => ({
            user_id: userId,
            event_key: `nudge:${nudgeId}`,
            kind: 'nudge',
            task_id: null,
            title: `催报：请填报 ${y} 年度年报（${p.username}）`,
            body: [...(message ? [message] : []), ...mine.map((m) => `${m.name} · 截止 ${dueOn}`)].join('\n'),
            created_at: new Date(),
          }));
          if (rows.length) await tx`insert into notifications ${tx(rows)}`;
          await tx`insert into return_nudges (nudge_id, organization_id, year) select ${nudgeId}, id, ${y} from unnest(${missing.map((m) => m.id)}::bigint[]) as id`;
          return {
            id: nudgeId,
            organizations: missing.length,
            people: byUser.size,
            unreached: missing.filter((m) => m.secretaries.length === 0).map((m) => m.code),
          };
        });
        return { status: 200, body };
      }),
  );
};

export default nudges;
