// Organization life 三会一课 through the API: an organizer starts the year for the branches of a subtree (one
// `organization-life` process each); a branch's meetings are read by anyone who sees it; a period's completeness —
// held, late, missing by the organizations under one, with the missing records — only by those who steer it (the
// branches do not see each other ranked). Each meeting is recorded through its task, like every step.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { organizingRoles, steeringRoles } from '../../domain/roles.js';
import { startLifeYears } from '../../organization-life/start.js';
import { meetingsOf, periodCompleteness } from '../../organization-life/store.js';
import { completenessSchema, lifeYearsBody, lifeYearsResult, meetingSchema, periodSchema } from '../../organization-life/schemas.js';
import { organizationInScope, requireRole } from '../scope.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { organizationLifeId, spotCheckUpdate } from '../../../workflows/organization-life/workflow.js';

const meetings: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/organization-life/years',
    {
      schema: {
        tags: ['organization-life'],
        summary: 'start a year of organization life (三会一课) for every branch under an organization that has none: one process per branch',
        body: lifeYearsBody,
        response: { 202: lifeYearsResult },
      },
    },
    async (req, reply) => {
      const org = await organizationInScope(sql, req.principal, req.body.under);
      requireRole(req.principal, org.path, organizingRoles);
      const r = await startLifeYears(sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, { path: org.path, year: req.body.year });
      return reply.code(202).send(r);
    },
  );

  app.get(
    '/organizations/:code/meetings',
    {
      schema: {
        tags: ['organization-life'],
        summary: "a branch's meetings of a year (三会一课), newest first, each with the obligations it met",
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({ year: z.coerce.number().int().min(2018).max(2100).optional() }).strict(),
        response: { 200: z.object({ meetings: z.array(meetingSchema) }) },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      const year = req.query.year ?? Number(shanghaiDate(new Date()).slice(0, 4));
      return { meetings: await meetingsOf(sql, org.id, year) };
    },
  );

  app.get(
    '/organizations/:code/meeting-completeness',
    {
      schema: {
        tags: ['organization-life'],
        summary: "a period's organization life under an organization: held, late, missing and open by the organizations under it, and the missing records",
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({ period: periodSchema }).strict(),
        response: { 200: completenessSchema },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      // A ranking of branches is for those who supervise them: a branch's own people read their meetings instead.
      requireRole(req.principal, org.path, steeringRoles);
      const [o] = await sql<{ code: string; name: string }[]>`select code, name from organizations where id = ${org.id}`;
      const { rows, missing } = await periodCompleteness(sql, { path: org.path, period: req.query.period, today: shanghaiDate(new Date()) });
      const sum = (k: 'branches' | 'held' | 'late' | 'missing' | 'open' | 'waived') => rows.reduce((n, r) => n + r[k], 0);
      return {
        organization: o!,
        period: req.query.period,
        totals: { branches: sum('branches'), held: sum('held'), late: sum('late'), missing: sum('missing'), open: sum('open'), waived: sum('waived') },
        rows,
        missing,
      };
    },
  );

  app.post(
    '/organizations/:code/meeting-spot-checks',
    {
      schema: {
        tags: ['organization-life'],
        summary: "a spot-check (抽查) of a branch's records of a period: a task for the organizers of the committee above it",
        headers: idempotencyKeyHeader,
        params: z.object({ code: z.string().min(1).max(64) }),
        body: z.object({ period: periodSchema }).strict(),
        response: { 202: z.object({ taskKey: z.string() }) },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const org = await organizationInScope(sql, req.principal, req.params.code);
        requireRole(req.principal, org.path, organizingRoles);
        const year = Number(req.body.period.slice(0, 4));
        const opened = await app.updateProcess(
          req,
          organizationLifeId(org.code, year),
          spotCheckUpdate,
          { period: req.body.period },
          { ended: `no year ${year} of organization life runs for this branch` },
        );
        return { status: 202, body: opened };
      }),
  );
};

export default meetings;
