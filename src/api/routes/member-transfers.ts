// 组织关系转接 through the API: the sending side issues a transfer (to an organization of the province, or by letter
// to outside it), the receiving side records a member who came with a letter from outside; either starts the
// transfer's workflow (workflows/member-transfer), whose tasks the receiving (or sending) secretary completes like any
// task. Both sides list the transfers that concern them.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows } from '../../auth/principal.js';
import { addMonths, isValidIsoDate, shanghaiDate } from '../../domain/dates.js';
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
import { transferRulesFor } from '../../domain/member-transfer/rules.js';
import { initialsOf } from '../initials.js';
import { loadPersonalDataKey, sealPersonalData } from '../../members/personal-data.js';
import { getMember } from '../../members/store.js';
import { memberTransfer, memberTransferId } from '../../../workflows/member-transfer/workflow.js';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';

const isoDate = z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD');
const letter = {
  letterNumber: z.string().trim().min(1).max(64).optional().describe('the letter’s number (介绍信编号)'),
  validUntil: isoDate.optional().describe('the last day the member may report (default: the rule set’s validity from today)'),
  reason: z.string().trim().min(1).max(500).optional(),
};
const started = z.object({ id: z.number(), workflowId: z.string(), validUntil: z.string() });
const transferSchema = z.object({
  id: z.number(),
  workflowId: z.string(),
  direction: z.enum(['within', 'out', 'in']),
  member: z.string(),
  memberId: z.number().nullable(),
  from: z.string().nullable().describe('the sending organization’s name, or where outside the province'),
  to: z.string().nullable().describe('the receiving organization’s name, or where outside the province'),
  letterNumber: z.string().nullable(),
  issuedOn: z.string(),
  validUntil: z.string(),
  state: z.enum(['issued', 'completed', 'refused', 'returned', 'cancelled']),
  reportedOn: z.string().nullable(),
});

const transfers: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  const key = loadPersonalDataKey(app.config);

  /** The letter's last day: as given (not before today), or the rule set's validity from today. */
  const lastDay = (given: string | undefined) => {
    const today = shanghaiDate(Date.now());
    if (given !== undefined && given < today)
      throw new HttpError(422, 'invalid_request', 'validUntil is before today', [{ field: 'body.validUntil', message: 'before today' }]);
    return given ?? addMonths(today, transferRulesFor(today).letterValidityMonths);
  };

  /** Records the transfer and starts its workflow; a transfer whose workflow could not start is withdrawn. */
  const issue = async (row: Record<string, unknown>, actor: string) => {
    const [{ id } = { id: 0 }] = await sql<{ id: number }[]>`select nextval(pg_get_serial_sequence('member_transfers', 'id'))::int as id`;
    const [t] = await sql<{ id: number; valid_until: string }[]>`
      insert into member_transfers ${sql({ ...row, id, workflow_id: memberTransferId(id), issued_by: actor } as never)}
      returning id, to_char(valid_until, 'YYYY-MM-DD') as valid_until`.catch((err: { code?: string }) => {
      if (err.code === '23505') throw new HttpError(409, 'conflict', 'a transfer of this member is under way already');
      throw err;
    });
    const workflowId = memberTransferId(t!.id);
    try {
      await app.temporal.workflow.start(memberTransfer, { workflowId, taskQueue: app.config.TEMPORAL_TASK_QUEUE, args: [{ transfer: t!.id }] });
    } catch (err) {
      await sql`update member_transfers set state = 'cancelled', note = 'not started' where id = ${t!.id}`;
      throw err;
    }
    return { id: t!.id, workflowId, validUntil: t!.valid_until };
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
        response: { 201: started },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const m = await getMember(sql, req.params.id);
      if (!m || !allows(p, m.path)) throw notFound(`member ${req.params.id}`);
      requireRole(p, m.path, registerKeepers);
      if (!countedStatuses.includes(m.status))
        throw new HttpError(409, 'conflict', `a member whose status is ${m.status} is not transferred`, [{ field: 'params.id', message: m.status }]);
      const [from] = await sql<{ id: number }[]>`select id from organizations where code = ${m.organization.code}`;
      let to: { id: number; type: string } | undefined;
      if (req.body.to !== undefined) {
        [to] = await sql<{ id: number; type: string }[]>`select id, type from organizations where code = ${req.body.to}`;
        if (!to || to.type === 'unit')
          throw new HttpError(422, 'invalid_request', `no Party organization ${req.body.to} in the province`, [{ field: 'body.to', message: 'unknown' }]);
        if (to.id === from!.id) throw new HttpError(422, 'invalid_request', 'the member is on that register already', [{ field: 'body.to', message: 'same' }]);
      }
      const t = await issue(
        {
          direction: to ? 'within' : 'out',
          member_id: m.id,
          from_organization_id: from!.id,
          to_organization_id: to?.id ?? null,
          outside: req.body.outside ?? null,
          letter_number: req.body.letterNumber ?? null,
          valid_until: lastDay(req.body.validUntil),
          reason: req.body.reason ?? null,
        },
        p.username,
      );
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
            birthDate: isoDate.optional(),
            education: z.string().trim().max(32).optional(),
            idNumber: z
              .string()
              .max(32)
              .superRefine((v, ctx) => {
                const problem = idNumberProblem(v);
                if (problem) ctx.addIssue({ code: 'custom', message: problem });
              }),
            joinedOn: isoDate,
            fullOn: isoDate.optional(),
            category: z.enum(memberCategories),
            phone: z.string().refine(isMobile, 'an 11-digit mobile number').optional(),
            occupation: z.string().trim().max(64).optional(),
          }),
        }),
        response: { 201: started },
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
      const [known] = await sql<{ status: string }[]>`select status from members where id_number_digest = ${sealed.id_number_digest}`;
      if (known && known.status !== 'transferred')
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
      const t = await issue(
        {
          direction: 'in',
          to_organization_id: org.id,
          outside: req.body.outside,
          letter_number: req.body.letterNumber ?? null,
          valid_until: lastDay(req.body.validUntil),
          reason: req.body.reason ?? null,
          incoming: sql.json(incoming),
        },
        p.username,
      );
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
        querystring: z.object({ state: z.enum(['issued', 'completed', 'refused', 'returned', 'cancelled']).optional() }),
        response: { 200: z.object({ items: z.array(transferSchema) }) },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      const state = req.query.state ? sql`and t.state = ${req.query.state}` : sql``;
      const items = await sql<z.infer<typeof transferSchema>[]>`
        select t.id, t.workflow_id as "workflowId", t.direction, coalesce(m.name, t.incoming->>'name') as member, t.member_id as "memberId",
               coalesce(f.name, case when t.direction = 'in' then t.outside end) as "from",
               coalesce(o.name, case when t.direction = 'out' then t.outside end) as "to",
               t.letter_number as "letterNumber", to_char(t.issued_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as "issuedOn",
               to_char(t.valid_until, 'YYYY-MM-DD') as "validUntil", t.state, to_char(t.reported_on, 'YYYY-MM-DD') as "reportedOn"
        from member_transfers t left join members m on m.id = t.member_id
        left join organizations f on f.id = t.from_organization_id left join organizations o on o.id = t.to_organization_id
        where (t.from_organization_id = ${org.id} or t.to_organization_id = ${org.id}) ${state}
        order by t.issued_at desc, t.id desc limit 500`;
      return { items };
    },
  );
};

export default transfers;
