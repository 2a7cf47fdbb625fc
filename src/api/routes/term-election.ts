import { lateTerms, listTerms, termPlan, writeElectionRegister } from '../../organizations/terms.js';
import { isValidIsoDate } from '../../domain/dates.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { electionBodies } from '../../domain/rules.js';
import { startRoles } from '../../domain/process-starts.js';
import { shanghaiDate } from '../../domain/dates.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { overdueReportSchema, overdueTermSchema, termPlanItemSchema, termPlanSchema, termSchema } from '../../organizations/term-schemas.js';
import { exportable, exportFormat, sendExport } from '../export.js';
import { HttpError } from '../errors.js';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isValidIsoDate, 'not a calendar date');

/** The register of terms (domain.md §4.1 step 1): organizations by the date their term ends. */
const terms: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/terms',
    {
      schema: {
        tags: ['organizations'],
        description: 'Terms ending in a date range, or already over (overdue=true), in the caller’s subtree; ordered by end date.',
        querystring: z.object({
          endsFrom: isoDate.optional(),
          endsTo: isoDate.optional(),
          overdue: z.enum(['true', 'false']).optional(),
          under: z.string().min(1).max(64).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(termSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { endsFrom, endsTo, overdue, under, cursor, limit } = req.query;
      const sql = app.sql;
      const subtree = under ? (await organizationInScope(sql, req.principal, under)).path : undefined;
      const after = decodeCursor(cursor, z.object({ endsOn: isoDate, code: z.string() }));
      const rows = await listTerms(sql, {
        scope: inScope(sql, req.principal, 'o'),
        under: subtree,
        endsFrom,
        endsTo,
        overdue: overdue === undefined ? undefined : overdue === 'true',
        today: shanghaiDate(Date.now()),
        after,
        limit,
      });
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor({ endsOn: last.termEndsOn, code: last.code }) : null };
    },
  );

  app.get(
    '/term-election/plan',
    {
      schema: {
        tags: ['term-election'],
        summary:
          '年度换届计划: the terms in the caller’s subtree due in a year — ending in it, a postponement ending in it, or overdue from before — by supervising committee and end date',
        description:
          'Sent to every supervising committee’s supervisors on 1 January (Shanghai) by the term-plan Schedule; this is ' +
          'the same list, for any year, as JSON or as a CSV/XLSX file (format=csv|xlsx).',
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), format: exportFormat }),
        response: exportable(termPlanSchema),
      },
    },
    async (req, reply) => {
      const sql = app.sql;
      const year = req.query.year ?? Number(shanghaiDate(Date.now()).slice(0, 4));
      const items = await termPlan(sql, inScope(sql, req.principal, 'o'), year);
      return sendExport(reply, req.query.format, `term-plan-${year}`, Object.keys(termPlanItemSchema.shape), { year, items });
    },
  );

  app.get(
    '/term-election/overdue-report',
    {
      schema: {
        tags: ['term-election'],
        summary: '未按期换届: terms in the caller’s subtree past their end with no approved result and no approved postponement still running',
        description:
          'A renewed term moves the end date, so a term still past its end has no approved result. Days overdue count ' +
          'from the end of the term to today in Shanghai. JSON, or a CSV/XLSX file with format=csv|xlsx.',
        querystring: z.object({ format: exportFormat }),
        response: exportable(overdueReportSchema),
      },
    },
    async (req, reply) => {
      const sql = app.sql;
      const today = shanghaiDate(Date.now());
      const items = await lateTerms(sql, inScope(sql, req.principal, 'o'), today);
      return sendExport(reply, req.query.format, `overdue-terms-${today}`, Object.keys(overdueTermSchema.shape), { asOf: today, items });
    },
  );

  // Who elects how, the delegates and the term's own number (domain.md §4.1), as the county enters them: the term
  // election, the chase of a missing term, the yearly plan and the assessment read the register's election_body.
  const electionRegisterSchema = z.object({
    code: z.string(),
    electionBody: z.enum(electionBodies).nullable().describe('in force: declared, else inferred from type, sector and name'),
    declared: z.enum(electionBodies).nullable(),
    delegates: z.number().nullable(),
    termOrdinal: z.number().nullable(),
  });
  app.put(
    '/organizations/:code/election',
    {
      schema: {
        tags: ['term-election'],
        summary:
          'How an organization’s committee is elected (members’ meeting, delegates’ conference, appointed, Party congress), its delegates and its term’s number (第n届)',
        description:
          'Organizers and admins of the organization or above. A field left out keeps its value; null clears it (an election body ' +
          'cleared is inferred again). A delegates’ conference needs its number of delegates (中国共产党基层组织选举工作条例 2020 art. 4). Audited.',
        params: z.object({ code: z.string().min(1).max(64) }),
        body: z
          .object({
            electionBody: z.enum(electionBodies).nullable().optional(),
            delegates: z.number().int().min(1).max(100_000).nullable().optional(),
            termOrdinal: z.number().int().min(1).max(1000).nullable().optional(),
            reason: z.string().trim().min(2).max(500).optional(),
          })
          .strict(),
        response: { 200: electionRegisterSchema },
      },
    },
    async (req) => {
      const sql = app.sql;
      const scoped = await organizationInScope(sql, req.principal, req.params.code);
      requireRole(req.principal, scoped.path, startRoles);
      const result = await writeElectionRegister(sql, scoped, req.body, req.principal.username);
      if ('refused' in result && result.refused === 'unit') {
        throw new HttpError(422, 'rule_violation', 'a unit has no Party organization, so no committee to elect', {
          rule: 'election-body',
          field: 'body.electionBody',
        });
      }
      if ('refused' in result) {
        throw new HttpError(422, 'rule_violation', 'a delegates’ conference needs the number of its delegates: they, not the members, are entitled to vote', {
          rule: 'delegates',
          field: 'body.delegates',
        });
      }
      return { code: scoped.code, ...result.written };
    },
  );
};

export default terms;
