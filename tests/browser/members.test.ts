import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { addOrganizations, committee, countyChain, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';

// The member register in Chromium against the real stack, each step by a person holding only that step's role: a
// township organizer imports a member-system export in GBK (a refused file's rows and columns first) and reads a
// 身份证号 in full, saying that the read is recorded; the branch secretary, on a phone, finds a member by pinyin
// initials, shows the phones, exports what is shown, records a status change (field errors first) and links the
// member's user; the member signs in on a phone and sees their own record. Screenshots in tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };

const HEADER = ['姓名', '性别', '民族', '出生日期', '学历', '身份证号', '入党日期', '转正日期', '人员类别', '党组织编码', '联系电话', '工作岗位', '党员状态'];
/** A 身份证号 of nobody else in the suite’s database: a birth date (1950–1979: of age at every 入党日期 below) and a sequence drawn at random. */
const freshId = () => {
  const r = (n: number) => Math.floor(Math.random() * n);
  const birth = `${1950 + r(30)}${String(1 + r(12)).padStart(2, '0')}${String(1 + r(28)).padStart(2, '0')}`;
  return withCheckDigit(`420102${birth}${String(r(1000)).padStart(3, '0')}`);
};
const birthOf = (id: string) => `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
const gbkCsv = (rows: string[][]) => iconv.encode([HEADER, ...rows].map((r) => r.join(',')).join('\r\n'), 'gbk');

describe.skipIf('skip' in browser)(`the member register in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-5);
  const chain = countyChain(uniqueCode('MK'), { name: `河东县委${tag}` });
  const [township, branch, other] = [uniqueCode('MT'), uniqueCode('MB'), uniqueCode('MO')];
  const branchName = `石桥村党支部${tag}`;
  const ids = { zhang: freshId(), li: freshId(), wang: freshId() };
  const people = {} as Record<'organizer' | 'secretary' | 'member', { username: string }>;

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: `河东镇党委${tag}` }),
      orgRow(branch, township, { name: branchName }),
      orgRow(other, township, { name: `柳岸村党支部${tag}` }),
    ]);
    people.organizer = await s.userWith([{ role: 'organizer', org: township }]);
    people.secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    people.member = await s.userWith([]);
  });

  it('a township organizer imports a GBK export (a refused file first) and reads a 身份证号 in full', async () => {
    const b = await sessions.open();
    const { page } = b;
    await signIn(page, people.organizer.username, PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: '党员名册' }).click();
    await page.getByRole('heading', { level: 1, name: '党员名册' }).waitFor();
    const card = page.getByTestId('member-import');

    // A refused file: a phone that is no mobile number and a 身份证号 with a wrong check digit. Nothing is written;
    // the rows and columns are named in a table.
    const badId = `${ids.li.slice(0, 17)}${ids.li.endsWith('0') ? '1' : '0'}`;
    await card.getByLabel(/党员信息文件/).setInputFiles({
      name: '党员信息-有错.csv',
      mimeType: 'text/csv',
      buffer: gbkCsv([
        ['张三丰', '男', '汉族', birthOf(ids.zhang), '大学本科', ids.zhang, '2001-07-01', '2002-07-01', '正式党员', branch, '12345', '村委会主任', '正常'],
        ['李秀英', '女', '汉族', birthOf(ids.li), '大专', badId, '2024-06-30', '', '预备党员', branch, '13912345678', '农民', '正常'],
      ]),
    });
    await card.getByRole('button', { name: '导入' }).click();
    const errors = card.getByTestId('member-import-errors');
    await errors.waitFor();
    const rows = await errors.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.startsWith('2联系电话'))).toBe(true);
    expect(rows.some((r) => r.startsWith('3身份证号'))).toBe(true);
    expect(await errors.getByRole('columnheader').allTextContents()).toEqual(['行', '列', '问题']);
    expect((await s.sql`select 1 from members where organization_id = (select id from organizations where code = ${branch})`).length).toBe(0);
    await b.shot('members-1-import-refused');
    expect(await a11yViolations(page)).toEqual([]);

    // The corrected file.
    await card.getByLabel(/党员信息文件/).setInputFiles({
      name: '党员信息.csv',
      mimeType: 'text/csv',
      buffer: gbkCsv([
        [
          '张三丰',
          '男',
          '汉族',
          birthOf(ids.zhang),
          '大学本科',
          ids.zhang,
          '2001-07-01',
          '2002-07-01',
          '正式党员',
          branch,
          '13800138000',
          '村委会主任',
          '正常',
        ],
        ['李秀英', '女', '汉族', birthOf(ids.li), '大专', ids.li, '2024-06-30', '', '预备党员', branch, '13912345678', '农民', '正常'],
        ['王建国', '男', '回族', birthOf(ids.wang), '高中', ids.wang, '2012-07-01', '2013-07-01', '正式党员', branch, '', '外出务工', '流动'],
      ]),
    });
    await card.getByRole('button', { name: '导入' }).click();
    await card.getByTestId('member-import-result').getByText('导入完成：新增 3 人，更新 0 人，未变 0 人。').waitFor();
    await b.shot('members-2-import-done');

    // The township's own register lists the registers below it.
    await page.goto(`/orgs/${township}/members`);
    await page.getByTestId('registers-below').getByRole('link', { name: branchName }).waitFor();
    // The register is reached from the organization's page; the 身份证号 comes masked until asked for.
    await page.goto(`/orgs/${branch}`);
    await page.getByTestId('org-members').click();
    await page.getByRole('heading', { level: 1, name: `${branchName} 党员名册` }).waitFor();
    const table = page.getByTestId('member-register');
    // The heading comes before the register's rows and figures have loaded: wait for them, then count.
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    await page.getByTestId('member-counts').getByText('正式党员 2 名，预备党员 1 名').waitFor();
    await b.shot('members-3-organizer-register');
    await table.getByRole('link', { name: '张三丰' }).click();
    await page.getByRole('heading', { level: 1, name: '张三丰' }).waitFor();
    const idCell = page.getByTestId('member-id-number');
    expect(await idCell.textContent()).toBe(`${ids.zhang.slice(0, 4)}${'*'.repeat(10)}${ids.zhang.slice(-4)} （已隐去部分数字）`);
    await page.getByText('查看完整身份证号会被记录在案').waitFor();
    await page.getByRole('button', { name: '显示身份证号' }).click();
    await page.getByTestId('member-revealed').getByText('本次查看已记录').waitFor();
    expect(await idCell.textContent()).toBe(ids.zhang);
    const reads = await s.sql<{ field: string }[]>`select field from personal_data_reads where actor = ${people.organizer.username}`;
    expect(reads.map((r) => r.field)).toEqual(['idNumber']);
    await page.getByTestId('member-history').getByText('登记入册').waitFor();
    await b.shot('members-4-organizer-id-revealed');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('the branch secretary, on a phone, finds a member by pinyin initials, shows phones, exports, records a status change and links the user', async () => {
    const b = await sessions.open(phone);
    const { page } = b;
    await signIn(page, people.secretary.username, PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: '党员名册' }).click();
    await page
      .getByTestId('member-registers')
      .getByRole('link', { name: `${branchName} 党员名册` })
      .click();
    const table = page.getByTestId('member-register');
    await table.locator('tbody tr').first().waitFor();
    // No import for a secretary.
    expect(await page.getByTestId('member-import').count()).toBe(0);

    await page.getByLabel('姓名或拼音首字母').fill('zsf');
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await table.getByText(/1 名党员/).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    const row = table.locator('tbody tr').first();
    expect(await row.getByRole('link').textContent()).toBe('张三丰');
    expect(await row.textContent()).toContain('138****8000');
    await b.shot('members-5-secretary-search-phone');
    expect(await a11yViolations(page)).toEqual([]);

    // The file holds what the page shows: the phone masked.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('member-export').click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await readFile((await download.path())!)) as never);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      ...['姓名', '性别', '人员类别', '党员状态', '状态起始日期', '入党日期', '转正日期', '联系电话', '身份证号', '工作岗位', '所在党组织'],
    ]);
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(1).value).toBe('张三丰');
    expect(sheet.getRow(2).getCell(8).value).toBe('138****8000');

    await page.getByRole('button', { name: '显示手机号' }).click();
    await row.getByText('13800138000').waitFor();
    expect(await page.getByRole('button', { name: '隐藏手机号' }).getAttribute('aria-pressed')).toBe('true');
    const reads = await s.sql<{ field: string }[]>`select field from personal_data_reads where actor = ${people.secretary.username}`;
    expect(reads.map((r) => r.field)).toEqual(['phone']);
    await b.shot('members-6-secretary-phones-shown');

    // The member's page: a status change without status or reason is refused beside each field.
    await row.getByRole('link', { name: '张三丰' }).click();
    await page.getByRole('heading', { level: 1, name: '张三丰' }).waitFor();
    expect(await page.getByRole('button', { name: '显示身份证号' }).count()).toBe(0);
    const form = page.getByTestId('member-status-form');
    await form.getByRole('button', { name: '记录变更' }).click();
    await form.locator('#ms-status-error').getByText('必填').waitFor();
    await form.locator('#ms-reason-error').getByText('必填').waitFor();
    expect(await form.getByLabel(/新状态/).getAttribute('aria-invalid')).toBe('true');
    await b.shot('members-7-secretary-status-errors');
    expect(await a11yViolations(page)).toEqual([]);

    await form.getByLabel(/新状态/).selectOption({ label: '失联' });
    await form.getByLabel(/理由/).fill('半年多次联系未果，已报镇党委');
    await form.getByRole('button', { name: '记录变更' }).click();
    await form.getByText(/已记录：失联/).waitFor();
    const history = page.getByTestId('member-history');
    await history.getByText('党员状态变更：正常 → 失联').waitFor();
    await history.getByText('理由：半年多次联系未果，已报镇党委').waitFor();
    expect(await page.getByTestId('member-record').textContent()).toContain('失联');

    // The member's user, typed in full (a member holds no role, so no list offers them).
    const link = page.getByTestId('member-link-form');
    await link.getByRole('combobox', { name: /用户名/ }).fill(people.member.username);
    await link.getByRole('button', { name: '关联', exact: true }).click();
    await link.getByText(`已关联账号 ${people.member.username}。`).waitFor();
    await history.getByText('关联登录账号').waitFor();
    await b.shot('members-8-secretary-status-recorded');
    expect(await a11yViolations(page)).toEqual([]);

    // A member going away is registered with where (and a contact at home): the form asks for it before sending.
    const [li] = await s.sql<
      { id: number }[]
    >`select id from members where name = '李秀英' and organization_id = (select id from organizations where code = ${branch})`;
    await page.goto(`/members/${li!.id}`);
    await page.getByRole('heading', { level: 1, name: '李秀英' }).waitFor();
    await form.getByLabel(/新状态/).selectOption({ label: '流动' });
    await form.getByLabel(/联系人手机号/).fill('12345');
    await form.getByRole('button', { name: '记录变更' }).click();
    await form.locator('#ms-place-error').getByText('必填').waitFor();
    await form.locator('#ms-contactPhone-error').getByText('11 位手机号').waitFor();
    await form.getByLabel(/外出地点/).fill('广东省深圳市宝安区');
    await form.getByLabel(/家中联系人/).fill('李大山');
    await form.getByLabel(/联系人手机号/).fill('13700001111');
    await form.getByRole('button', { name: '记录变更' }).click();
    await form.getByText(/已登记：流动，广东省深圳市宝安区/).waitFor();
    await page.getByTestId('member-record').getByText('流动').waitFor();
    await b.shot('members-9-secretary-member-away');
    expect(await a11yViolations(page)).toEqual([]);

    // 王建国 came in the file as 流动 with no place: his page says the period is missing and the form registers it.
    const [wang] = await s.sql<
      { id: number }[]
    >`select id from members where name = '王建国' and organization_id = (select id from organizations where code = ${branch})`;
    await page.goto(`/members/${wang!.id}`);
    await page.getByRole('heading', { level: 1, name: '王建国' }).waitFor();
    await form
      .getByTestId('away-unregistered')
      .getByText(/尚未登记外出地点和时间/)
      .waitFor();
    await form.getByLabel(/新状态/).selectOption({ label: '流动' });
    await form.getByLabel(/外出地点/).fill('浙江省杭州市萧山区');
    await b.shot('members-9b-secretary-imported-away');
    await form.getByRole('button', { name: '记录变更' }).click();
    await form.getByText(/已登记：流动，浙江省杭州市萧山区/).waitFor();
    await expect.poll(() => form.getByTestId('away-unregistered').count()).toBe(0);
    expect(b.errors).toEqual([]);
  });

  it("the branch secretary forms a 党小组 on a phone, and each member's group shows on the register", async () => {
    const b = await sessions.open(phone);
    const { page } = b;
    await signIn(page, people.secretary.username, PASSWORD);
    await page.goto(`/orgs/${branch}/members`);
    const groups = page.getByTestId('party-groups');
    await groups.getByText('本支部尚未划分党小组。').waitFor();
    const form = groups.getByRole('form', { name: '成立党小组' });
    await form.getByLabel(/党小组名称/).fill('第一党小组');
    await form.getByRole('combobox', { name: /党小组长/ }).fill('李');
    await form
      .getByRole('listbox')
      .getByRole('option', { name: /李秀英/ })
      .click();
    await form.getByRole('button', { name: '成立党小组' }).click();
    await groups.getByText('已成立第一党小组').waitFor();
    const group = groups.locator('article.party-group', { hasText: '第一党小组' });
    await group.getByText(/党小组长：李秀英/).waitFor();
    // A member added by pinyin initials from the branch's register.
    await group.getByRole('combobox', { name: '加入党员' }).fill('zsf');
    await group
      .getByRole('listbox')
      .getByRole('option', { name: /张三丰/ })
      .click();
    await group.getByRole('button', { name: '加入', exact: true }).click();
    await groups.getByText('张三丰已加入第一党小组').waitFor();
    const rowOf = (name: string) => page.getByTestId('member-register').locator('tbody tr', { hasText: name }).getByTestId('member-group');
    await expect.poll(() => rowOf('张三丰').textContent()).toBe('第一党小组');
    expect(await rowOf('李秀英').textContent()).toBe('第一党小组');
    await group.getByRole('link', { name: '张三丰' }).scrollIntoViewIfNeeded();
    await b.shot('members-11-secretary-party-group');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('the member signs in on a phone and sees their own record', async () => {
    const b = await sessions.open(phone);
    const { page } = b;
    await signIn(page, people.member.username, PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: '我的党员信息' }).click();
    const record = page.getByTestId('member-record');
    await record.waitFor();
    const text = await record.textContent();
    expect(text).toContain('张三丰');
    expect(text).toContain(branchName);
    expect(text).toContain('失联');
    expect(await page.getByTestId('member-id-number').textContent()).toBe(ids.zhang);
    expect(await page.getByTestId('member-phone').textContent()).toBe('13800138000');
    await page.getByText('每次查看都会被记录').waitFor();
    // A member holds no role: no register in the navigation.
    expect(await page.getByRole('navigation').getByRole('link', { name: '党员名册' }).count()).toBe(0);
    await b.shot('members-10-member-own-record');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
