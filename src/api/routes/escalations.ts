import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { escalationActions } from '../../domain/task-rights.js';
import { escalationActionBodies } from '../../../workflows/messages.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { actOnEscalation } from '../task-updates.js';
import { requireNewHolder } from '../task-holders.js';
import { escalationSchema, overdueSchema } from '../../escalations/schemas.js';
import { taskViewSchema } from '../../tasks/schemas.js';
import { escalationsInScope } from '../../escalations/store.js';
import { overdueGroups } from '../../tasks/store.js';

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
      return { items: await escalationsInScope(sql, { scope: inScope(sql, req.principal, 'o'), state: req.query.state, limit: req.query.limit }) };
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
      const subtree = req.query.org ? (await organizationInScope(sql, req.principal, req.query.org)).path : undefined;
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

export default escalations;
