// A branch's register as an XLSX file: what the register page shows (the same search and filters), every page of
// it, for the office that keeps a paper or spreadsheet copy.
//
// Scope and personal data as in GET /organizations/{code}/members (members.ts): 404 outside the caller's subtree,
// values masked unless `reveal` asks and the role may (src/domain/members.ts personalDataRoles), every unmasked value
// written into the file audited like a read. Each cell is a plain value made spreadsheet-safe (spreadsheet-safe.ts):
// names and occupations come from imported files.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { genderWords, memberCategories, memberCategoryWords, memberStatuses, memberStatusWords, personalDataRoles } from '../../domain/members.js';
import { loadPersonalDataKey } from '../../members/personal-data.js';
import { listMembers, unmasked, type MemberSummary, type PersonalField } from '../../members/store.js';
import { revealQuery } from '../../members/schemas.js';
import { HttpError } from '../errors.js';
import { XLSX } from '../export.js';
import { organizationInScope, requireRole } from '../scope.js';
import { spreadsheetCell } from '../spreadsheet-safe.js';

/** A register of a branch holds hundreds; a file above this is refused (413) rather than built in memory. */
export const MEMBER_EXPORT_MAX_ROWS = 50_000;
const PAGE = 1_000;
/** The file's columns: the member system's own Chinese headers, so the file reads like the export it came from. */
const columns: { header: string; width: number; value: (m: MemberSummary) => unknown }[] = [
  { header: '姓名', width: 12, value: (m) => m.name },
  { header: '性别', width: 6, value: (m) => genderWords[m.gender as keyof typeof genderWords]?.['zh-CN'] ?? m.gender },
  { header: '人员类别', width: 10, value: (m) => memberCategoryWords[m.category]['zh-CN'] },
  { header: '党员状态', width: 10, value: (m) => memberStatusWords[m.status]['zh-CN'] },
  { header: '状态起始日期', width: 12, value: (m) => m.statusSince },
  { header: '入党日期', width: 12, value: (m) => m.joinedOn },
  { header: '转正日期', width: 12, value: (m) => m.fullOn },
  { header: '联系电话', width: 14, value: (m) => m.phone },
  { header: '身份证号', width: 22, value: (m) => m.idNumber },
  { header: '工作岗位', width: 16, value: (m) => m.occupation },
  { header: '所在党组织', width: 30, value: (m) => m.organization.name },
];

const memberExport: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  const key = loadPersonalDataKey(app.config);

  app.get(
    '/organizations/:code/members.xlsx',
    {
      schema: {
        tags: ['members'],
        description:
          'An organization’s register as an XLSX file, with the search and filters of GET /organizations/{code}/members (every page). ' +
          'Personal data masked unless `reveal` asks and the role may; each unmasked value written is audited.',
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({
          q: z.string().trim().min(1).max(32).optional(),
          status: z.enum(memberStatuses).optional(),
          category: z.enum(memberCategories).optional(),
          reveal: revealQuery,
        }),
        response: { 200: { description: 'the register as an XLSX file', content: { [XLSX]: { schema: z.string() } } } },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const org = await organizationInScope(sql, p, req.params.code);
      const fields = [...new Set((req.query.reveal ?? '').split(',').filter(Boolean))] as PersonalField[];
      for (const f of fields) requireRole(p, org.path, personalDataRoles[f]);

      const rows: MemberSummary[] = [];
      let after: { name: string; id: number } | undefined;
      for (;;) {
        const page = await listMembers(sql, {
          organizationId: org.id,
          q: req.query.q,
          status: req.query.status,
          category: req.query.category,
          afterName: after,
          limit: PAGE,
        });
        rows.push(...page);
        if (rows.length > MEMBER_EXPORT_MAX_ROWS)
          throw new HttpError(413, 'too_large', `more than ${MEMBER_EXPORT_MAX_ROWS} members: narrow the search or filter by status`);
        const last = page[page.length - 1];
        if (page.length < PAGE || !last) break;
        after = { name: last.name, id: last.id };
      }
      let shown = rows;
      if (fields.length && rows.length) {
        const actor = p.onBehalfOf ? `${p.username} for ${p.onBehalfOf}` : p.username;
        const plain = await unmasked(
          sql,
          key,
          rows.map((r) => r.id),
          fields,
          actor,
          `register export of ${org.code}`,
        );
        shown = rows.map((r) => ({ ...r, ...plain.get(r.id) }));
      }

      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('党员名册');
      sheet.columns = columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width }));
      // Each cell a plain value, text neutralised (spreadsheet-safe.ts): never a formula or a link.
      sheet.addRows(shown.map((m) => Object.fromEntries(columns.map((c, i) => [String(i), spreadsheetCell(c.value(m))]))));
      // An ASCII name (the code) for every client, and the organization's name for those that read RFC 5987.
      const name = `members-${org.code}.xlsx`;
      reply
        .header('content-type', XLSX)
        .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(`党员名册-${org.code}.xlsx`)}`);
      // The file bypasses the JSON serializer: the 200 schema documents the content type only.
      return (reply as FastifyReply).send(Buffer.from(await book.xlsx.writeBuffer()));
    },
  );
};

export default memberExport;
