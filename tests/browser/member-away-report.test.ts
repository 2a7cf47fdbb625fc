import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

// A member away files their yearly report on a phone, signed in as themself with no role: the report is in their
// inbox under their name, they read what it is about, a report dated after today is refused beside its field, and
// the filed report is on the branch's side as done by the member. The branch secretary registered the member away
// thirteen months ago and kept them on the register at six months (through the API: the browser journeys of those
// steps are in members.test.ts). Screenshots in tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };

describe.skipIf('skip' in browser)(`a member away files the yearly report in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-5);
  const chain = countyChain(uniqueCode('AK'));
  const [township, branch] = [uniqueCode('AT'), uniqueCode('AB')];
  const name = `周建${tag.slice(-2)}`;
  let member: { username: string };
  let secretary: { username: string; authorization: string };
  let report = 0;

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: `南岗镇党委${tag}` }),
      orgRow(branch, township, { name: `南岗村党支部${tag}` }),
    ]);
    const organizer = await s.userWith([{ role: 'organizer', org: township }]);
    const idNumber = withCheckDigit(`42010219830303${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`);
    const imported = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: `姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话\n${name},男,${idNumber},2008-07-01,2009-07-01,正式党员,${branch},13800000031\n`,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    member = await s.userWith([]);
    const call = (method: 'POST' | 'PUT', url: string, payload: object) =>
      s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: secretary.authorization }, payload });
    const [m] = await s.sql<{ id: number }[]>`select m.id from members m join organizations o on o.id = m.organization_id where o.code = ${branch}`;
    expect((await call('PUT', `/members/${m!.id}/user`, { username: member.username })).statusCode).toBe(200);
    const since = addMonths(shanghaiDate(Date.now()), -13);
    const away = await call('POST', `/members/${m!.id}/away`, { kind: 'away', place: '广东省佛山市顺德区', since, contactName: '周母' });
    expect(away.statusCode, away.body).toBe(201);
    const { workflowId } = away.json() as { workflowId: string };
    const taskOf = (key: string) =>
      eventually(
        `task ${key}`,
        async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and task_key = ${key}`)[0]?.id,
      );
    const kept = await call('POST', `/tasks/${await taskOf('transfer-proposal')}/complete`, { outcome: { decision: 'keep', note: '春节返乡，暂不转接' } });
    expect(kept.statusCode, kept.body).toBe(200);
    report = await taskOf('report-1');
  });

  it('the member finds the report in their inbox on a phone and files it; the secretary sees it filed by them', async () => {
    const b = await sessions.open(phone);
    const { page } = b;
    await signIn(page, member.username, PASSWORD);
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const link = page.getByRole('link', { name: new RegExp(`流动党员年度报告：${name}`) });
    await link.waitFor();
    // Theirs, not the secretary's: the inbox says who holds it.
    await page.getByText(/承办 本人/).waitFor();
    await b.shot('away-report-1-member-inbox-phone');
    expect(await a11yViolations(page)).toEqual([]);

    await link.click();
    const form = page.getByTestId('task-form');
    await form.waitFor();
    // What the report is about: where the member is, since when.
    await page.getByText('广东省佛山市顺德区').first().waitFor();
    await page.getByText('本人（书记可代为填报）').waitFor();
    await form.locator('#f-reportedOn').fill('2099-01-01');
    await form.locator('#f-place').fill('广东省佛山市顺德区北滘镇');
    await form.locator('#f-summary').fill('参加所在企业流动党员党小组学习，按月交纳党费');
    await form.getByRole('button', { name: '提交' }).click();
    await form
      .getByText(/今天|不能晚于/)
      .first()
      .waitFor();
    expect(await form.locator('#f-reportedOn').getAttribute('aria-invalid')).toBe('true');
    await b.shot('away-report-2-refused-phone');
    await form.locator('#f-reportedOn').fill(shanghaiDate(Date.now()));
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await b.shot('away-report-3-filed-phone');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);

    // The branch's side: the secretary opens the task and reads that the member filed it.
    const c = await sessions.open();
    await signIn(c.page, secretary.username, PASSWORD);
    await c.page.goto(`/tasks/${report}`);
    await c.page.getByText(`${member.username} 办结了任务`).waitFor();
    await c.page.getByText('已办结').first().waitFor();
    await c.shot('away-report-4-secretary-reads');
    expect(c.errors).toEqual([]);
  });
});
