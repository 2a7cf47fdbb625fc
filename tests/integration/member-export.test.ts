import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';

// GET /organizations/{code}/members.xlsx: the register page's search and filters as a file, masked unless `reveal`
// asks and the role may (each value written audited), every cell spreadsheet-safe, 404 outside the caller's subtree.

const HEADER = '姓名,性别,民族,出生日期,学历,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话,工作岗位,党员状态';
const freshId = () =>
  withCheckDigit(
    `420102${1950 + Math.floor(Math.random() * 30)}0${1 + Math.floor(Math.random() * 9)}1${Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`,
  );

describe('the register as an XLSX file', () => {
  let s: Stack;
  const [county, branch, other] = [uniqueCode('EC'), uniqueCode('EB'), uniqueCode('EX')];
  const ids = [freshId(), freshId()];
  let organizer: { authorization: string; username: string };
  let secretary: { authorization: string; username: string };
  let stranger: { authorization: string };
  const xlsx = async (who: { authorization: string }, query = '') => {
    const r = await s.app.inject({ method: 'GET', url: `/api/v1/organizations/${branch}/members.xlsx${query}`, headers: { authorization: who.authorization } });
    if (r.statusCode !== 200) return { status: r.statusCode, rows: [] as unknown[][] };
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.rawPayload as never);
    const rows: unknown[][] = [];
    book.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return { status: r.statusCode, rows, disposition: r.headers['content-disposition'] };
  };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(county, '', committee), orgRow(branch, county, { name: `导出测试村${branch}` }), orgRow(other, '', committee)]);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    stranger = await s.userWith([{ role: 'organizer', org: other }]);
    const file = [
      HEADER,
      `张三丰,男,汉族,,大学本科,${ids[0]},2001-07-01,2002-07-01,正式党员,${branch},13800138000,"=HYPERLINK(""http://evil.example/"",""点击"")",正常`,
      `李秀英,女,汉族,,大专,${ids[1]},2024-06-30,,预备党员,${branch},13912345678,农民,正常`,
    ].join('\r\n');
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: file,
    });
    expect(r.statusCode, r.body).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('writes what the page shows, masked, with formulas neutralised', async () => {
    const { status, rows, disposition } = await xlsx(secretary);
    expect(status).toBe(200);
    expect(disposition).toMatch(/attachment; filename="members-/);
    expect(rows[0]).toEqual(['姓名', '性别', '人员类别', '党员状态', '状态起始日期', '入党日期', '转正日期', '联系电话', '身份证号', '工作岗位', '所在党组织']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['张三丰', '李秀英']);
    const zhang = rows[1]!;
    expect(zhang.slice(1, 4)).toEqual(['男', '正式党员', '正常']);
    expect(zhang[7]).toBe('138****8000');
    expect(zhang[8]).toBe(`${ids[0]!.slice(0, 4)}${'*'.repeat(10)}${ids[0]!.slice(-4)}`);
    // An imported text that a spreadsheet would run is written as text.
    expect(zhang[9]).toBe(`'=HYPERLINK("http://evil.example/","点击")`);
    // The page's search and filters.
    expect((await xlsx(secretary, '?q=lxy')).rows.map((r) => r[0])).toEqual(['姓名', '李秀英']);
    expect((await xlsx(secretary, '?category=full')).rows.map((r) => r[0])).toEqual(['姓名', '张三丰']);
    expect(await s.sql`select 1 from personal_data_reads where actor = ${secretary.username}`).toHaveLength(0);
  });

  it('unmasks only what the role may, auditing each value written', async () => {
    const phones = await xlsx(secretary, '?reveal=phone');
    expect(phones.rows.slice(1).map((r) => r[7])).toEqual(['13800138000', '13912345678']);
    const reads = await s.sql<{ field: string; purpose: string }[]>`select field, purpose from personal_data_reads where actor = ${secretary.username}`;
    expect(reads.map((r) => r.field)).toEqual(['phone', 'phone']);
    expect(reads[0]!.purpose).toBe(`register export of ${branch}`);
    expect((await xlsx(secretary, '?reveal=idNumber')).status).toBe(403);
    const full = await xlsx(organizer, '?reveal=idNumber,phone');
    expect(full.rows.slice(1).map((r) => r[8])).toEqual(ids);
    expect((await xlsx(stranger)).status).toBe(404);
  });
});
