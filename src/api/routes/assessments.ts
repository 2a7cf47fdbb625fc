import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportable, exportFormat, sendExport } from '../export.js';
import { HttpError, notFound } from '../errors.js';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { assessmentCountiesSchema, assessmentCountySchema, assessmentOrganizationSchema, assessmentOrganizationsSchema } from '../../assessments/schemas.js';
import { startAssessment } from '../../processes/assessment.js';
import { assessmentRun, rankedCounties, rankedScores } from '../../assessments/store.js';
import { AlreadyRunning } from '../../processes/start.js';
import { sectors } from '../../organizations/import/columns.js';

const year = z.coerce.number().int().min(2000).max(2100);
const format = exportFormat;

const county = assessmentCountySchema;
const organization = assessmentOrganizationSchema;

// Yearly inspection and ranking 检查考评 (domain.md §4.6): run it for a year, read counties ranked across the
// province with drill-down into a county's organizations, export both.
const assessments: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  const runOf = async (y: number) => {
    const r = await assessmentRun(sql, y);
    if (!r) throw notFound(`assessment of ${y}`);
    return r;
  };

  const send = sendExport;

  app.post(
    '/assessments/:year/run',
    {
      schema: {
        tags: ['assessments'],
        summary: 'score the year now (the Schedule does it every 31 December); admin only',
        params: z.object({ year }),
        response: { 202: z.object({ id: z.string() }) },
      },
    },
    async (req, reply) => {
      requireRole(req.principal, '', ['admin']);
      try {
        return reply.status(202).send({ id: await startAssessment(app.temporal, app.config.TEMPORAL_TASK_QUEUE, req.params.year) });
      } catch (err) {
        if (err instanceof AlreadyRunning) throw new HttpError(409, 'conflict', `the assessment of ${req.params.year} is running`, { id: err.id });
        throw err;
      }
    },
  );

  app.get(
    '/assessments/:year/counties',
    {
      schema: {
        tags: ['assessments'],
        summary: 'counties ranked across the province; the caller sees the counties of its subtree, with their province-wide rank',
        params: z.object({ year }),
        querystring: z.object({ format }),
        response: exportable(assessmentCountiesSchema),
      },
    },
    async (req, reply) => {
      const r = await runOf(req.params.year);
      const items = await rankedCounties(sql, req.params.year, inScope(sql, req.principal, 'o'));
      return send(reply, req.query.format, `counties-${req.params.year}`, Object.keys(county.shape), { run: r, items });
    },
  );

  app.get(
    '/assessments/:year/organizations',
    {
      schema: {
        tags: ['assessments'],
        summary: "drill-down: the organizations' scores and indicators under an organization (a county), or one sector's ranking",
        params: z.object({ year }),
        querystring: z.object({
          under: z.string().min(1).max(64).optional(),
          sector: z.enum(sectors).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          format,
        }),
        response: exportable(assessmentOrganizationsSchema),
      },
    },
    async (req, reply) => {
      const r = await runOf(req.params.year);
      const q = req.query;
      const under = q.under ? await organizationInScope(sql, req.principal, q.under) : null;
      // A download holds every row of the selection; a page holds `limit`.
      const limit = q.format === 'json' ? q.limit : 1_000_000;
      const items = await rankedScores(sql, req.params.year, {
        scope: inScope(sql, req.principal, 'o'),
        under: under?.path,
        sector: q.sector,
        limit,
        offset: q.offset,
      });
      return send(reply, q.format, `organizations-${req.params.year}`, Object.keys(organization.shape), { run: r, items });
    },
  );
};

export default assessments;
