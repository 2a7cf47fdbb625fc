import { termLate, termPlanReason } from '../../organizations/term-late.js';
import { isValidIsoDate } from '../../domain/dates.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { electionBodies } from '../../domain/rules.js';
import { startRoles } from '../../domain/process-starts.js';
import { shanghaiDate } from '../../domain/dates.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { overdueReportSchema, overdueTermSchema, termPlanItemSchema, termPlanSchema, termSchema } from '../schemas.js';
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
      const today = shanghaiDate(Date.now());
      const late = termLate(sql, today);
      const conds = [inScope(sql, req.principal, 'o'), sql`o.term_ends_on is not null`];
      if (under) conds.push(sql`o.path <@ ${(await organizationInScope(sql, req.principal, under)).path}::ltree`);
      if (endsFrom) conds.push(sql`o.term_ends_on >= ${endsFrom}::date`);
      if (endsTo) conds.push(sql`o.term_ends_on <= ${endsTo}::date`);
      // Overdue: past the term's end and past any approved postponement (which the term election writes).
      if (overdue === 'true') conds.push(late);
      if (overdue === 'false') conds.push(sql`not ${late}`);
      const after = decodeCursor(cursor, z.object({ endsOn: isoDate, code: z.string() }));
      if (after) conds.push(sql`(o.term_ends_on, o.code) > (${after.endsOn}::date, ${after.code})`);
      const rows = await sql<z.infer<typeof termSchema>[]>`
        select o.code, o.name, o.type, o.sector, o.term_years as "termYears",
               to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
               to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
               ${late} as overdue, o.secretary_name as "secretaryName"
        from organizations o where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
        order by o.term_ends_on, o.code limit ${limit + 1}`;
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor({ endsOn: last.termEndsOn, code: last.code }) : null };
    },
  );

  // The running term election of an organization, if any: what step its election is at.
  const electionStep = (sql: typeof app.sql) => sql`
    (select p.current_step from processes p where p.organization_id = o.id and p.kind = 'term-election' and p.status = 'running'
     order by p.started_at desc limit 1)`;

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
      const items = await sql<z.infer<typeof termPlanItemSchema>[]>`
        select * from (
          select o.code, o.name, o.type, o.sector, s.code as "supervisorCode", s.name as "supervisorName", o.term_years as "termYears",
                 to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
                 o.secretary_name as "secretaryName", to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
                 ${electionStep(sql)} as "electionStep", ${termPlanReason(sql, year)} as "inPlanBecause", s.code as s_code
          from organizations o join organizations s on s.id = o.parent_id
          where ${inScope(sql, req.principal, 'o')} and o.type <> 'unit') t
        where t."inPlanBecause" is not null
        order by t.s_code, t."termEndsOn", t.code`;
      for (const i of items) delete (i as { s_code?: string }).s_code;
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
      const items = await sql<z.infer<typeof overdueTermSchema>[]>`
        select o.code, o.name, s.code as "supervisorCode", s.name as "supervisorName", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
               (${today}::date - o.term_ends_on)::int as "daysOverdue", to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
               o.secretary_name as "secretaryName", ${electionStep(sql)} as "electionStep"
        from organizations o join organizations s on s.id = o.parent_id
        where ${inScope(sql, req.principal, 'o')} and o.type <> 'unit' and ${termLate(sql, today)}
        order by o.term_ends_on, o.code`;
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
      const b = req.body;
      return sql.begin(async (tx) => {
        const [before] = await tx<{ election_body_declared: string | null; delegates: number | null; term_ordinal: number | null; type: string }[]>`
          select election_body_declared, delegates, term_ordinal, type from organizations where id = ${scoped.id} for update`;
        const old = { election_body_declared: before!.election_body_declared, delegates: before!.delegates, term_ordinal: before!.term_ordinal };
        const now = {
          election_body_declared: b.electionBody === undefined ? old.election_body_declared : b.electionBody,
          delegates: b.delegates === undefined ? old.delegates : b.delegates,
          term_ordinal: b.termOrdinal === undefined ? old.term_ordinal : b.termOrdinal,
        };
        if (before!.type === 'unit' && now.election_body_declared !== null) {
          throw new HttpError(422, 'rule_violation', 'a unit has no Party organization, so no committee to elect', {
            rule: 'election-body',
            field: 'body.electionBody',
          });
        }
        if (now.election_body_declared === 'delegates_conference' && now.delegates === null) {
          throw new HttpError(422, 'rule_violation', 'a delegates’ conference needs the number of its delegates: they, not the members, are entitled to vote', {
            rule: 'delegates',
            field: 'body.delegates',
          });
        }
        const [after] = await tx<{ election_body: z.infer<typeof electionRegisterSchema>['electionBody'] }[]>`
          update organizations set election_body_declared = ${now.election_body_declared}, delegates = ${now.delegates}, term_ordinal = ${now.term_ordinal}, updated_at = now()
          where id = ${scoped.id} returning election_body`;
        if (JSON.stringify(old) !== JSON.stringify(now)) {
          await tx`
            insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
            values (${scoped.id}, ${scoped.code}, ${req.principal.username}, now(), 'election-register', ${tx.json(old)}, ${tx.json({ ...now, reason: b.reason ?? null })})`;
        }
        return {
          code: scoped.code,
          electionBody: after!.election_body,
          declared: now.election_body_declared as z.infer<typeof electionRegisterSchema>['declared'],
          delegates: now.delegates,
          termOrdinal: now.term_ordinal,
        };
      });
    },
  );
};

export default terms;
