// The member register: import from a member-system export, a branch's register, a member's record and history,
// a status recorded, a member linked to the user they sign in as, and a member's own record; a branch's 党小组
// (party-groups.ts).
//
// Scope: a member is seen by whoever may see the organization whose register holds them (404 elsewhere, as for an
// unknown id) and by the member themself. Personal data is masked unless the caller asks for it (`reveal`) and holds
// a role that needs it (src/domain/members.ts personalDataRoles); every unmasked value read is audited.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, scopeRoots, type Principal } from '../../auth/principal.js';
import { organizingRoles } from '../../domain/roles.js';
import { shanghaiDate } from '../../domain/dates.js';
import { isMobile, memberCategories, memberStatuses, personalDataRoles } from '../../domain/members.js';
import { awayKinds } from '../../domain/member-away/rules.js';
import { memberAway } from '../../../workflows/member-away/workflow.js';
import { memberBackSignal } from '../../../workflows/messages.js';
import { ImportBusy, ImportRejected } from '../../organizations/import/import.js';
import { importMembers } from '../../members/import.js';
import { loadPersonalDataKey } from '../../members/personal-data.js';
import {
  changeStatus,
  getMember,
  registerAway,
  userForLink,
  linkUser,
  listMembers,
  memberHistory,
  memberOfUser,
  statusCounts,
  unmasked,
  type Member,
  type MemberSummary,
  type PersonalField,
} from '../../members/store.js';
import {
  isoDateSchema,
  memberCountsSchema,
  memberEventSchema,
  memberImportResultSchema,
  memberListSchema,
  memberSchema,
  revealQuery,
} from '../../members/schemas.js';
import { HttpError, notFound } from '../errors.js';
import { memberKeptBy, organizationInScope, requireRole } from '../scope.js';
import { SHEET_TYPES, uploadStream } from '../uploads.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { partyGroupRoutes } from './party-groups.js';
import { groupRecordHolderOf, namesOnly } from '../../organization-life/group-record.js';

/** A province's register comes in files of a county or a prefecture; a whole province would be split by prefecture. */
export const MEMBER_IMPORT_MAX_BYTES = 200 * 1024 * 1024;
export const MEMBER_IMPORT_MAX_ROWS = 1_000_000;
const MEMBER_IMPORT_READ_MS = 5 * 60_000;

const errorCode = { 400: 'invalid_file', 403: 'forbidden', 404: 'not_found', 408: 'request_timeout', 413: 'too_large', 422: 'invalid_rows' } as const;

