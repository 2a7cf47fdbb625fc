// 组织关系转接 through the API: the sending side issues a transfer (to an organization of the province, or by letter
// to outside it), the receiving side records a member who came with a letter from outside; either starts the
// transfer's workflow (workflows/member-transfer), whose tasks the receiving (or sending) secretary completes like any
// task. Both sides list the transfers that concern them.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import {
  countedStatuses,
  genders,
  idNumberBirthDate,
  idNumberProblem,
  isMobile,
  memberCategories,
  normalizeIdNumber,
  registerKeepers,
} from '../../domain/members.js';
import { initialsOf } from '../initials.js';
import { loadPersonalDataKey, sealPersonalData } from '../../members/personal-data.js';
import {
  issueTransfer,
  letterLastDay,
  receivingOrganization,
  statusByDigest,
  transfersOf,
  TransferUnderWay,
  type NewTransfer,
} from '../../members/transfers.js';
import { isoDateSchema, transferSchema, transferStartedSchema } from '../../members/schemas.js';
import { transferStates } from '../../domain/member-transfer/rules.js';
import { HttpError } from '../errors.js';
import { memberKeptBy, organizationInScope, requireRole } from '../scope.js';

const letter = {
  letterNumber: z.string().trim().min(1).max(64).optional().describe('the letter’s number (介绍信编号)'),
  validUntil: isoDateSchema.optional().describe('the last day the member may report (default: the rule set’s validity from today)'),
  reason: z.string().trim().min(1).max(500).optional(),
};

const transfers: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  const key = loadPersonalDataKey(app.config);

  /** The letter's last day: as given (not before today), or the rule set's validity from today. */
  const lastDay = (given: string | undefined) => {
    const today = shanghaiDate(Date.now());
    if (given !== undefined && given < today)
      throw new HttpError(422, 'invalid_request', 'validUntil is before today', [{ field: 'body.validUntil', message: 'before today' }]);
    return letterLastDay(today, given);
  };
  const issue = async (t: NewTransfer) => {
    try {
      return await issueTransfer(sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, t);
    } catch (err) {
      if (err instanceof TransferUnderWay) throw new HttpError(409, 'conflict', err.message);
      throw err;
    }
  };

  app.post(
    '/members/:id/transfers',
    {
      schema: {
        tags: ['members'],
        description:
          'Issues a transfer of the member’s 组织关系: to an organization of the province (`to`, its code) or by letter to outside it ' +
          '(`outside`, where to). The receiving secretary (inside) or the sending one (outside: the receipt) then has a task, reminded and ' +
          'escalated until the letter’s last day and after. Needs the role secretary, organizer or admin at the member’s organization.',
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        body: z
          .object({ to: z.string().min(1).max(64).optional(), outside: z.string().trim().min(1).max(200).optional(), ...letter })
          .refine((b) => (b.to === undefined) !== (b.outside === undefined), { message: 'give either to (an organization code) or outside', path: ['to'] }),
        response: { 201: transferStartedSchema },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const m = await memberKeptBy(sql, p, req.params.id);
      if (!countedStatuses.includes(m.status))
        throw new HttpError(409, 'conflict', `a member whose status is ${m.status} is not transferred`, [{ field: 'params.id', message: m.status }]);
      let to: { id: number } | undefined;
      if (req.body.to !== undefined) {
        to = await receivingOrganization(sql, req.body.to);
        if (!to)
          throw new HttpError(422, 'invalid_request', `no Party organization ${req.body.to} in the province`, [{ field: 'body.to', message: 'unknown' }]);
        if (to.id === m.organizationId)
          throw new HttpError(422, 'invalid_request', 'the member is on that register already', [{ field: 'body.to', message: 'same' }]);
      }
      const t = await issue({
        direction: to ? 'within' : 'out',
        memberId: m.id,
        fromOrganizationId: m.organizationId,
        toOrganizationId: to?.id ?? null,
        outside: req.body.outside ?? null,
        letterNumber: req.body.letterNumber ?? null,
        validUntil: lastDay(req.body.validUntil),
        reason: req.body.reason ?? null,
        actor: p.username,
      });
      return reply.status(201).send(t);
    },
  );

  app.post(
    '/members/transfers/incoming',
    {
      schema: {
        tags: ['members'],
        description:
          'Records a member who comes with a letter from outside the province (`outside`: where from). The receiving secretary then has a ' +
          'task to record the day the member reported; the member joins the register then. Needs the role secretary, organizer or admin at `to`.',
        body: z.object({
          to: z.string().min(1).max(64),
          outside: z.string().trim().min(1).max(200),
          ...letter,
          member: z.object({
            name: z.string().trim().min(1).max(64),
            gender: z.enum(genders),
            ethnicity: z.string().trim().max(32).optional(),
            birthDate: isoDateSchema.optional(),
            education: z.string().trim().max(32).optional(),
            idNumber: z
              .string()
              .max(32)
              .superRefine((v, ctx) => {
                const problem = idNumberProblem(v);
                if (problem) ctx.addIssue({ code: 'custom', message: problem });
              }),
            joinedOn: isoDateSchema,
            fullOn: isoDateSchema.optional(),
            category: z.enum(memberCategories),
            phone: z.string().refine(isMobile, 'an 11-digit mobile number').optional(),
            occupation: z.string().trim().max(64).optional(),
          }),
        }),
        response: { 201: transferStartedSchema },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const org = await organizationInScope(sql, p, req.body.to);
      requireRole(p, org.path, registerKeepers);
      const c = req.body.member;
      const id = normalizeIdNumber(c.idNumber);
      const birth = idNumberBirthDate(id)!;
      if (c.birthDate !== undefined && c.birthDate !== birth)
        throw new HttpError(422, 'invalid_request', `birthDate differs from the 身份证号's ${birth}`, [{ field: 'body.member.birthDate', message: 'differs' }]);
      if (c.category === 'full' && !c.fullOn)
        throw new HttpError(422, 'invalid_request', 'a full member has a fullOn date', [{ field: 'body.member.fullOn', message: 'required' }]);
      const sealed = sealPersonalData(key, id, c.phone ?? null);
      const known = await statusByDigest(sql, sealed.id_number_digest);
      if (known !== undefined && known !== 'transferred')
        throw new HttpError(409, 'conflict', 'this member is on a register of the province: a move inside the province is issued by the sending side', [
          { field: 'body.member.idNumber', message: 'registered' },
        ]);
      const incoming = {
        name: c.name,
        name_initials: initialsOf(c.name),
        gender: c.gender,
        ethnicity: c.ethnicity ?? null,
        birth_date: birth,
        education: c.education ?? null,
        ...sealed,
        joined_on: c.joinedOn,
        full_on: c.fullOn ?? null,
        category: c.category,
        occupation: c.occupation ?? null,
      };
      const t = await issue({
        direction: 'in',
        toOrganizationId: org.id,
        outside: req.body.outside,
        letterNumber: req.body.letterNumber ?? null,
        validUntil: lastDay(req.body.validUntil),
        reason: req.body.reason ?? null,
        incoming,
        actor: p.username,
      });
      return reply.status(201).send(t);
    },
  );

  app.get(
    '/organizations/:code/transfers',
    {
      schema: {
        tags: ['members'],
        description: 'Transfers from or to the organization’s register, newest first.',
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({ state: z.enum(transferStates).optional() }),
        response: { 200: z.object({ items: z.array(transferSchema) }) },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      const items = await transfersOf(sql, org.id, req.query.state);
      return { items };
    },
  );
};

export default transfers;
