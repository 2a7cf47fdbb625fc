import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, freshDatabase, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { calendarNotice } from '../../workflows/calendar.js';

// Next year's holidays missing, seen by an admin on the first screen after signing in: the daily notice has run
// on 1 November 2031 (its `today` input), so 2032 is announced; a database of its own, so no other file's admin sees
// the banner. Desktop and phone; zh-CN and en; the link leads to the holiday form. Screenshots: tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery'; // what startStack().userWith gives every user

describe.skipIf('skip' in browser)(`calendar notice banner in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions: b } = browserStack(
    executablePath,
    (started) => (s = started),
    async () => ({ databaseUrl: await freshDatabase('calendar_banner') }),
  );
  const province = uniqueCode('BP');

  beforeAll(async () => {
    await addOrganizations(s.sql, [orgRow(province, '', { ...committee, name: `河东省委${province}` })]);
  });

  it('shows an admin, on the first screen after sign-in, that next year’s holidays are missing, with a link to load them', async () => {
    const admin = await s.userWith([{ role: 'admin', org: province }]);
    const organizer = await s.userWith([{ role: 'organizer', org: province }]);
    const desk = await b.open();
    await signIn(desk.page, admin.username, PASSWORD);
    // Before the notice (31 October), no banner.
    await s.client.workflow.execute(calendarNotice, {
      workflowId: `calendar-notice-${randomUUID()}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ today: '2031-10-31' }],
    });
    await desk.page.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await desk.page.getByTestId('calendar-notice').count()).toBe(0);

    await s.client.workflow.execute(calendarNotice, {
      workflowId: `calendar-notice-${randomUUID()}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ today: '2031-11-01' }],
    });
    const phone = await b.open({ width: 390, height: 844 });
    for (const x of [desk, phone]) {
      if (x === phone) await signIn(x.page, admin.username, PASSWORD);
      else await x.page.reload();
      // The first screen after sign-in (my tasks) carries it.
      await x.page.waitForURL((u) => u.pathname === '/tasks');
      const banner = x.page.getByTestId('calendar-notice');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('2032 年节假日安排尚未载入');
      expect(await banner.getByRole('link', { name: '载入 2032 年节假日安排' }).getAttribute('href')).toBe('/dashboard#holiday-years');
      expect(await a11yViolations(x.page)).toEqual([]);
    }
    await desk.shot('calendar-notice-1-desktop');
    await phone.shot('calendar-notice-2-phone');
    // On a phone the banner fits the screen: nothing wider than the viewport.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // In English too.
    await phone.page.getByTestId('lang').click();
    await phone.page.getByTestId('calendar-notice').getByText('The holidays of 2032 are not loaded').waitFor();
    await phone.shot('calendar-notice-3-phone-en');

    // The link leads to the holiday form, where 2032 is listed as missing.
    await desk.page.getByRole('link', { name: '载入 2032 年节假日安排' }).click();
    await desk.page.waitForURL(/\/dashboard/);
    const card = desk.page.getByTestId('holiday-years');
    await card.getByRole('heading', { name: '节假日数据' }).waitFor();
    await desk.page.locator('tr[data-year="2032"]').waitFor();
    expect(await card.locator('tr[data-year="2032"]').textContent()).toContain('缺失');
    expect(await card.getByLabel('载入年份').inputValue()).toBe('2032');
    expect(desk.errors).toEqual([]);
    expect(phone.errors).toEqual([]);

    // An organizer is not the one to load holidays: no banner.
    const other = await b.open();
    await signIn(other.page, organizer.username, PASSWORD);
    await other.page.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await other.page.getByTestId('calendar-notice').count()).toBe(0);
  });
});
