import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { browser, webUi, webUiTitle, PASSWORD } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('liaison officers: bulk dispatch and coverage'), () => {
  const ui = webUi();
  const { root, township, u1, u2, open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('an organizer assigns one liaison officer to many units and reads liaison coverage', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    const officer = await s.userWith([{ role: 'liaison_officer', org: township }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '工作看板' }).click();
    const dispatch = page.getByTestId('dispatch-coverage').locator(`tr[data-county="${root}"]`);
    await dispatch.waitFor();
    expect(await dispatch.textContent()).toContain('0/2 个单位');

    const bulk = page.getByTestId('bulk-officers');
    await bulk.getByLabel(`宏达科技有限公司${u1}`).waitFor();
    expect(await bulk.textContent()).toContain('未派联络员');
    await bulk.getByRole('button', { name: '为所选单位选派' }).click();
    await bulk.locator('#officer-username-error').waitFor();
    await bulk.locator('#officer-username').fill(officer.username);
    await bulk.getByRole('button', { name: '为所选单位选派' }).click();
    await bulk.locator('#officers-pick-error').waitFor();
    await bulk.getByLabel(/^全选本页/).check();
    await bulk.getByRole('button', { name: '为所选单位选派' }).click();
    const result = bulk.getByTestId('officers-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('已选派 2 个，未能选派 0 个');
    for (const u of [u1, u2]) {
      const [task] = await s.sql<{ state: string; outcome: Record<string, unknown> }[]>`
        select state, outcome from tasks where workflow_id = ${`liaison-dispatch:${u}`} and step = 'assign-officer'`;
      expect(task).toMatchObject({ state: 'done', outcome: { officer: officer.username } });
    }
    await b.shot('organizer-5-bulk-officers');
    expect(await a11yViolations(page)).toEqual([]);

    // Again for the same units: each is refused on its own, saying why.
    await bulk.getByLabel(/^全选本页/).check();
    await bulk.getByRole('button', { name: '为所选单位选派' }).click();
    await expect.poll(() => result.textContent(), { timeout: 60_000 }).toContain('已选派 0 个，未能选派 2 个');
    expect(await result.locator(`[data-refused="${u1}"]`).textContent()).toContain('没有待办的选派任务');
    expect(b.errors).toEqual([]);
  });
});
