import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';

// The member register through the API: a member-system export imported (UTF-8, GBK, XLSX), refused whole with row
// and column, re-imported without undoing what orglife recorded; counts from the register; scope and masking, and
// the audit of every unmasked read; a member's own record.

const HEADER = [
  '姓名',
  '性别',
  '民族',
  '出生日期',
  '学历',
  '身份证号',
  '入党日期',
  '转正日期',
  '人员类别',
  '党组织编码',
  '所在党组织',
  '联系电话',
  '工作岗位',
  '党员状态',
];
let seq = 100;
/** A fresh 身份证号 of someone born on `birth` (YYYYMMDD). */
const idNumber = (birth = '19800101') => withCheckDigit(`420102${birth}${String(seq++).padStart(3, '0')}`);
const csv = (rows: string[][], header = HEADER) => [header, ...rows].map((r) => r.join(',')).join('\r\n');

describe('the member register', () => {
  let s: Stack;
  const county = uniqueCode('C');
  const [b1, b2, other] = [uniqueCode('B'), uniqueCode('B'), uniqueCode('X')];
  const names = { [b1]: `中共测试村${b1}支部委员会`, [b2]: `中共测试村${b2}支部委员会` };
  let organizer: { authorization: string; username: string };
  let secretary: { authorization: string; username: string };
  let stranger: { authorization: string };
  const ids = { zhang: idNumber('19750312'), li: idNumber('19900520'), wang: idNumber('19881111'), zhao: idNumber('20000101') };

  const importFile = (who: { authorization: string }, body: string | Buffer, type = 'text/csv') =>
    s.app.inject({ method: 'POST', url: '/api/v1/members/import', headers: { authorization: who.authorization, 'content-type': type }, payload: body });
  const get = (who: { authorization: string }, url: string) =>
    s.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: who.authorization } });

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(county, '', committee),
      orgRow(b1, county, { name: names[b1]!, full_members: 40, probationary_members: 3 }),
      orgRow(b2, county, { name: names[b2]! }),
      orgRow(other, '', committee),
    ]);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    secretary = await s.userWith([{ role: 'secretary', org: b1 }]);
    stranger = await s.userWith([{ role: 'organizer', org: other }]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('imports a GBK export, computes the counts from the register, and masks personal data', async () => {
    const file = csv([
      ['张三丰', '男', '汉族', '1975-03-12', '大学本科', ids.zhang, '2001-07-01', '2002-07-01', '正式党员', b1, '', '13800138000', '村党支部书记', '正常'],
      ['李四', '女', '汉族', '', '大专', ids.li, '2024/6/30', '', '预备党员', '', names[b1]!, '13912345678', '农民', '正常'],
      ['王五', '男', '回族', '32458', '高中', ids.wang, '2012.7.1', '20130701', '正式党员', b1, '', '', '外出务工', '流动'],
    ]);
    const r = await importFile(organizer, iconv.encode(file, 'gbk'));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ created: 3, updated: 0, unchanged: 0, kept: [] });

    // The typed figures (40 / 3) gave way to the register's.
    const org = await get(organizer, `/organizations/${b1}`);
    expect(org.json()).toMatchObject({ fullMembers: 2, probationaryMembers: 1 });

    const list = await get(secretary, `/organizations/${b1}/members`);
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().items as { name: string; idNumber: string; phone: string | null; status: string; category: string }[];
    expect(items.map((m) => m.name).sort()).toEqual(['张三丰', '李四', '王五'].sort());
    const zhang = items.find((m) => m.name === '张三丰')!;
    expect(zhang).toMatchObject({
      idNumber: `${ids.zhang.slice(0, 4)}**********${ids.zhang.slice(-4)}`,
      phone: '138****8000',
      category: 'full',
      status: 'normal',
    });
    expect(items.find((m) => m.name === '王五')).toMatchObject({ status: 'away', phone: null });

    // At rest: neither the number nor the phone is in the database in clear.
    const [row] = await s.sql<
      { t: string }[]
    >`select row_to_json(m)::text as t from members m where m.id_number_masked like ${`${ids.zhang.slice(0, 4)}%${ids.zhang.slice(-4)}`}`;
    expect(row!.t).not.toContain(ids.zhang);
    expect(row!.t).not.toContain('13800138000');

    // Search by pinyin initials and by a part of the name.
    expect((await get(secretary, `/organizations/${b1}/members?q=zsf`)).json().items.map((m: { name: string }) => m.name)).toEqual(['张三丰']);
    expect((await get(secretary, `/organizations/${b1}/members?q=${encodeURIComponent('李')}`)).json().items).toHaveLength(1);
  });

  it('unmasks only for a role that needs it, and audits every value it unmasks', async () => {
    const [zhang] = await s.sql<
      { id: number }[]
    >`select m.id from members m join organizations o on o.id = m.organization_id where m.name = '张三丰' and o.path <@ (select path from organizations where code = ${county})`;
    // The secretary may call members (phone), not read their 身份证号.
    const phones = await get(secretary, `/organizations/${b1}/members?reveal=phone`);
    expect(phones.statusCode, phones.body).toBe(200);
    expect(phones.json().items.find((m: { name: string }) => m.name === '张三丰').phone).toBe('13800138000');
    const refused = await get(secretary, `/members/${zhang!.id}?reveal=idNumber`);
    expect(refused.statusCode).toBe(403);
    const shown = await get(organizer, `/members/${zhang!.id}?reveal=idNumber`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ idNumber: ids.zhang, revealed: ['idNumber'], phone: '138****8000' });

    const reads = await s.sql<{ actor: string; field: string; n: number }[]>`
      select r.actor, r.field, count(*)::int as n from personal_data_reads r join members m on m.id = r.member_id
      where m.organization_id = (select id from organizations where code = ${b1}) group by r.actor, r.field order by r.actor, r.field`;
    // Two phones on the page (王五 has none), one number.
    expect(reads).toEqual(
      [
        { actor: secretary.username, field: 'phone', n: 2 },
        { actor: organizer.username, field: 'idNumber', n: 1 },
      ].sort((a, b) => a.actor.localeCompare(b.actor)),
    );

    // Outside the subtree the member does not exist.
    expect((await get(stranger, `/members/${zhang!.id}`)).statusCode).toBe(404);
    expect((await get(stranger, `/organizations/${b1}/members`)).statusCode).toBe(404);
  });

  it('refuses a file whole, naming row and column', async () => {
    const registered = () =>
      s.sql<
        { n: number }[]
      >`select count(*)::int as n from members m join organizations o on o.id = m.organization_id where o.path <@ (select path from organizations where code = ${county})`;
    const before = await registered();
    const bad = `${ids.zhao.slice(0, 17)}${ids.zhao.endsWith('0') ? '1' : '0'}`;
    const r = await importFile(
      organizer,
      csv([
        ['赵六', '男', '汉族', '', '', bad, '2020-07-01', '2021-07-01', '正式党员', b2, '', '', '', ''],
        ['钱七', '未知', '汉族', '', '', idNumber('19700101'), '2020-07-01', '', '预备党员', b2, '', '12345', '', ''],
        ['孙八', '女', '汉族', '', '', idNumber('19700101'), '2099-07-01', '', '预备党员', b2, '', '', '', '退休'],
      ]),
    );
    expect(r.statusCode, r.body).toBe(422);
    const details = r.json().error.details as { row: number; column: string; message: string }[];
    expect(details.map((d) => [d.row, d.column])).toEqual([
      [2, '身份证号'],
      [3, '性别'],
      [3, '联系电话'],
      [4, '党员状态'],
      [4, '入党日期'],
    ]);
    expect(details[0]!.message).toMatch(/check digit/);
    // An organization outside the subtree, and the same person twice.
    const r2 = await importFile(
      organizer,
      csv([
        ['赵六', '男', '汉族', '', '', ids.zhao, '2020-07-01', '2021-07-01', '正式党员', other, '', '', '', ''],
        ['赵六', '男', '汉族', '', '', ids.zhao, '2020-07-01', '2021-07-01', '正式党员', b2, '', '', '', ''],
      ]),
    );
    expect(r2.statusCode, r2.body).toBe(404);
    expect(r2.json().error.details.map((d: { row: number; column: string }) => [d.row, d.column])).toEqual([
      [2, '党组织编码'],
      [3, '身份证号'],
    ]);
    expect(await registered()).toEqual(before);
  });

  it('re-imports an older file without undoing the status orglife recorded, and imports XLSX with date cells', async () => {
    const [wang] = await s.sql<
      { id: number }[]
    >`select m.id from members m join organizations o on o.id = m.organization_id where m.name = '王五' and o.path <@ (select path from organizations where code = ${county})`;
    const changed = await s.app.inject({
      method: 'POST',
      url: `/api/v1/members/${wang!.id}/status`,
      headers: { authorization: secretary.authorization },
      payload: { status: 'normal', reason: '返乡' },
    });
    expect(changed.statusCode, changed.body).toBe(200);

    // The same export again (王五 still 流动 in it), as an XLSX whose dates are date cells; 李四 moved to b2 by the file.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('党员');
    ws.addRow(HEADER);
    ws.addRow([
      '张三丰',
      '男',
      '汉族',
      new Date(Date.UTC(1975, 2, 12)),
      '研究生',
      ids.zhang,
      new Date(Date.UTC(2001, 6, 1)),
      new Date(Date.UTC(2002, 6, 1)),
      '正式党员',
      b1,
      '',
      '13800138000',
      '村党支部书记',
      '正常',
    ]);
    ws.addRow(['李四', '女', '汉族', '', '大专', ids.li, new Date(Date.UTC(2024, 5, 30)), '', '预备党员', b2, '', '13912345678', '农民', '正常']);
    ws.addRow([
      '王五',
      '男',
      '回族',
      '',
      '高中',
      ids.wang,
      new Date(Date.UTC(2012, 6, 1)),
      new Date(Date.UTC(2013, 6, 1)),
      '正式党员',
      b1,
      '',
      '',
      '外出务工',
      '流动',
    ]);
    const r = await importFile(organizer, Buffer.from(await wb.xlsx.writeBuffer()), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ created: 0, updated: 2, unchanged: 1, kept: [{ row: 4, column: '党员状态' }] });

    const wangNow = await get(organizer, `/members/${wang!.id}`);
    expect(wangNow.json()).toMatchObject({ status: 'normal' });
    expect((await get(organizer, `/organizations/${b1}`)).json()).toMatchObject({ fullMembers: 2, probationaryMembers: 0 });
    expect((await get(organizer, `/organizations/${b2}`)).json()).toMatchObject({ fullMembers: 0, probationaryMembers: 1 });
    const history = await get(secretary, `/members/${wang!.id}/history`);
    expect(history.json().items.map((e: { kind: string }) => e.kind)).toEqual(['registered', 'status-changed']);
    const counts = await get(organizer, `/organizations/${county}/members/counts`);
    expect(counts.json().items).toEqual([
      { status: 'normal', category: 'full', n: 2 },
      { status: 'normal', category: 'probationary', n: 1 },
    ]);
  });

  it('lets a member linked to a user see their own record and nothing else', async () => {
    const [li] = await s.sql<
      { id: number }[]
    >`select m.id from members m join organizations o on o.id = m.organization_id where m.name = '李四' and o.path <@ (select path from organizations where code = ${county})`;
    const member = await s.userWith([]);
    const linked = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/members/${li!.id}/user`,
      headers: { authorization: organizer.authorization },
      payload: { username: member.username },
    });
    expect(linked.statusCode, linked.body).toBe(200);
    const me = await get(member, '/me/member');
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ name: '李四', idNumber: ids.li, phone: '13912345678' });
    const [zhang] = await s.sql<
      { id: number }[]
    >`select m.id from members m join organizations o on o.id = m.organization_id where m.name = '张三丰' and o.path <@ (select path from organizations where code = ${county})`;
    expect((await get(member, `/members/${zhang!.id}`)).statusCode).toBe(404);
    expect((await get(member, `/organizations/${b2}/members`)).statusCode).toBe(404);
  });

  it('registers a member away with where and since when, and ends the period when they are back', async () => {
    const [zhang] = await s.sql<{ id: number }[]>`
      select m.id from members m join organizations o on o.id = m.organization_id where m.name = '张三丰' and o.path <@ (select path from organizations where code = ${county})`;
    const post = (url: string, payload: object) =>
      s.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: secretary.authorization }, payload });
    // Away is registered with its details, not as a bare status.
    const bare = await post(`/members/${zhang!.id}/status`, { status: 'away', reason: '外出' });
    expect(bare.statusCode, bare.body).toBe(422);
    expect(bare.json().error.details).toEqual([{ field: 'body.status', message: 'use /away' }]);
    const future = await post(`/members/${zhang!.id}/away`, { kind: 'away', place: '广东省东莞市', since: '2099-01-01' });
    expect(future.statusCode).toBe(422);
    const away = await post(`/members/${zhang!.id}/away`, { kind: 'away', place: '广东省东莞市', contactName: '张母', contactPhone: '13600000001' });
    expect(away.statusCode, away.body).toBe(201);
    const { workflowId } = away.json();
    expect((await post(`/members/${zhang!.id}/away`, { kind: 'abroad', place: '日本' })).statusCode).toBe(409);
    await eventually(
      'the period away running',
      async () => (await s.sql`select 1 from processes where workflow_id = ${workflowId} and current_step = 'away'`).length > 0,
    );
    expect((await get(secretary, `/members/${zhang!.id}`)).json()).toMatchObject({ status: 'away' });

    const back = await post(`/members/${zhang!.id}/status`, { status: 'normal', reason: '返乡' });
    expect(back.statusCode, back.body).toBe(200);
    await eventually(
      'the period away ended',
      async () => (await s.sql`select 1 from processes where workflow_id = ${workflowId} and status = 'completed'`).length > 0,
    );
    const [period] = await s.sql<{ ended: boolean }[]>`select ended_on is not null as ended from member_away where workflow_id = ${workflowId}`;
    expect(period).toEqual({ ended: true });
  });

  it('registers the period of a member imported as 流动, and leaves the statuses of processes to them', async () => {
    const sun = idNumber('19860606');
    const imported = await importFile(
      organizer,
      csv([['孙流动', '男', '汉族', '1986-06-06', '高中', sun, '2010-07-01', '2011-07-01', '正式党员', b1, '', '', '外出务工', '流动']]),
    );
    expect(imported.statusCode, imported.body).toBe(200);
    const [wang] = await s.sql<{ id: number }[]>`
      select m.id from members m join organizations o on o.id = m.organization_id where m.name = '孙流动' and o.code = ${b1}`;
    const post = (url: string, payload: object) =>
      s.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: secretary.authorization }, payload });
    // The file said 流动 but not where: the record says the period is missing.
    expect((await get(secretary, `/members/${wang!.id}`)).json()).toMatchObject({ status: 'away', awayPeriod: null });
    const away = await post(`/members/${wang!.id}/away`, { kind: 'away', place: '江苏省苏州市', contactName: '王父' });
    expect(away.statusCode, away.body).toBe(201);
    const { workflowId } = away.json();
    await eventually('the period away running', async () => (await s.sql`select 1 from processes where workflow_id = ${workflowId}`).length > 0);
    expect((await get(secretary, `/members/${wang!.id}`)).json()).toMatchObject({
      status: 'away',
      awayPeriod: { kind: 'away', place: '江苏省苏州市', workflowId },
    });
    // Registered now: a second period is refused.
    expect((await post(`/members/${wang!.id}/away`, { kind: 'away', place: '上海' })).statusCode).toBe(409);
    // A transfer out and a cancelled probation are their processes' to record.
    for (const status of ['transferred', 'cancelled']) {
      const r = await post(`/members/${wang!.id}/status`, { status, reason: '试图直接改状态' });
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json().error.details).toEqual([{ field: 'body.status', message: 'set by its process' }]);
    }
    const back = await post(`/members/${wang!.id}/status`, { status: 'normal', reason: '返乡' });
    expect(back.statusCode, back.body).toBe(200);
  });
});
