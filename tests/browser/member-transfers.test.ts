import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { shanghaiDate } from '../../src/domain/dates.js';

// 组织关系转接 in Chromium, each side by a secretary holding only that branch's role, on a phone: the sending
// secretary issues a transfer from the member's page to a branch outside their own area (typed by its code); the
// receiving secretary finds the task in their inbox and records the member's report, and the member is on their
// register; the receiving secretary then records a member who came with a letter from outside the province and
// confirms their report the same way. Screenshots in tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };
const freshId = (birth: string) => withCheckDigit(`420102${birth}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`);

describe.skipIf('skip' in browser)(`member transfers in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-5);
  const chain = countyChain(uniqueCode('XK'));
  const [township, from, to] = [uniqueCode('XT'), uniqueCode('XA'), uniqueCode('XB')];
  const names = { from: `东湾村党支部${tag}`, to: `西岭村党支部${tag}` };
  const ids = { chen: freshId('19780808'), wu: freshId('19900909') };
  let sender: { username: string };
  let receiver: { username: string };

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: `北山镇党委${tag}` }),
      orgRow(from, township, { name: names.from }),
      orgRow(to, township, { name: names.to }),
    ]);
    // The sending branch's register, as the township imported it.
    const organizer = await s.userWith([{ role: 'organizer', org: township }]);
    const imported = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: `姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话\n陈明,男,${ids.chen},2006-07-01,2007-07-01,正式党员,${from},13800000011\n`,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    sender = await s.userWith([{ role: 'secretary', org: from }]);
    receiver = await s.userWith([{ role: 'secretary', org: to }]);
  });

  /** The receiving secretary opens the transfer's task from their inbox and records the member's report today. */
  const recordReport = async (page: import('playwright-core').Page, member: string, shot: (n: string) => Promise<void>, name: string) => {
    // The inbox names the step and the member.
    await page.goto('/tasks');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const link = page.getByRole('link', { name: new RegExp(`接收组织关系：${member}`) });
    await expect
      .poll(
        async () => {
          if (await link.count()) return true;
          await page.reload();
          return (await link.count()) > 0;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
    await shot(`${name}-inbox`);
    await link.first().click();
    const form = page.getByTestId('task-form');
    await form.waitFor();
    await page.getByText(member).first().waitFor();
    await form.locator('#f-decision').selectOption('accepted');
    // A report after today is refused next to its field.
    await form.locator('#f-reportedOn').fill('2099-01-01');
    await form.getByRole('button', { name: '提交' }).click();
    await form
      .getByText(/今天|today|不能晚于|after/)
      .first()
      .waitFor();
    await form.locator('#f-reportedOn').fill(shanghaiDate(Date.now()));
    await shot(`${name}-form`);
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
  };

  it('the sending secretary issues a transfer inside the province; the receiving secretary records the report on a phone', async () => {
    const a = await sessions.open(phone);
    await signIn(a.page, sender.username, PASSWORD);
    const [chen] = await s.sql<{ id: number }[]>`select m.id from members m join organizations o on o.id = m.organization_id where o.code = ${from}`;
    await a.page.goto(`/members/${chen!.id}`);
    await a.page.getByRole('heading', { level: 1, name: '陈明' }).waitFor();
    const form = a.page.getByTestId('transfer-form');
    // Nothing named: the field says so.
    await form.getByRole('button', { name: '开具介绍信' }).click();
    await form.locator('#xf-to-error').waitFor();
    await form.locator('#xf-to').fill(to);
    await form.getByLabel('介绍信编号').fill(`鄂组转〔2026〕${tag}号`);
    await form.getByLabel('转出原因').fill('工作调动');
    await a.shot('transfer-1-sender-form-phone');
    await form.getByRole('button', { name: '开具介绍信' }).click();
    await form.getByText(/介绍信已开具，有效期至/).waitFor();
    await a.shot('transfer-2-sender-issued-phone');
    expect(await a11yViolations(a.page)).toEqual([]);
    expect(a.errors).toEqual([]);

    const b = await sessions.open(phone);
    await signIn(b.page, receiver.username, PASSWORD);
    await recordReport(b.page, '陈明', (n) => b.shot(n), 'transfer-3-receiver');
    await eventually(
      '陈明 on the receiving register',
      async () =>
        (await s.sql`select 1 from members m join organizations o on o.id = m.organization_id where m.id = ${chen!.id} and o.code = ${to}`).length > 0,
    );
    await b.page.goto(`/orgs/${to}/members`);
    await b.page.getByTestId('member-register').getByRole('link', { name: '陈明' }).waitFor();
    const list = b.page.getByTestId('transfers');
    await list.getByText('已完成').first().waitFor();
    expect(await list.textContent()).toContain(`${names.from} → ${names.to}`);
    await b.shot('transfer-4-receiver-register-phone');
    expect(await a11yViolations(b.page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('the receiving secretary records a member coming from outside the province and confirms their report', async () => {
    const b = await sessions.open();
    await signIn(b.page, receiver.username, PASSWORD);
    await b.page.goto(`/orgs/${to}/members`);
    // Folded on the register page until opened.
    await b.page.getByTestId('incoming').getByText('接收省外转入党员').click();
    const form = b.page.getByTestId('incoming-form');
    await form.waitFor();
    await form.getByLabel(/转出党组织/).fill('湖南省长沙市岳麓区某社区党委');
    await form.getByLabel('介绍信编号').fill('湘组转〔2026〕7号');
    await form.getByLabel('姓名').fill('吴芳');
    await form.getByLabel('性别').selectOption('female');
    // A wrong check digit is refused before anything is sent.
    await form.getByLabel('身份证号').fill(`${ids.wu.slice(0, 17)}${ids.wu.endsWith('1') ? '2' : '1'}`);
    await form.getByLabel('人员类别').selectOption('full');
    await form.getByLabel('入党日期').fill('2015-07-01');
    await form.getByLabel('转正日期').fill('2016-07-01');
    await form.getByRole('button', { name: '登记介绍信' }).click();
    await form.getByText('身份证号不正确').waitFor();
    await b.shot('transfer-5-incoming-refused');
    await form.getByLabel('身份证号').fill(ids.wu);
    await form.getByText('出生日期：').waitFor();
    await form.getByRole('button', { name: '登记介绍信' }).click();
    await form.getByText(/已登记 吴芳 的介绍信/).waitFor();
    await b.shot('transfer-6-incoming-recorded');
    expect(await a11yViolations(b.page)).toEqual([]);

    await recordReport(b.page, '吴芳', (n) => b.shot(n), 'transfer-7-incoming');
    await b.page.goto(`/orgs/${to}/members`);
    await b.page.getByTestId('member-register').getByRole('link', { name: '吴芳' }).waitFor();
    expect(await b.page.getByTestId('member-counts').textContent()).toContain('正式党员 2 名');
    await b.shot('transfer-8-register-both');
    expect(b.errors).toEqual([]);
  });
});