const members: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  const key = loadPersonalDataKey(app.config);
  app.addContentTypeParser(SHEET_TYPES.concat('text/plain'), (_req, payload, done) => done(null, payload));

  /** The fields of `reveal` the caller may unmask at `path`; a 403 naming the role for one they may not. */
  const revealable = (p: Principal, path: string, reveal: string | undefined): PersonalField[] => {
    const fields = [...new Set((reveal ?? '').split(',').filter(Boolean))] as PersonalField[];
    for (const f of fields) requireRole(p, path, personalDataRoles[f]);
    return fields;
  };
  /** Replaces masked values with unmasked ones (each read audited). */
  const withUnmasked = async <T extends MemberSummary>(p: Principal, rows: T[], fields: PersonalField[], purpose: string): Promise<T[]> => {
    if (!fields.length) return rows;
    const plain = await unmasked(
      sql,
      key,
      rows.map((r) => r.id),
      fields,
      p.onBehalfOf ? `${p.username} for ${p.onBehalfOf}` : p.username,
      purpose,
    );
    return rows.map((r) => ({ ...r, ...plain.get(r.id) }));
  };
  /** A member the caller may see: in their scope, or their own record. */
  const visibleMember = async (p: Principal, id: number): Promise<Member> => {
    const m = await getMember(sql, id);
    if (!m || !(allows(p, m.path) || (await memberOfUser(sql, p.userId)) === id)) throw notFound(`member ${id}`);
    return m;
  };
  const present = ({ path: _path, organizationId: _organizationId, ...m }: Member, revealed: PersonalField[]) => ({ ...m, revealed });

  app.post(
    '/members/import',
    {
      bodyLimit: MEMBER_IMPORT_MAX_BYTES,
      config: { timeoutMs: 15 * 60_000 },
      schema: {
        tags: ['members'],
        description:
          'Import members from a member-system export: CSV (UTF-8 or GBK) or XLSX with the Chinese headers 姓名, 性别, 民族, 出生日期, 学历, ' +
          '身份证号, 入党日期, 转正日期, 人员类别, 党组织编码 (or 所在党组织 by its full name), 联系电话, 工作岗位, 党员状态. A member is ' +
          'identified by the 身份证号. All rows or none: any error refuses the file, listing every error by row and column. A register or ' +
          'status orglife recorded later (a transfer, a status change) is kept and listed in `kept`. The organizations named report their ' +
          'full and probationary figures from the register from then on.',
        consumes: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: memberImportResultSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      if (scopeRoots(p, organizingRoles).length === 0) throw new HttpError(403, 'forbidden', 'importing members needs the role admin or organizer');
      const body = uploadStream(req.body);
      return app.uploadSlot(async () => {
        try {
          return await importMembers(sql, body, {
            principal: p,
            actor: p.username,
            source: `api:${req.id}`,
            key,
            maxBytes: MEMBER_IMPORT_MAX_BYTES,
            maxRows: MEMBER_IMPORT_MAX_ROWS,
            timeoutMs: MEMBER_IMPORT_READ_MS,
          });
        } catch (err) {
          if (err instanceof ImportRejected) throw new HttpError(err.status, errorCode[err.status], err.message, err.errors);
          if (err instanceof ImportBusy) throw new HttpError(503, 'busy', err.message);
          throw err;
        }
      });
    },
  );

  app.get(
    '/organizations/:code/members',
    {
      schema: {
        tags: ['members'],
        description:
          'An organization’s register by name: search by a part of the name or by pinyin initials, filter by status and category. The ' +
          'holder of an open 党小组会 record task of a group (its leader, who may hold no role in the branch) lists that group’s members ' +
          '(`group`) by name only: every personal field blank, nothing to reveal.',
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({
          q: z.string().trim().min(1).max(32).optional(),
          status: z.enum(memberStatuses).optional(),
          category: z.enum(memberCategories).optional(),
          group: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('only the members of this 党小组 today'),
          reveal: revealQuery,
          cursor: z.string().max(400).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: memberListSchema },
      },
    },
    async (req) => {
      const after = decodeCursor(req.query.cursor, z.object({ name: z.string(), id: z.number() }));
      // A 党小组会's recorder without a role in the branch (its leader) reads the group's names, nothing to reveal.
      const holder = req.query.group ? await groupRecordHolderOf(sql, req.principal, req.params.code, req.query.group) : undefined;
      if (holder && req.query.reveal) throw new HttpError(403, 'forbidden', 'a group meeting’s recorder reads the members’ names only');
      const org = holder ? undefined : await organizationInScope(sql, req.principal, req.params.code);
      const fields = org ? revealable(req.principal, org.path, req.query.reveal) : [];
      const page = await listMembers(sql, {
        organizationId: holder?.id ?? org!.id,
        q: req.query.q,
        status: req.query.status,
        category: req.query.category,
        group: req.query.group,
        afterName: after ?? undefined,
        limit: req.query.limit + 1,
      });
      const more = page.length > req.query.limit;
      const rows = more ? page.slice(0, req.query.limit) : page;
      const items = org ? await withUnmasked(req.principal, rows, fields, `register of ${org.code}`) : rows.map(namesOnly);
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor({ name: last.name, id: last.id }) : null, revealed: fields };
    },
  );

  app.get(
    '/organizations/:code/members/counts',
    {
      schema: {
        tags: ['members'],
        description: 'Members on the registers of the organization’s subtree, by status and category.',
        params: z.object({ code: z.string().min(1).max(64) }),
        response: { 200: memberCountsSchema },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      return { items: await statusCounts(sql, org.path) };
    },
  );

  app.get(
    '/members/:id',
    {
      schema: {
        tags: ['members'],
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        querystring: z.object({ reveal: revealQuery }),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const m = await visibleMember(req.principal, req.params.id);
      const own = !allows(req.principal, m.path);
      // A member sees their own data unmasked (still audited); others as their role allows.
      const fields = own
        ? ([...new Set((req.query.reveal ?? '').split(',').filter(Boolean))] as PersonalField[])
        : revealable(req.principal, m.path, req.query.reveal);
      const [shown] = await withUnmasked(req.principal, [m], fields, own ? 'own record' : 'member record');
      return present(shown!, fields);
    },
  );

  app.get(
    '/members/:id/history',
    {
      schema: {
        tags: ['members'],
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        response: { 200: z.object({ items: z.array(memberEventSchema) }) },
      },
    },
    async (req) => {
      await visibleMember(req.principal, req.params.id);
      return { items: await memberHistory(sql, req.params.id) };
    },
  );

  app.post(
    '/members/:id/status',
    {
      schema: {
        tags: ['members'],
        description:
          'Records a member’s status as of a day (流动, 出国出境, 失联, 停止党籍, 死亡, back to 正常) with its reason. From then on the status is ' +
          'orglife’s: a later import does not set it back.',
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        body: z.object({ status: z.enum(memberStatuses), since: isoDateSchema.optional(), reason: z.string().trim().min(1).max(500) }),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      const m = await memberKeptBy(sql, p, req.params.id);
      const since = req.body.since ?? shanghaiDate(Date.now());
      if (since > shanghaiDate(Date.now()))
        throw new HttpError(422, 'invalid_request', 'since is in the future', [{ field: 'body.since', message: 'in the future' }]);
      // Who leaves through a process leaves only through it: a transfer out, a probation the meeting cancelled.
      if (req.body.status === 'transferred' || req.body.status === 'cancelled')
        throw new HttpError(422, 'invalid_request', `the status ${req.body.status} is set by its process (组织关系转接, 发展党员), not here`, [
          { field: 'body.status', message: 'set by its process' },
        ]);
      if (req.body.status === 'away' || req.body.status === 'abroad')
        throw new HttpError(422, 'invalid_request', 'a member going away is registered with where and since when: POST /members/{id}/away', [
          { field: 'body.status', message: 'use /away' },
        ]);
      const r = await changeStatus(sql, { memberId: m.id, status: req.body.status, since, reason: req.body.reason, actor: p.username });
      if (!r.changed) throw new HttpError(409, 'conflict', `the member's status is already ${req.body.status}`);
      // The period away ended: its workflow reads so and closes what it asked for.
      if (r.awayWorkflowId)
        await app.temporal.workflow
          .getHandle(r.awayWorkflowId)
          .signal(memberBackSignal, { actor: p.username })
          .catch((err: Error) => req.log.warn({ err, workflowId: r.awayWorkflowId }, 'the period away ended; its workflow was not told'));
      return present((await getMember(sql, m.id))!, []);
    },
  );

  app.post(
    '/members/:id/away',
    {
      schema: {
        tags: ['members'],
        description:
          'Registers a member as away (流动党员: `kind` away, outside the county) or abroad (出国出境), with where, since when and the contact ' +
          'person at home. Their period away then runs as a process: after six months away the secretary decides on a transfer, a member ' +
          'away reports yearly, a member abroad is contacted every six months, each a task with reminders and escalation. It ends when ' +
          'their status is set otherwise (POST /members/{id}/status) or their membership moves.',
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        body: z.object({
          kind: z.enum(awayKinds),
          place: z.string().trim().min(1).max(200),
          since: isoDateSchema.optional(),
          contactName: z.string().trim().min(1).max(64).optional(),
          contactPhone: z.string().refine(isMobile, 'an 11-digit mobile number').optional(),
          reason: z.string().trim().min(1).max(500).optional(),
        }),
        response: { 201: z.object({ workflowId: z.string() }) },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const m = await memberKeptBy(sql, p, req.params.id);
      const today = shanghaiDate(Date.now());
      const since = req.body.since ?? today;
      if (since > today) throw new HttpError(422, 'invalid_request', 'since is in the future', [{ field: 'body.since', message: 'in the future' }]);
      const away = await registerAway(sql, key, {
        memberId: m.id,
        kind: req.body.kind,
        place: req.body.place,
        since,
        contactName: req.body.contactName ?? null,
        contactPhone: req.body.contactPhone ?? null,
        reason: req.body.reason ?? (req.body.kind === 'away' ? '外出流动' : '出国出境'),
        actor: p.username,
      });
      if (!away)
        throw new HttpError(409, 'conflict', `a member whose status is ${m.status} is not registered away`, [{ field: 'params.id', message: m.status }]);
      await app.temporal.workflow.start(memberAway, { workflowId: away.workflowId, taskQueue: app.config.TEMPORAL_TASK_QUEUE, args: [{ away: away.id }] });
      return reply.status(201).send({ workflowId: away.workflowId });
    },
  );

  app.put(
    '/members/:id/user',
    {
      schema: {
        tags: ['members'],
        description: 'Links the member to the user they sign in as (or unlinks with null): the member then sees their own record.',
        params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        body: z.object({ username: z.string().min(2).max(64).nullable() }),
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      const m = await memberKeptBy(sql, p, req.params.id);
      let userId: number | null = null;
      if (req.body.username !== null) {
        const u = await userForLink(sql, req.body.username);
        if (!u) throw new HttpError(422, 'invalid_request', `no user ${req.body.username}`, [{ field: 'body.username', message: 'no such user' }]);
        if (u.member !== null && u.member !== m.id)
          throw new HttpError(409, 'conflict', `${req.body.username} is linked to another member`, [{ field: 'body.username', message: 'linked already' }]);
        userId = u.id;
      }
      await linkUser(sql, m.id, userId, p.username);
      return present((await getMember(sql, m.id))!, []);
    },
  );

  app.get(
    '/me/member',
    {
      schema: {
        tags: ['members'],
        description: 'The caller’s own record on the register, if their user is linked to a member (unmasked; the read is audited).',
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const id = await memberOfUser(sql, req.principal.userId);
      if (!id) throw notFound('a member linked to you');
      const m = (await getMember(sql, id))!;
      const fields: PersonalField[] = ['idNumber', 'phone'];
      const [shown] = await withUnmasked(req.principal, [m], fields, 'own record');
      return present(shown!, fields);
    },
  );

  partyGroupRoutes(fastify, sql);
};

export default members;
