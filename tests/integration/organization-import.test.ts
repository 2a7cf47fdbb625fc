import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { startStack, uniqueCode, type Stack } from '../helpers/context.js';

const HEADER = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members';
const CN_HEADER = '编码,上级编码,名称,类型,领域,任期年限,本届开始日期,书记,书记电话,正式党员数,预备党员数';

type Cells = [string, string, string, string?, string?, string?, string?, string?, string?, string?, string?];
const line = ([
  code,
  parent,
  name,
  type = 'branch',
  sector = 'rural',
  years = '5',
  started = '2023-03-01',
  sec = '李明',
  phone = '13900000000',
  full = '20',
  prob = '1',
]: Cells) => [code, parent, name, type, sector, years, started, sec, phone, full, prob].join(',');
const csv = (rows: Cells[], header = HEADER) => `${[header, ...rows.map(line)].join('\r\n')}\r\n`;

describe('organization import', () => {
  let s: Stack;
  const P = uniqueCode('I');
  const root = `${P}R`;
  const county = `${P}C1`;
  const township = `${P}T1`;
  const otherCounty = `${P}C2`;

  const post = (body: string | Buffer, headers: Record<string, string> = {}, url = '/api/v1/organizations/import') =>
    s.app.inject({ method: 'POST', url, payload: body, headers: { authorization: s.admin.authorization, 'content-type': 'text/csv', ...headers } });
  const countUnder = async (prefix: string) => {
    const [r] = await s.sql<{ n: number }[]>`select count(*)::int as n from organizations where code like ${`${prefix}%`}`;
    return r!.n;
  };

  beforeAll(async () => {
    s = await startStack();
    const r = await post(
      csv([
        [root, '', '中共测试省委员会', 'committee', 'regional'],
        [county, root, '中共测试县委员会', 'committee', 'regional'],
        [township, county, '中共测试镇委员会', 'committee', 'regional'],
        [`${P}V1`, township, '中共测试镇东风村支部委员会'],
        [`${P}V2`, township, '中共测试镇红旗村支部委员会'],
        [otherCounty, root, '中共另一县委员会', 'committee', 'regional'],
        [`${P}V3`, otherCounty, '中共另一县青山村支部委员会'],
        [`${P}U1`, township, '测试科技有限公司', 'unit', 'nonpublic', '', '', '', '', '4', '0'],
      ]),
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ created: 8, updated: 0, unchanged: 0, routed: [], refused: [] });
  });
  afterAll(async () => s?.close());

  const malformed: [string, Cells[], { row: number; column: string; message: RegExp }][] = [
    ['unknown parent', [[`${P}X1`, `${P}NOPE`, '甲']], { row: 2, column: 'parent_code', message: /unknown parent_code/ }],
    [
      'duplicate code',
      [
        [`${P}X1`, township, '甲'],
        [`${P}X1`, township, '乙'],
      ],
      { row: 3, column: 'code', message: /appears again \(first on row 4\)/ },
    ],
    ['impossible date', [[`${P}X1`, township, '甲', 'branch', 'rural', '5', '2023-02-30']], { row: 2, column: 'term_started_on', message: /not a date/ }],
    ['unknown type', [[`${P}X1`, township, '甲', 'cell']], { row: 2, column: 'type', message: /unknown type/ }],
    ['unknown sector', [[`${P}X1`, township, '甲', 'branch', 'farm']], { row: 2, column: 'sector', message: /unknown sector/ }],
    [
      'negative count',
      [[`${P}X1`, township, '甲', 'branch', 'rural', '5', '2023-01-01', '', '', '-3']],
      { row: 2, column: 'full_members', message: /negative/ },
    ],
    ['bad term_years', [[`${P}X1`, township, '甲', 'branch', 'rural', '0']], { row: 2, column: 'term_years', message: /1 to 10/ }],
    [
      'cycle',
      [
        [`${P}X1`, `${P}X2`, '甲'],
        [`${P}X2`, `${P}X1`, '乙'],
      ],
      { row: 2, column: 'parent_code', message: /cycle/ },
    ],
  ];

  it.each(malformed)('rejects a file with %s whole, naming row and column, writing nothing', async (_kind, rows, expected) => {
    const before = await countUnder(P);
    // A valid row and a change to a stored one ride along: neither may be written.
    const r = await post(csv([[`${P}OK`, township, '正常支部'], [`${P}V1`, township, '改名不应生效'], ...rows]));
    expect(r.statusCode, r.body).toBe(422);
    const details = r.json().error.details as { row: number; column: string; message: string }[];
    const hit = details.find((d) => d.column === expected.column && d.row === expected.row + 2);
    expect(hit, JSON.stringify(details)).toBeDefined();
    expect(hit!.message).toMatch(expected.message);
    expect(await countUnder(P)).toBe(before);
    const [v1] = await s.sql`select name from organizations where code = ${`${P}V1`}`;
    expect(v1!.name).toBe('中共测试镇东风村支部委员会');
  });

  it('lists every error of a file, not only the first', async () => {
    const r = await post(csv([[`${P}X1`, township, '', 'cell', 'farm', '11', '2023-13-01', '', 'x', '-1', 'a']]));
    expect(r.statusCode).toBe(422);
    const cols = (r.json().error.details as { column: string }[]).map((d) => d.column).sort();
    expect(cols).toEqual(['full_members', 'name', 'probationary_members', 'secretary_phone', 'sector', 'term_started_on', 'term_years', 'type']);
  });

  it('answers an upload over a real socket at once (the request stream is not walked as if it were data)', async () => {
    // The NUL-character guard once walked the raw request stream (socket, server, ...) and spun at full CPU.
    const address = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const r = await fetch(`${address}/api/v1/organizations/import`, {
      method: 'POST',
      headers: { authorization: s.admin.authorization, 'content-type': 'text/csv' },
      body: csv([[`${P}X1`, 'NO-SUCH-PARENT', '坏行']]),
      signal: AbortSignal.timeout(30_000),
    });
    expect(r.status).toBe(422); // row errors, as for an injected request
    expect(JSON.stringify(await r.json())).toContain('parent');
  });

  it('refuses a NUL character in a query parameter with 400 naming it (found by schemathesis as a 500)', async () => {
    for (const url of ['/api/v1/units?under=%00j', '/api/v1/training/coverage?org=a%00b']) {
      const r = await s.app.inject({ method: 'GET', url, headers: { authorization: s.admin.authorization } });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.details[0].field).toMatch(/^querystring\.(under|org)$/);
    }
  });

  it('refuses a file without the required columns (400) and an empty body', async () => {
    const r = await post('code,name\r\nA,b\r\n');
    expect(r.statusCode).toBe(400);
    expect((r.json().error.details as { column: string }[]).map((d) => d.column).sort()).toEqual(['parent_code', 'sector', 'type']);
    expect((await post('')).statusCode).toBe(400);
  });

  it('reads GBK (as Chinese Excel saves CSV), a UTF-8 BOM, Chinese headers and Chinese labels', async () => {
    const gbk = iconv.encode(csv([[`${P}G1`, township, '中共测试镇光明村支部委员会', '党支部', '农村', '5', '2022/7/1']], CN_HEADER), 'gbk');
    const r1 = await post(gbk);
    expect(r1.statusCode, r1.body).toBe(200);
    const [g] = await s.sql`select name, type, sector, to_char(term_started_on, 'YYYY-MM-DD') as started from organizations where code = ${`${P}G1`}`;
    expect(g).toEqual({ name: '中共测试镇光明村支部委员会', type: 'branch', sector: 'rural', started: '2022-07-01' });

    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(csv([[`${P}B1`, township, '中共测试镇幸福社区支部委员会', 'branch', 'community']])),
    ]);
    const r2 = await post(bom);
    expect(r2.statusCode, r2.body).toBe(200);
    expect(r2.json().created).toBe(1);
  });

  it('reads XLSX, dates and numbers as Excel stores them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('组织');
    ws.addRow(CN_HEADER.split(','));
    ws.addRow([`${P}XL1`, township, '中共测试镇新华村支部委员会', 'branch', 'rural', 5, new Date(Date.UTC(2021, 4, 20)), '王芳', 13700000000, 33, 2]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await post(buf, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(r.statusCode, r.body).toBe(200);
    const [x] =
      await s.sql`select to_char(term_started_on, 'YYYY-MM-DD') as started, secretary_phone, full_members from organizations where code = ${`${P}XL1`}`;
    expect(x).toEqual({ started: '2021-05-20', secretary_phone: '13700000000', full_members: 33 });
  });

  it('re-imports the same file as unchanged, updates a changed row in place and audits it', async () => {
    const file = csv([
      [`${P}RE1`, township, '中共测试镇柳林村支部委员会'],
      [`${P}RE2`, `${P}RE1`, '柳林村第一党小组支部'],
    ]);
    expect((await post(file)).json()).toMatchObject({ created: 2, updated: 0, unchanged: 0, routed: [], refused: [] });
    expect((await post(file)).json()).toMatchObject({ created: 0, updated: 0, unchanged: 2, routed: [], refused: [] });
    const [{ id }] = [...(await s.sql<{ id: number }[]>`select id from organizations where code = ${`${P}RE1`}`)] as [{ id: number }];
    const changed = csv([
      [`${P}RE1`, township, '中共测试镇柳林村支部委员会', 'branch', 'rural', '5', '2023-03-01', '赵强', '13911111111', '25'],
      [`${P}RE2`, `${P}RE1`, '柳林村第一党小组支部'],
    ]);
    expect((await post(changed)).json()).toMatchObject({ created: 0, updated: 1, unchanged: 1, routed: [], refused: [] });
    const [after] = await s.sql`select id, secretary_name, full_members from organizations where code = ${`${P}RE1`}`;
    expect(after).toEqual({ id, secretary_name: '赵强', full_members: 25 });
    const audit = await s.sql`select changed_by, before, after from organization_changes where organization_id = ${id}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ secretary_name: '李明', full_members: 20 });
    expect(audit[0]!.after).toMatchObject({ secretary_name: '赵强', full_members: 25 });
    // The secretary appointment follows: the old one ended, the new one current.
    const appts = await s.app.inject({ url: `/api/v1/organizations/${P}RE1/appointments?all=true`, headers: s.admin });
    const items = appts.json().items as { person: { name: string }; role: string; endsOn: string | null }[];
    expect(items.filter((a) => a.endsOn === null).map((a) => a.person.name)).toEqual(['赵强']);
    expect(items.filter((a) => a.endsOn !== null).map((a) => a.person.name)).toEqual(['李明']);
  });

  it('moves an organization to another parent and rewrites the paths of its whole subtree', async () => {
    await post(
      csv([
        [`${P}M1`, township, '中共搬迁村支部委员会', 'general_branch'],
        [`${P}M2`, `${P}M1`, '搬迁村第一支部'],
        [`${P}M3`, `${P}M2`, '搬迁村小组'],
      ]),
    );
    const r = await post(csv([[`${P}M1`, otherCounty, '中共搬迁村支部委员会', 'general_branch']]));
    expect(r.json()).toMatchObject({ created: 0, updated: 1, unchanged: 0, routed: [], refused: [] });
    const rows = await s.sql<{ code: string; ok: boolean }[]>`
      select c.code, c.path = p.path || c.id::text as ok from organizations c join organizations p on p.id = c.parent_id
      where c.code in (${`${P}M1`}, ${`${P}M2`}, ${`${P}M3`})`;
    expect(rows.every((x) => x.ok)).toBe(true);
    const [m3] =
      await s.sql`select m3.path <@ oc.path as under from organizations m3, organizations oc where m3.code = ${`${P}M3`} and oc.code = ${otherCounty}`;
    expect(m3!.under).toBe(true);
    const audit = await s.sql`select before->>'parent_code' as was, after->>'parent_code' as now from organization_changes where code = ${`${P}M1`}`;
    expect(audit).toEqual([{ was: township, now: otherCounty }]);
  });

  it('keeps an organizer inside its subtree (404) and refuses roles that may not write (403)', async () => {
    const org = await s.userWith([{ role: 'organizer', org: county }]);
    const asOrg = (body: string) => post(body, { authorization: org.authorization });
    const ok = await asOrg(csv([[`${P}OV1`, township, '组织员导入的村支部']]));
    expect(ok.statusCode, ok.body).toBe(200);
    const before = await countUnder(P);
    const outside = await asOrg(csv([[`${P}OV2`, otherCounty, '越权支部']]));
    expect(outside.statusCode).toBe(404);
    expect(outside.json().error.details[0]).toMatchObject({ row: 2, column: 'parent_code' });
    // The same answer as for a parent that exists nowhere: existence outside the subtree is not revealed.
    const nowhere = await asOrg(csv([[`${P}OV2`, `${P}NOWHERE`, '越权支部']]));
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().error.details[0].message.replace(`${P}NOWHERE`, 'X')).toBe(outside.json().error.details[0].message.replace(otherCounty, 'X'));
    const steal = await asOrg(csv([[`${P}V3`, township, '抢来的村']]));
    expect(steal.statusCode).toBe(404);
    const moveOut = await asOrg(csv([[`${P}V1`, otherCounty, '中共测试镇东风村支部委员会']]));
    expect(moveOut.statusCode).toBe(404);
    const rootRow = await asOrg(csv([[`${P}R2`, '', '另一个省']]));
    expect(rootRow.statusCode).toBe(403);
    expect(await countUnder(P)).toBe(before);

    const sec = await s.userWith([{ role: 'secretary', org: `${P}V1` }]);
    expect((await post(csv([[`${P}S1`, `${P}V1`, '书记导入']]), { authorization: sec.authorization })).statusCode).toBe(403);
    const sup = await s.userWith([{ role: 'supervisor', org: county }]);
    expect((await post(csv([[`${P}S1`, township, '上级导入']]), { authorization: sup.authorization })).statusCode).toBe(403);
    expect(await countUnder(P)).toBe(before);
  });

  it('decides villages and communities by the tree, not by the sector word: a township called 农村 stays a township and its villages count (domain.md §2)', async () => {
    const Q = uniqueCode('IS');
    const [prov, city, cty, town, street] = [`${Q}P`, `${Q}M`, `${Q}K`, `${Q}T`, `${Q}S`];
    const r = await post(
      csv([
        [prov, '', '中共测试省委员会', 'committee', 'regional'],
        [city, prov, '中共测试市委员会', 'committee', 'regional'],
        [cty, city, '中共测试县委员会', 'committee', 'regional'],
        // The township and the street carry the sector words of what they lead, as county spreadsheets often do.
        [town, cty, '中共测试镇委员会', 'committee', '农村'],
        [`${Q}V1`, town, '中共测试镇东湖村支部委员会'],
        [`${Q}V2`, town, '中共测试镇西山村总支部委员会', 'general_branch'],
        [`${Q}V2B`, `${Q}V2`, '西山村第一支部委员会'],
        [`${Q}O1`, town, '中共测试镇机关支部委员会', 'branch', 'government', '3'],
        [street, cty, '中共测试街道工作委员会', 'committee', '社区'],
        [`${Q}C1`, street, '中共测试街道南门社区委员会', 'committee', 'community'],
      ]),
    );
    expect(r.statusCode, r.body).toBe(200);
    const inferred = r.json().inferred as { villages: number; communities: number; warnings: { row: number; column: string; message: string }[] };
    // Two villages (the 总支's branch belongs to its village), one community; the township and the street are neither.
    expect(inferred.villages).toBe(2);
    expect(inferred.communities).toBe(1);
    // The rows whose sector word disagrees with their place are named (rows 5 and 10: the township and the street), written all the same.
    expect(inferred.warnings.map((w) => [w.row, w.column])).toEqual([
      [5, 'sector'],
      [10, 'sector'],
    ]);
    expect(inferred.warnings[0]!.message).toMatch(/level 4/);
    const settled = await s.sql<
      { code: string; settlement: string | null }[]
    >`select code, settlement from organizations where code like ${`${Q}%`} order by code`;
    expect(Object.fromEntries(settled.map((o) => [o.code, o.settlement]))).toEqual({
      [prov]: null,
      [city]: null,
      [cty]: null,
      [town]: null,
      [street]: null,
      [`${Q}V1`]: 'village',
      [`${Q}V2`]: 'village',
      [`${Q}V2B`]: null,
      [`${Q}O1`]: null,
      [`${Q}C1`]: 'community',
    });
    // Every layer reads the same: pairing coverage counts the two villages of the county, the organization's page says
    // what it is, the yearly return is a village's (not refused as a township's), and the township files none.
    const coverage = (await s.app.inject({ url: `/api/v1/pairing/coverage?org=${cty}`, headers: s.admin })).json();
    expect(coverage.items).toEqual([expect.objectContaining({ county: cty, villages: 2, paired: 0 })]);
    expect((await s.app.inject({ url: `/api/v1/organizations/${town}`, headers: s.admin })).json()).toMatchObject({ settlement: null });
    expect((await s.app.inject({ url: `/api/v1/organizations/${`${Q}V1`}`, headers: s.admin })).json()).toMatchObject({ settlement: 'village' });
    const year = new Date().getFullYear();
    const village = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/organizations/${Q}V1/returns/${year}`,
      headers: s.admin,
      payload: { activistsTrained: 3, reserveCadres: 4, funding: 20_000 },
    });
    expect(village.statusCode, village.body).toBe(200);
    const townReturn = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/organizations/${town}/returns/${year}`,
      headers: s.admin,
      payload: { activistsTrained: 3, reserveCadres: 4, funding: 20_000 },
    });
    expect(townReturn.statusCode).toBe(400);
    // 两推一选 and a pairing are about the villages, not the township.
    const start = (kind: string, organization: string) =>
      s.app.inject({ method: 'POST', url: `/api/v1/processes/${kind}`, headers: s.admin, payload: { organization, partner: `${Q}O1` } });
    expect((await start('two-recommendations-one-election', town)).statusCode).toBe(400);
    expect((await start('pairing', town)).statusCode).toBe(400);
  });

  it('imports asynchronously: 202 with a job id, then status, progress and result; errors in the job', async () => {
    const r = await post(csv([[`${P}AS1`, township, '异步导入支部']]), {}, '/api/v1/organizations/import?async=true');
    expect(r.statusCode).toBe(202);
    const { jobId } = r.json();
    let job: { status: string; result?: unknown; error?: { details: unknown[] } } = { status: 'queued' };
    for (let i = 0; i < 100; i++) {
      job = (await s.app.inject({ url: `/api/v1/organizations/import/${jobId}`, headers: s.admin })).json();
      if (job.status === 'succeeded' || job.status === 'rejected' || job.status === 'failed') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ created: 1, updated: 0, unchanged: 0, routed: [], refused: [] });

    const bad = await post(csv([[`${P}AS2`, `${P}NOPE`, '坏']]), {}, '/api/v1/organizations/import?async=true');
    const badId = bad.json().jobId;
    for (let i = 0; i < 100; i++) {
      job = (await s.app.inject({ url: `/api/v1/organizations/import/${badId}`, headers: s.admin })).json();
      if (job.status !== 'queued' && job.status !== 'running') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(job.status).toBe('rejected');
    expect(job.error?.details[0]).toMatchObject({ row: 2, column: 'parent_code' });
    const stranger = await s.userWith([{ role: 'organizer', org: county }]);
    expect((await s.app.inject({ url: `/api/v1/organizations/import/${jobId}`, headers: { authorization: stranger.authorization } })).statusCode).toBe(404);
  });

  it('searches names by Chinese substrings of one, two and more characters, within the subtree', async () => {
    const org = await s.userWith([{ role: 'organizer', org: county }]);
    const get = (q: string, h = s.admin) => s.app.inject({ url: `/api/v1/organizations?under=${root}&q=${encodeURIComponent(q)}`, headers: h });
    const codes = async (q: string, h = s.admin) => ((await get(q, h)).json().items as { code: string }[]).map((i) => i.code).sort();
    expect(await codes('东风村')).toEqual([`${P}V1`]);
    expect(await codes('红旗')).toEqual([`${P}V2`]);
    expect(await codes('青')).toContain(`${P}V3`);
    // The organizer of county 1 does not find county 2's village.
    expect(
      (await s.app.inject({ url: `/api/v1/organizations?q=${encodeURIComponent('青山')}`, headers: { authorization: org.authorization } })).json().items,
    ).toEqual([]);
    expect((await s.app.inject({ url: `/api/v1/organizations?under=${otherCounty}`, headers: { authorization: org.authorization } })).statusCode).toBe(404);
    const page1 = (await s.app.inject({ url: `/api/v1/organizations?under=${root}&limit=2`, headers: s.admin })).json();
    const page2 = (await s.app.inject({ url: `/api/v1/organizations?under=${root}&limit=2&cursor=${page1.nextCursor}`, headers: s.admin })).json();
    expect(page2.items[0].code > page1.items[1].code).toBe(true);
  });

  it('serves the term register, units, people and appointments, scoped (404 outside the subtree)', async () => {
    const org = await s.userWith([{ role: 'organizer', org: county }]);
    const h = { authorization: org.authorization };
    const terms = (await s.app.inject({ url: `/api/v1/terms?under=${county}&endsFrom=2028-01-01&endsTo=2028-12-31`, headers: h })).json();
    expect(terms.items.map((t: { code: string }) => t.code)).toContain(`${P}V1`);
    expect(terms.items.every((t: { termEndsOn: string }) => t.termEndsOn.startsWith('2028'))).toBe(true);
    const units = (await s.app.inject({ url: `/api/v1/units?under=${county}`, headers: h })).json();
    expect(units.items).toEqual([expect.objectContaining({ code: `${P}U1`, shouldEstablish: true })]);
    const people = (await s.app.inject({ url: `/api/v1/people?under=${township}`, headers: h })).json();
    expect(people.items.length).toBeGreaterThan(0);
    const appts = (await s.app.inject({ url: `/api/v1/organizations/${P}V2/appointments`, headers: h })).json();
    expect(appts.items).toEqual([expect.objectContaining({ role: 'secretary', person: expect.objectContaining({ name: '李明' }) })]);
    for (const url of [
      `/api/v1/terms?under=${otherCounty}`,
      `/api/v1/units?under=${otherCounty}`,
      `/api/v1/people?under=${otherCounty}`,
      `/api/v1/organizations/${P}V3/appointments`,
      `/api/v1/organizations?under=${root}`,
    ]) {
      expect((await s.app.inject({ url, headers: h })).statusCode, url).toBe(404);
    }
    // Without `under`, lists hold only the caller's subtree.
    const all = (await s.app.inject({ url: '/api/v1/terms?limit=500', headers: h })).json();
    expect(all.items.some((t: { code: string }) => t.code === `${P}V3`)).toBe(false);
    const overdue = (await s.app.inject({ url: `/api/v1/terms?overdue=true&under=${root}`, headers: s.admin })).json();
    expect(overdue.items.every((t: { overdue: boolean }) => t.overdue)).toBe(true);
  });
});
