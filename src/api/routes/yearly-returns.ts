import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';
import { allows, scopeRoots, type Principal } from '../../auth/principal.js';
import { steeringRoles, type Role } from '../../domain/roles.js';
import type { importRowErrorSchema } from '../schemas.js';
import { missingReturnsSchema, yearlyReturnBodySchema, yearlyReturnSchema } from '../../yearly-returns/schemas.js';
import { filedReturn, filersByCode, writeReturns, type Filer } from '../../yearly-returns/store.js';
import { missingReturns, requireYearBegun, returnDueOn } from '../missing-returns.js';
import { nudgeRoles } from './nudges.js';
import { returnFieldErrors, returnKindOf, returnRulesFor, type YearlyReturn } from '../../domain/assessment.js';
import { shanghaiDate } from '../../domain/dates.js';
import { SHEET_TYPES, XLSX_TYPE, sheetRows } from '../uploads.js';
import { MAX_LISTED_ERRORS } from '../../organizations/import/import.js';
import type { Sql } from '../../db/client.js';

/** Who files or corrects a return: the organization's secretary, or the people of a committee above it. */
const WRITERS: readonly Role[] = [...steeringRoles, 'secretary'];
/** One row per organization of a county at most: a few thousand rows; a province's file is split by county. */
const UPLOAD_MAX_BYTES = 5 * 1024 * 1024;
const UPLOAD_LIMITS = { maxBytes: UPLOAD_MAX_BYTES, maxRows: 50_000, timeoutMs: 60_000 };

const code = z.string().min(1).max(64);
const year = z.coerce.number().int().min(2000).max(2100);

type Body = z.infer<typeof yearlyReturnBodySchema>;
type RowError = z.infer<typeof importRowErrorSchema>;

/** The CSV/XLSX columns: the API's field names in snake_case, or their Chinese labels. */
const columnOf: Record<string, keyof YearlyReturn> = {
  activists_trained: 'activistsTrained',
  reserve_cadres: 'reserveCadres',
  funding: 'funding',
  households: 'households',
  member_funding: 'memberFunding',
  student_members: 'studentMembers',
  venue_sqm: 'venueSqm',
  central_district: 'centralDistrict',
  committee_members_under_35: 'committeeMembersUnder35',
  培养入党积极分子数: 'activistsTrained',
  后备干部人选数: 'reserveCadres',
  经费: 'funding',
  户数: 'households',
  党员活动经费: 'memberFunding',
  学生党员数: 'studentMembers',
  活动场所面积: 'venueSqm',
  中心城区: 'centralDistrict',
  '35岁以下班子成员数': 'committeeMembersUnder35',
};
const codeColumns = new Set(['code', '编码']);
const snake = Object.fromEntries(
  Object.entries(columnOf)
    .filter(([k]) => /^[a-z]/.test(k))
    .map(([k, v]) => [v, k]),
) as Record<keyof YearlyReturn, string>;

/** A cell as the body's JSON value: empty is null; numbers and yes/no as typed in Chinese offices. */
function cellValue(field: keyof YearlyReturn, cell: string): unknown {
  const t = cell.trim();
  if (t === '') return null;
  if (field === 'centralDistrict')
    return ({ true: true, false: false, 是: true, 否: false, '1': true, '0': false } as Record<string, boolean>)[t.toLowerCase()] ?? t;
  const n = Number(t.replace(/,/g, ''));
  return Number.isFinite(n) ? n : t;
}

type Target = Filer;

async function targetOf(sql: Sql, p: Principal, organization: string): Promise<Target> {
  const t = (await filersByCode(sql, [organization])).get(organization);
  if (!t || !allows(p, t.path)) throw notFound(`organization ${organization}`);
  return t;
}

