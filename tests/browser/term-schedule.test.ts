import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { addOrganizations, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { termDateSweep } from '../../workflows/term-date-missing/workflow.js';

// The term register's schedule in a real Chromium against the real stack: an organizer (holding nothing else) fills
// in a missing term from its task, and a supervisor downloads the 未按期换届 report. Screenshots: tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';

describe.skipIf('skip' in browser)(`term schedule in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const county = uniqueCode('SK');
  const town = uniqueCode('ST');
  const [missing, late] = [uniqueCode('SM'), uniqueCode('SL')];
  const today = shanghaiDate(Date.now());
  const lateEnd = addMonths(today, -14);
  const open = () => sessions.open();

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `测试县委${county}` }),
      orgRow(town, county, { type: 'committee', sector: 'regional', name: `测试镇党委${town}` }),
      orgRow(missing, town, { name: `青石村党支部${missing}`, term_years: null, term_started_on: null }),
      orgRow(late, town, { name: `白沙村党支部${late}`, term_years: 3, term_started_on: addMonths(lateEnd, -36) }),
    ]);
  });

  it('an organizer (holding nothing else) fills in a missing term from the 补录届期信息 task: a future date is refused beside its field, then the register has it', async () => {
    await s.client.workflow.execute(termDateSweep, { workflowId: `sweep-${randomUUID()}`, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ under: county }] });
    const taskId = await eventually('the fill-in task', async () => {
      const [t] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${`term-date-missing:${missing}`} and state = 'open'`;
      return t?.id;
    });
    const organizer = await s.userWith([{ role: 'organizer', org: town }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const item = page.locator(`[data-task-id="${taskId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('补录届期信息');
    await b.shot('term-date-1-tasks');
    expect(await a11yViolations(page)).toEqual([]);

    await item.getByRole('link').click();
    await page.getByRole('heading', { name: /办理任务：补录届期信息/ }).waitFor();
    expect(await page.getByTestId('decides-on').textContent()).toContain(`青石村党支部${missing}`);
    await page.getByLabel('本届开始日期').fill(addDays(today, 3));
    await page.getByLabel('任期年限').fill('5');
    await page.getByRole('button', { name: '提交' }).click();
    await page.locator('#f-termStartedOn-error').waitFor();
    expect(await page.locator('#f-termStartedOn-error').textContent()).toContain('不能晚于今天');
    await b.shot('term-date-2-refused');
    expect(await a11yViolations(page)).toEqual([]);
    expect((await s.sql`select term_started_on from organizations where code = ${missing}`)[0]!.term_started_on).toBeNull();

    await page.getByLabel('本届开始日期').fill('2024-03-15');
    await page.getByLabel('书记姓名').fill('李华');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await page.getByTestId('history').getByText('届期信息已补录').waitFor();
    await b.shot('term-date-3-done');
    expect(await a11yViolations(page)).toEqual([]);
    const [org] = await s.sql`select to_char(term_started_on, 'YYYY-MM-DD') as start, term_years, secretary_name from organizations where code = ${missing}`;
    expect(org).toEqual({ start: '2024-03-15', term_years: 5, secretary_name: '李华' });
    expect(b.errors).toEqual([]);
  });

  it('a supervisor opens 换届计划 from the navigation and downloads the 未按期换届 report as CSV', async () => {
    const supervisor = await s.userWith([{ role: 'supervisor', org: county }]);
    const b = await open();
    const { page } = b;
    await signIn(page, supervisor.username, PASSWORD);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '换届计划' }).click();
    await page.getByRole('heading', { name: '换届计划与未按期换届' }).waitFor();
    const table = page.getByTestId('overdue-terms');
    const row = table.locator('tr', { hasText: `白沙村党支部${late}` });
    await row.waitFor();
    const days = Math.round((Date.parse(today) - Date.parse(lateEnd)) / 86_400_000);
    expect(await row.textContent()).toContain(String(days));
    expect(await row.textContent()).toContain('未启动换届');
    await b.shot('overdue-terms-1-page');
    expect(await a11yViolations(page)).toEqual([]);

    const group = page.getByRole('group', { name: '下载未按期换届名单' });
    const [file] = await Promise.all([page.waitForEvent('download'), group.getByRole('button', { name: '下载 CSV' }).click()]);
    expect(file.suggestedFilename()).toBe(`overdue-terms-${today}.csv`);
    const csv = readFileSync((await file.path())!, 'utf8');
    expect(csv.startsWith('\uFEFFcode,name,supervisorCode,supervisorName,termEndsOn,daysOverdue,postponedUntil,secretaryName,electionStep\n')).toBe(true);
    expect(csv).toContain(`${late},白沙村党支部${late},${town},测试镇党委${town},${lateEnd},${days},,张伟,\n`);
    await page.getByText(`已下载 overdue-terms-${today}.csv`).waitFor();
    await b.shot('overdue-terms-2-downloaded');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
