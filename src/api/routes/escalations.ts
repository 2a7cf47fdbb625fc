import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { escalationActions } from '../../domain/task-rights.js';
import { escalationActionBodies } from '../../../workflows/messages.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { actOnEscalation } from '../task-updates.js';
import { requireNewHolder } from '../task-holders.js';
import { escalationSchema, overdueSchema, taskViewSchema } from '../schemas.js';

/** Escalations (the supervisor's view) and the overdue dashboard. */
const escalations: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/escalations',
    {
      schema: {
        tags: ['escalations'],
        querystring: z.object({ state: z.enum(['open', 'acknowledged', 'closed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ items: z.array(escalationSchema) }) },
      },
    },
    async (req) => {
      const rows = await sql<
        {
          id: number;
          task_id: number;
          level: number;
          code: string;
          role: string;
          state: 'open';
          opened_at: Date;
          task_code: string;
          step: string;
          due_at: Date;
          actions: Record<string, unknown>[];
        }[]
      >`
        select e.id, e.task_id, e.level, o.code, e.role, e.state, e.opened_at, tor.code as task_code, t.step, t.due_at, e.actions
        from escalations e join organizations o on o.id = e.organization_id
        join tasks t on t.id = e.task_id join organizations tor on tor.id = t.organization_id
        where ${inScope(sql, req.principal, 'o')} ${req.query.state ? sql`and e.state = ${req.query.state}` : sql``}
        order by e.opened_at desc, e.id desc limit ${req.query.limit}`;
      return {
        items: rows.map((e) => ({
          id: e.id,
          taskId: e.task_id,
          level: e.level,
          organization: e.code,
          role: e.role,
          state: e.state,
          openedAt: e.opened_at.toISOString(),
          taskOrganization: e.task_code,
          step: e.step,
          dueAt: e.due_at.toISOString(),
          actions: e.actions,
        })),
      };
    },
  );

  for (const action of escalationActions) {
    app.post(
      `/escalations/:id/${action}`,
      {
        schema: {
          tags: ['escalations'],
          summary: `${action} an escalation`,
          params: z.object({ id: z.coerce.number().int().positive() }),
          headers: idempotencyKeyHeader,
          // An action without a body (claim) arrives as null: parse it as {}.
          body: z.preprocess((v) => v ?? {}, escalationActionBodies[action] as z.ZodType),
          response: { 200: taskViewSchema },
        },
      },
      async (req, reply) =>
        idempotent(sql, req, reply, async () => {
          await requireNewHolder(sql, req.principal, { escalation: req.params.id }, action, req.body as object);
          return { status: 200, body: await actOnEscalation(app, req, req.params.id, action, req.body as object) };
        }),
    );
  }

  app.get(
    '/overdue',
    {
      schema: {
        tags: ['tasks'],
        summary: 'overdue tasks in the caller’s subtree, grouped by organization and escalation level',
        querystring: z.object({ org: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(5000).default(500) }),
        response: { 200: overdueSchema },
      },
    },
    async (req) => {
      let subtree = sql``;
      if (req.query.org) {
        const org = await organizationInScope(sql, req.principal, req.query.org);
        subtree = sql`and o.path <@ ${org.path}::ltree`;
      }
      const rows = await overdueGroups(sql, inScope(sql, req.principal, 'o'), subtree);
      const byOrg = new Map<string, { organization: string; name: string; total: number; levels: { level: number; count: number; oldestDueAt: string }[] }>();
      let total = 0;
      for (const r of rows) {
        const g = byOrg.get(r.code) ?? { organization: r.code, name: r.name, total: 0, levels: [] };
        g.total += r.n;
        total += r.n;
        g.levels.push({ level: r.level, count: r.n, oldestDueAt: r.oldest.toISOString() });
        byOrg.set(r.code, g);
      }
      // Most overdue first: the organizations a supervisor should call.
      const organizations = [...byOrg.values()].sort((a, b) => b.total - a.total || a.organization.localeCompare(b.organization)).slice(0, req.query.limit);
      return { total, organizations };
    },
  );
};

/**
 * The overdue question in SQL (bench/overdue.ts times this very statement): aggregate the overdue rows per
 * organization first (the partial index tasks_overdue holds only live tasks), then name the organizations.
 */
export function overdueGroups(sql: import('../../db/client.js').Sql, scope: ReturnType<typeof inScope>, subtree = sql``) {
  return sql<{ code: string; name: string; level: number; n: number; oldest: Date }[]>`
    with agg as (
      select t.organization_id, t.escalation_level as level, count(*)::int as n, min(t.due_at) as oldest
      from tasks t
      where t.state in ('open', 'claimed', 'escalated') and t.due_at < now()
        and t.organization_id in (select o.id from organizations o where ${scope} ${subtree})
      group by t.organization_id, t.escalation_level)
    select o.code, o.name, a.level, a.n, a.oldest from agg a join organizations o on o.id = a.organization_id`;
}

export default escalations;
