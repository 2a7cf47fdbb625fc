// 发展党员计划 and the seed's targets through the API: a county's organizer enters the year's plan for the organizations
// directly under the county (its townships and sector committees); each of those allocates its share to the
// organizations under it. Reading a plan shows each organization against its allocation (admitted 预备党员, from the
// cases); the village targets show each village against the seed's targets, and which have recruited no one for
// years; a nudge (一键催办) reaches the secretaries of those behind.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { organizingRoles, steeringRoles } from '../../domain/roles.js';
import { candidateWindowStart, recruitmentTargetsFor } from '../../domain/recruitment/targets.js';
import { nudgeMissingFilers } from '../../nudges/store.js';
import { allocate, behindPlan, planOf, villageTargets } from '../../recruitment/plan-store.js';
import { allocationBody, planSchema, planYear, recruitmentNudgeBody, recruitmentNudgeResult, villageTargetsSchema } from '../../recruitment/plan-schemas.js';
import { HttpError } from '../errors.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { organizationInScope, requireRole } from '../scope.js';

const codeParams = z.object({ code: z.string().min(1).max(64) });
/** A county is the third level of the tree (province → prefecture → county): where the plan is entered. */
const entersPlan = (path: string) => path.split('.').length === 3;
const thisYear = () => Number(shanghaiDate(Date.now()).slice(0, 4));
/** More organizations than this on one nudge is a broadcast, as for the other nudges. */
const MAX_ORGANIZATIONS = 2000;

const recruitmentPlan: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/organizations/:code/recruitment-plan/:year',
    {
      schema: {
        tags: ['recruitment'],
        description:
          'The year’s 发展党员计划 at the organization: what the level above gave it, and each organization directly under it with its ' +
          'allocation, what it allocated further down, and the 预备党员 admitted in its subtree (read from the cases).',
        params: codeParams.extend({ year: planYear }),
        response: { 200: planSchema },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      return { ...(await planOf(sql, org.id, req.params.year)), entersPlan: entersPlan(org.path) };
    },
  );

  app.put(
    '/organizations/:code/recruitment-plan/:year',
    {
      schema: {
        tags: ['recruitment'],
        description:
          'Enters (at a county) or allocates (below it) the year’s 发展党员计划: the admissions of each named organization directly under this ' +
          'one; the others keep theirs. Refused (422, by field) for an organization not directly under it, when the allocations would add up ' +
          'to more than the level above gave this organization (or it was given none), or when one would get less than it has already allocated further down.',
        params: codeParams.extend({ year: planYear }),
        body: allocationBody,
        response: { 200: planSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      const org = await organizationInScope(sql, p, req.params.code);
      requireRole(p, org.path, organizingRoles);
      if (req.params.year > thisYear() + 1)
        throw new HttpError(422, 'invalid_request', `params.year: a plan is made for this year or the next`, [
          { field: 'params.year', message: 'later than next year' },
        ]);
      const r = await allocate(sql, {
        org,
        year: req.params.year,
        entersPlan: entersPlan(org.path),
        allocations: req.body.allocations.map((a) => ({ code: a.organization, admissions: a.admissions })),
        actor: p.username,
      });
      if ('refused' in r)
        throw new HttpError(
          422,
          'invalid_request',
          r.refused.map((x) => `${x.field}: ${x.message}`).join('; '),
          r.refused.map((x) => ({ field: x.field, message: x.message })),
        );
      return { ...(await planOf(sql, org.id, req.params.year)), entersPlan: entersPlan(org.path) };
    },
  );

  app.get(
    '/organizations/:code/recruitment-targets',
    {
      schema: {
        tags: ['recruitment'],
        description:
          'Each village of the subtree against the seed’s targets for the year (入党积极分子 made in the year, 发展对象 made in it and the year ' +
          'before), its admissions against its plan, and whether it has admitted no one for years: read from the cases of 发展党员 and the register.',
        params: codeParams,
        querystring: z.object({
          year: planYear.optional().describe('default: this year'),
          after: z.string().max(64).optional().describe('the page after this village code (the last page’s `next`)'),
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('villages a page'),
        }),
        response: { 200: villageTargetsSchema },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      const year = req.query.year ?? thisYear();
      const today = shanghaiDate(Date.now());
      const r = recruitmentTargetsFor(year === thisYear() ? today : `${year}-12-31`);
      const read = await villageTargets(sql, org.path, year, r, today, { after: req.query.after, limit: req.query.limit });
      return {
        year,
        ruleSet: r.id,
        targets: {
          activistsPerYear: r.activistsPerYear,
          candidatesInWindow: r.candidatesInWindow,
          candidateWindowFrom: candidateWindowStart(r, year),
          quietYears: r.quietYears,
        },
        items: read.items.map(({ id: _, secretaryIds: __, ...v }) => v),
        summary: read.summary,
        next: read.next,
      };
    },
  );

  app.post(
    '/organizations/:code/recruitment-nudges',
    {
      schema: {
        tags: ['recruitment'],
        description:
          '一键催办 of 发展党员 in the subtree: the secretaries of the villages missing a target (list=targets), or of the organizations that ' +
          'admitted fewer than their allocation (list=plan; a committee’s organizers), one message each; each organization counts the nudge.',
        headers: idempotencyKeyHeader,
        params: codeParams,
        body: recruitmentNudgeBody,
        response: { 200: recruitmentNudgeResult },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const p = req.principal;
        const org = await organizationInScope(sql, p, req.params.code);
        requireRole(p, org.path, steeringRoles);
        const { year, list, message } = req.body;
        const today = shanghaiDate(Date.now());
        const rules = recruitmentTargetsFor(year === thisYear() ? today : `${year}-12-31`);
        const body = await nudgeMissingFilers(sql, {
          year,
          missing: async (tx) =>
            list === 'targets' ? (await villageTargets(tx, org.path, year, rules, today)).items.filter((v) => !v.met) : await behindPlan(tx, org.path, year),
          actor: { id: p.userId, username: p.username },
          filter: { recruitment: list, year, org: org.code },
          message,
          dueOn: `${year}-12-31`,
          max: MAX_ORGANIZATIONS,
          title:
            list === 'targets'
              ? `催办：发展党员未达目标（每村每年培养入党积极分子${rules.activistsPerYear}名以上、两年内发展对象${rules.candidatesInWindow}名以上）（${p.username}）`
              : `催办：${year} 年发展党员计划未完成（${p.username}）`,
          record: (tx, nudgeId, ids) =>
            tx`insert into recruitment_nudges (nudge_id, organization_id, year, list) select ${nudgeId}, id, ${year}, ${list} from unnest(${ids}::bigint[]) as id`,
        });
        if ('refused' in body && body.refused === 'nothing')
          throw new HttpError(
            422,
            'nothing_to_nudge',
            `no organization in ${org.code} is behind on ${list === 'targets' ? 'the targets' : 'its plan'} for ${year}`,
            [{ field: 'body.list', message: 'no organization behind' }],
          );
        if ('refused' in body)
          throw new HttpError(422, 'too_many', `more than ${MAX_ORGANIZATIONS} organizations are behind: narrow to a smaller subtree`, [
            { field: 'params.code', message: `more than ${MAX_ORGANIZATIONS} organizations` },
          ]);
        return { status: 200, body };
      }),
  );
};

export default recruitmentPlan;
