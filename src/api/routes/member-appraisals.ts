// 民主评议党员 through the API: a county's organizer issues the year's plan (one `member-appraisal` process for each
// branch under it that has none for the year); a member's grades are read by whoever may read the member. Each step
// is done through its task, like every step.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows } from '../../auth/principal.js';
import { shanghaiDate } from '../../domain/dates.js';
import { organizingRoles } from '../../domain/roles.js';
import { getMember, memberOfUser } from '../../members/store.js';
import { appraisalPlanBody, appraisalPlanResult, memberAppraisalSchema } from '../../member-appraisal/schemas.js';
import { appraisalsOf, startAppraisals } from '../../member-appraisal/store.js';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';

const memberAppraisals: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/organizations/:code/member-appraisals',
    {
      schema: {
        tags: ['member-appraisal'],
        summary: "issue a year's 民主评议党员 plan: one process for each branch under the organization that has none for the year",
        params: z.object({ code: z.string().min(1).max(64) }),
        body: appraisalPlanBody,
        response: { 202: appraisalPlanResult },
      },
    },
    async (req, reply) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      requireRole(req.principal, org.path, organizingRoles);
      const { year, reportBy } = req.body;
      const today = shanghaiDate(new Date());
      const bad = (message: string) => new HttpError(422, 'invalid_plan', `body.reportBy: ${message}`, [{ field: 'body.reportBy', message }]);
      if (Number.isNaN(Date.parse(`${reportBy}T00:00:00Z`)) || !new Date(`${reportBy}T00:00:00Z`).toISOString().startsWith(reportBy)) {
        throw bad('not a day');
      }
      if (reportBy < today) throw bad(`must not be before today (${today})`);
      // A year's appraisal is held at its end and reported in it or early the next.
      const reportYear = Number(reportBy.slice(0, 4));
      if (reportYear !== year && reportYear !== year + 1) throw bad(`must fall in ${year} or ${year + 1}`);
      const r = await startAppraisals(sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, { path: org.path, year, reportBy, today });
      return reply.code(202).send(r);
    },
  );

  app.get(
    '/members/:id/appraisals',
    {
      schema: {
        tags: ['member-appraisal'],
        summary: "a member's 民主评议 grades, newest year first, with a 不合格 member's time to improve",
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        response: { 200: z.object({ items: z.array(memberAppraisalSchema) }) },
      },
    },
    async (req) => {
      // As the member's record: those who see their organization, and the member themselves.
      const m = await getMember(sql, req.params.id);
      if (!m || !(allows(req.principal, m.path) || (await memberOfUser(sql, req.principal.userId)) === req.params.id)) {
        throw notFound(`member ${req.params.id}`);
      }
      return { items: await appraisalsOf(sql, req.params.id) };
    },
  );
};

export default memberAppraisals;
