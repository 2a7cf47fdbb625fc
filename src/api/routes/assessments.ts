import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportable, exportFormat, sendExport } from '../export.js';
import { HttpError, notFound } from '../errors.js';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { assessmentCountiesSchema, assessmentCountySchema, assessmentOrganizationSchema, assessmentOrganizationsSchema } from '../../assessments/schemas.js';
import { startAssessment } from '../../processes/assessment.js';
import { AlreadyRunning } from '../../processes/term-election.js';
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
    const [r] = await sql<{ year: number; assessed_on: string; rule_set: string; finished_at: Date }[]>`
      select year, to_char(assessed_on, 'YYYY-MM-DD') as assessed_on, rule_set, finished_at from assessment_runs where year = ${y}`;
    if (!r) throw notFound(`assessment of ${y}`);
    return { year: r.year, assessedOn: r.assessed_on, ruleSet: r.rule_set, finishedAt: r.finished_at.toISOString() };
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
      const items = await sql<z.infer<typeof county>[]>`
        select c.rank, o.code, o.name, c.score::float8 as score, c.organizations, c.mean_score::float8 as "meanScore", c.villages,
               c.concurrent_head_organizations as "concurrentHeadOrganizations", c.concurrent_head_rate::float8 as "concurrentHeadRate", c.units, c.liaison_coverage::float8 as "liaisonCoverage",
               c.paired, c.pairing_coverage::float8 as "pairingCoverage", c.deliverables, c.delivered_rate::float8 as "deliveredRate"
        from assessment_counties c join organizations o on o.id = c.county_id
        where c.year = ${req.params.year} and ${inScope(sql, req.principal, 'o')}
        order by c.rank, o.code`;
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
      const items = await sql<z.infer<typeof organization>[]>`
        select o.code, o.name, s.sector, k.code as county, s.score::float8 as score, s.sector_rank as "sectorRank",
               s.term_on_time as "termOnTime", s.secretary_trained as "secretaryTrained", s.no_overdue_tasks as "noOverdueTasks",
               s.return_filed as "returnFiled", s.activists_trained as "activistsTrained", s.reserve_cadres as "reserveCadres",
               s.funding_floor as "fundingFloor", s.member_funding as "memberFunding", s.venue, s.young_committee_member as "youngCommitteeMember",
               s.concurrent_head as "concurrentHead", s.red_periods as "redPeriods"
        from assessment_scores s join organizations o on o.id = s.organization_id left join organizations k on k.id = s.county_id
        where s.year = ${req.params.year} and ${inScope(sql, req.principal, 'o')}
          ${under ? sql`and o.path <@ ${under.path}::ltree` : sql``}
          ${q.sector ? sql`and s.sector = ${q.sector}` : sql``}
        order by s.sector_rank nulls last, s.score desc, o.code
        limit ${limit} offset ${q.offset}`;
      return send(reply, q.format, `organizations-${req.params.year}`, Object.keys(organization.shape), { run: r, items });
    },
  );
};

export default assessments;