// The yearly return 年报 (domain.md §4.6): the figures of a year the assessment scores and orglife holds nowhere
// else, filed per organization (PUT) or for many at once from a county's spreadsheet (POST …/import).
const yearlyReturns: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  // The spreadsheet reaches the handler as a stream: readRows tells CSV (UTF-8 or GBK) from XLSX by content.
  app.addContentTypeParser(SHEET_TYPES, (_req, payload, done) => done(null, payload));

  const read = async (t: Target, y: number, organization: string): Promise<z.infer<typeof yearlyReturnSchema>> => {
    const r = await filedReturn(sql, t.id, y, organization);
    if (!r) throw notFound(`the ${y} return of ${organization}`);
    return r;
  };

  const fieldErrors = (t: Target, b: Body, y: number) =>
    returnFieldErrors(returnKindOf(t), b, returnRulesFor(y)).map((e) => ({ field: e.field ? `body.${e.field}` : 'params.code', message: e.message }));

  app.put(
    '/organizations/:code/returns/:year',
    {
      schema: {
        tags: ['assessments'],
        summary: "file or correct an organization's yearly return (年报); the secretary, or a committee above it",
        description:
          'Villages file activistsTrained (until 2026: from 2027 the activists are read from the 发展党员 cases), reserveCadres and ' +
          'funding; communities funding, households, memberFunding, venueSqm, centralDistrict and committeeMembersUnder35; university ' +
          "branches studentMembers and memberFunding. Every figure of the organization's kind for the year is required and the others " +
          'are refused (400, naming the field). Replaces an earlier return of the year.',
        params: z.object({ code, year }),
        body: yearlyReturnBodySchema,
        response: { 200: yearlyReturnSchema },
      },
    },
    async (req) => {
      const { code: organization, year: y } = req.params;
      requireYearBegun(y);
      const t = await targetOf(sql, req.principal, organization);
      requireRole(req.principal, t.path, WRITERS);
      const errors = fieldErrors(t, req.body, y);
      if (errors.length) throw new HttpError(400, 'invalid_request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
      await writeReturns(sql, [{ t, body: req.body }], y, req.principal.username);
      return read(t, y, organization);
    },
  );

  app.get(
    '/organizations/:code/returns/:year',
    {
      schema: {
        tags: ['assessments'],
        summary: "an organization's yearly return (年报), with who filed it last and when",
        params: z.object({ code, year }),
        response: { 200: yearlyReturnSchema },
      },
    },
    async (req) => read(await targetOf(sql, req.principal, req.params.code), req.params.year, req.params.code),
  );

  app.get(
    '/returns/:year/missing',
    {
      schema: {
        tags: ['assessments'],
        summary: 'the missing filers (年报未报): organizations of the caller’s subtree that file a yearly return and have none for the year',
        description:
          'For organizers and supervisors; `org` narrows to one subtree (404 outside the caller’s). Each with the secretaries a 催报 (POST /returns/{year}/nudges) reaches and how often they were nudged.',
        params: z.object({ year }),
        querystring: z.object({ org: code.optional() }),
        response: { 200: missingReturnsSchema },
      },
    },
    async (req) => {
      const y = req.params.year;
      requireYearBegun(y);
      const roots = scopeRoots(req.principal, nudgeRoles);
      if (roots.length === 0) throw new HttpError(403, 'forbidden', `the missing filers are for the roles ${nudgeRoles.join(', ')}`);
      const under = req.query.org ? (await organizationInScope(sql, req.principal, req.query.org)).path : undefined;
      const dueOn = returnDueOn(y);
      const items = await missingReturns(sql, roots, y, under);
      return { year: y, dueOn, overdue: shanghaiDate(Date.now()) > dueOn, items: items.map(({ id: _id, secretaryIds: _ids, ...i }) => i) };
    },
  );

  app.post(
    '/returns/:year/import',
    {
      bodyLimit: UPLOAD_MAX_BYTES,
      schema: {
        tags: ['assessments'],
        summary: "file many organizations' yearly returns from one CSV or XLSX; all or nothing",
        description:
          'Columns: code, then activists_trained, reserve_cadres, funding, households, member_funding, student_members, venue_sqm, ' +
          'central_district, committee_members_under_35 (or their Chinese labels); an empty cell is a figure not filed. Each row is ' +
          'checked as the PUT checks one return; any error rejects the file with every error by row and column (422; 404 when a ' +
          'code is unknown or outside the caller’s subtree, 403 when the caller may not file for it).',
        consumes: ['text/csv', XLSX_TYPE],
        params: z.object({ year }),
        response: { 200: z.object({ filed: z.number() }) },
      },
    },
    async (req) => {
      const y = req.params.year;
      requireYearBegun(y);
      // Refused before the file is read: a caller who files no return anywhere.
      if (scopeRoots(req.principal, WRITERS).length === 0) throw new HttpError(403, 'forbidden', `filing returns needs the role ${WRITERS.join(' or ')}`);
      const [head, ...data] = await app.uploadSlot(() => sheetRows(req.body, UPLOAD_LIMITS));
      const header = (head?.cells ?? []).map((c) => c.trim());
      const codeAt = header.findIndex((h) => codeColumns.has(h));
      const unknown = header.filter((h, i) => i !== codeAt && h !== '' && !(h in columnOf));
      if (codeAt < 0 || unknown.length) {
        const message = codeAt < 0 ? 'the header needs a code column' : `unknown columns: ${unknown.join(', ')}`;
        throw new HttpError(400, 'invalid_file', message, [{ row: 1, column: codeAt < 0 ? 'code' : unknown[0]!, message }]);
      }

      const rows = data.filter((r) => !r.cells.every((c) => c.trim() === ''));
      const rules = returnRulesFor(y);
      // Every organization of the file in one query, not one a row.
      const targets = await filersByCode(sql, [...new Set(rows.map((r) => (r.cells[codeAt] ?? '').trim()))]);
      const errors: (RowError & { status: 403 | 404 | 422 })[] = [];
      const accepted: { t: Target; body: Body }[] = [];
      const seen = new Set<string>();
      for (const r of rows) {
        const organization = (r.cells[codeAt] ?? '').trim();
        if (seen.has(organization)) {
          errors.push({ status: 422, row: r.row, column: 'code', message: `${organization} appears twice` });
          continue;
        }
        seen.add(organization);
        const raw: Record<string, unknown> = {};
        header.forEach((h, i) => {
          const f = columnOf[h];
          if (f && i !== codeAt) raw[f] = cellValue(f, r.cells[i] ?? '');
        });
        const t = targets.get(organization);
        // Outside the caller's subtree an organization does not exist, as everywhere in the API.
        if (!t || !allows(req.principal, t.path)) {
          errors.push({ status: 404, row: r.row, column: 'code', message: `organization ${organization} not found` });
          continue;
        }
        if (!allows(req.principal, t.path, WRITERS)) {
          errors.push({ status: 403, row: r.row, column: 'code', message: `filing for ${organization} needs the role ${WRITERS.join(' or ')}` });
          continue;
        }
        const parsed = yearlyReturnBodySchema.safeParse(raw);
        if (!parsed.success) {
          for (const i of parsed.error.issues)
            errors.push({ status: 422, row: r.row, column: snake[i.path[0] as keyof YearlyReturn] ?? 'code', message: i.message });
          continue;
        }
        const wrong = returnFieldErrors(returnKindOf(t), parsed.data, rules);
        for (const e of wrong) errors.push({ status: 422, row: r.row, column: e.field ? snake[e.field] : 'code', message: e.message });
        if (!wrong.length) accepted.push({ t, body: parsed.data });
      }
      if (errors.length) {
        // The gravest refusal answers for the file; every error is listed with its row and column.
        const status = errors.some((e) => e.status === 404) ? 404 : errors.some((e) => e.status === 403) ? 403 : 422;
        const codes = { 404: 'not_found', 403: 'forbidden', 422: 'invalid_rows' } as const;
        const more = errors.length > MAX_LISTED_ERRORS ? ` (the first ${MAX_LISTED_ERRORS} are listed)` : '';
        throw new HttpError(
          status,
          codes[status],
          `${errors.length} error(s)${more}; nothing was filed`,
          errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ row: e.row, column: e.column, message: e.message })),
        );
      }
      await writeReturns(sql, accepted, y, req.principal.username);
      return { filed: accepted.length };
    },
  );
};

export default yearlyReturns;
