// 发展党员 through the API: the branch records an application (which starts the applicant's case, workflows/recruitment);
// the branch and the committees above list the applicants of their subtree with what each case waits for; the branch
// links the applicant to the user they sign in as; an applicant reads their own case. Every step after the application
// is a task, done through the task routes like any other.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { organizingRoles } from '../../domain/roles.js';
import { recruitmentStages } from '../../domain/recruitment/rules.js';
import { loadPersonalDataKey } from '../../members/personal-data.js';
import { userForLink } from '../../members/store.js';
import { applicant, applicantOfUser, applicantsUnder, linkApplicantUser, recordApplication } from '../../recruitment/store.js';
import { applicantSchema, applicationBody, caseSchema } from '../../recruitment/schemas.js';
import { processEvents } from '../../tasks/store.js';
import { recruitment as recruitmentWorkflow } from '../../../workflows/recruitment/workflow.js';
import { allows } from '../../auth/principal.js';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';

/** Who records an application and links an applicant: the branch's secretary, and the organizers above. */
const recorders = ['secretary', ...organizingRoles] as const;

const recruitment: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  const key = loadPersonalDataKey(app.config);

  app.post(
    '/organizations/:code/applicants',
    {
      schema: {
        tags: ['recruitment'],
        description:
          'Records a written application to join the Party (入党申请) at a branch and starts the applicant’s case: the talk within a month, ' +
          'then the 细则’s stages, each a task on the working-day calendar. Refused (422, by field) under 18 on the day, with a 身份证号 ' +
          'that is none, for a member already on the register, or while another case of the person is under way.',
        params: z.object({ code: z.string().min(1).max(64) }),
        body: applicationBody,
        response: { 201: z.object({ id: z.number(), workflowId: z.string() }) },
      },
    },
    async (req, reply) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      requireRole(req.principal, org.path, recorders);
      // A case is a branch's: its talk, reviews and meetings are the branch's, its filings and approvals the committee's above.
      const [{ type } = { type: '' }] = await sql<{ type: string }[]>`select type from organizations where id = ${org.id}`;
      if (type !== 'branch' && type !== 'general_branch')
        throw new HttpError(422, 'invalid_request', `an application is recorded at a Party branch, not at a ${type}`, [
          { field: 'params.code', message: 'not a branch' },
        ]);
      const today = shanghaiDate(Date.now());
      const appliedOn = req.body.appliedOn ?? today;
      if (appliedOn > today) throw new HttpError(422, 'invalid_request', 'appliedOn is in the future', [{ field: 'body.appliedOn', message: 'in the future' }]);
      const r = await recordApplication(sql, key, {
        ...req.body,
        phone: req.body.phone ?? null,
        appliedOn,
        organizationId: org.id,
        actor: req.principal.username,
      });
      if ('refused' in r)
        throw new HttpError(
          422,
          'invalid_request',
          r.refused.map((x) => `body.${x.field}: ${x.message}`).join('; '),
          r.refused.map((x) => ({ field: `body.${x.field}`, message: x.message })),
        );
      await app.temporal.workflow.start(recruitmentWorkflow, {
        workflowId: r.workflowId,
        taskQueue: app.config.TEMPORAL_TASK_QUEUE,
        args: [{ applicant: r.id }],
      });
      return reply.status(201).send(r);
    },
  );

  app.get(
    '/organizations/:code/applicants',
    {
      schema: {
        tags: ['recruitment'],
        description: 'The applicants of the organization and its subtree, open cases first: their stage and what their case waits for now.',
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({ stage: z.enum(recruitmentStages).optional() }),
        response: { 200: z.object({ items: z.array(applicantSchema) }) },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      return { items: await applicantsUnder(sql, org.path, req.query.stage) };
    },
  );

  app.put(
    '/applicants/:id/user',
    {
      schema: {
        tags: ['recruitment'],
        description: 'Links the applicant to the user they sign in as (or unlinks with null): they then read their own case and file their own steps.',
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        body: z.object({ username: z.string().min(2).max(64).nullable() }),
        response: { 200: applicantSchema },
      },
    },
    async (req) => {
      const a = await applicant(sql, req.params.id);
      if (!a || !allows(req.principal, a.path)) throw notFound(`applicant ${req.params.id}`);
      requireRole(req.principal, a.path, recorders);
      let userId: number | null = null;
      if (req.body.username !== null) {
        const u = await userForLink(sql, req.body.username);
        if (!u) throw new HttpError(422, 'invalid_request', `no user ${req.body.username}`, [{ field: 'body.username', message: 'no such user' }]);
        userId = u.id;
      }
      await linkApplicantUser(sql, a.id, userId);
      const { path: _, ...item } = (await applicant(sql, a.id))!;
      return item;
    },
  );

  app.get(
    '/me/application',
    {
      schema: {
        tags: ['recruitment'],
        description: 'The caller’s own case (their latest), with its history: where it stands and what it waits for. 404 when they have none.',
        response: { 200: caseSchema },
      },
    },
    async (req) => {
      const a = await applicantOfUser(sql, req.principal.userId);
      if (!a) throw notFound('an application of yours');
      const { path: _, ...item } = a;
      const history = await processEvents(sql, a.workflowId);
      return { ...item, history: history.map((h) => ({ at: h.at.toISOString(), step: h.step, eventKey: h.event_key })) };
    },
  );
};

export default recruitment;
