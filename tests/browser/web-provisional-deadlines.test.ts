import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { taskProcess } from '../../workflows/task-process.js';
import { browser, webUi, webUiTitle, PASSWORD, phone } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('deadlines planned without holiday data'), () => {
  const ui = webUi();
  const { v4, open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('shows a deadline planned without holiday data as provisional; an admin sees the missing year, loads it, and the badge goes', async () => {
    // chinese-days ends with 2026: a deliverable due 1 October 2027 is provisional.
    const workflowId = `task:browser-deliverable:${v4}`;
    const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${v4}`;
    await s.client.workflow.start(taskProcess, {
      workflowId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ task: { key: 'venue', step: 'deliverable', organizationId: org!.id, assigneeRole: 'secretary', due: { on: '2027-10-01' } } }],
    });
    const taskId = await eventually(
      'the deliverable task',
      async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId}`)[0]?.id,
    );
    const secretary = await s.userWith([{ role: 'secretary', org: v4 }]);
    const sb = await open(phone);
    await signIn(sb.page, secretary.username, PASSWORD);
    const item = sb.page.locator(`[data-task-id="${taskId}"]`);
    await item.waitFor();
    expect(await item.getByTestId('provisional-badge').textContent()).toContain('暂定');
    expect(await item.getByTestId('provisional-badge').getAttribute('title')).toContain('2027 年节假日安排尚未载入');
    await sb.shot('provisional-1-task');
    expect(await a11yViolations(sb.page)).toEqual([]);

    // The suite's files share one database: the tasks other files left open into 2027 have no worker any more
    // (each re-plan would wait out the Update deadline); they are not this test's to re-plan.
    await s.sql`update tasks set provisional_years = '{}' where 2027 = any(provisional_years) and workflow_id <> ${workflowId}`;
    // Nor is a re-plan of 2027 another file's stack left running (its worker is gone).
    await s.client.workflow
      .getHandle('calendar-replan:2027')
      .terminate('another stack’s run')
      .catch(() => undefined);
    const admin = await s.userWith([{ role: 'admin', org: '' }]);
    const b = await open();
    const { page } = b;
    try {
      await signIn(page, admin.username, PASSWORD);
      await page.goto('/dashboard');
      const card = page.getByTestId('holiday-years');
      await card.getByRole('heading', { name: '节假日数据' }).waitFor();
      expect(await card.getByTestId('holiday-missing').textContent()).toContain('2027');
      expect(await card.locator('tr[data-year="2027"]').textContent()).toContain('缺失');
      expect(await card.locator('tr[data-year="2026"]').textContent()).toContain('软件内置');
      // A file with a bad row is refused whole, the row and column named.
      await card.getByLabel('载入年份').fill('2027');
      await card
        .getByLabel(/通知文件/)
        .setInputFiles({ name: '2027.csv', mimeType: 'text/csv', buffer: Buffer.from('日期,类型\n2027-10-01,休\n2027-10-02,放风\n') });
      await card.getByRole('button', { name: '载入节假日安排' }).click();
      await expect.poll(() => card.getByTestId('holiday-errors').textContent()).toContain('第 3 行 类型');
      await b.shot('holidays-1-refused');
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//test//holidays//CN',
        'BEGIN:VEVENT',
        'UID:nd-2027',
        'DTSTAMP:20261120T000000Z',
        'DTSTART;VALUE=DATE:20271001',
        'DTEND;VALUE=DATE:20271008',
        'SUMMARY:国庆节(休)',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      await card.getByLabel(/通知文件/).setInputFiles({ name: '2027.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics) });
      await card.getByRole('button', { name: '载入节假日安排' }).click();
      await expect.poll(() => card.getByTestId('holiday-loaded').textContent(), { timeout: 60_000 }).toContain('已载入 2027 年节假日安排（放假 7 天');
      await expect.poll(() => card.locator('tr[data-year="2027"]').textContent()).toContain(`已载入（${admin.username}，7 天）`);
      await b.shot('holidays-2-loaded');
      expect(await a11yViolations(page)).toEqual([]);
      expect(b.errors).toEqual([]);

      // The secretary's task was planned again in the background (calendar-replan:2027): no longer provisional.
      await expect
        .poll(
          async () => {
            await sb.page.reload();
            await item.waitFor();
            return item.getByTestId('provisional-badge').count();
          },
          { timeout: 60_000 },
        )
        .toBe(0);
      await s.client.workflow.getHandle('calendar-replan:2027').result();
      const [row] = await s.sql<{ provisional_years: number[] }[]>`select provisional_years from tasks where id = ${taskId}`;
      expect(row!.provisional_years).toEqual([]);
    } finally {
      // The suite's files share one database: leave 2027 without holiday data, as the package leaves it.
      await s.sql`delete from calendar_days where day between '2027-10-01' and '2027-10-07'`;
      await s.sql`delete from calendar_years where year = 2027`;
      await s.client.workflow
        .getHandle(workflowId)
        .terminate('end of test')
        .catch(() => {});
    }
  });
});
