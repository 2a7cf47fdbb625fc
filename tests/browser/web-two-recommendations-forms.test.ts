import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { browser, webUi, webUiTitle, PASSWORD, phone } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('两推一选 forms in a community’s and a village’s words'), () => {
  const ui = webUi();
  const { root, township, open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('a street committee publishes a community’s 两推一选 plan in the community’s words: 居民会议, not 村民会议', async () => {
    // A street under the county (its spreadsheet may call it anything) and a community directly under it (domain.md §2).
    const [street, community] = [uniqueCode('WJ'), uniqueCode('WC')];
    await addOrganizations(s.sql, [
      orgRow(street, root, { type: 'committee', sector: 'community', name: `测试街道党工委${street}` }),
      orgRow(community, street, { sector: 'community', full_members: 20, probationary_members: 0, name: `幸福社区党支部${community}` }),
    ]);
    const id = `two-recommendations-one-election:${community}`;
    const started = await s.app.inject({
      headers: s.admin,
      method: 'POST',
      url: '/api/v1/processes/two-recommendations-one-election',
      payload: { organization: community },
    });
    expect(started.statusCode, started.body).toBe(201);
    const taskId = await eventually(
      'the plan task',
      async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and step = 'selection-plan' and state = 'open'`)[0]?.id,
    );
    const organizer = await s.userWith([{ role: 'organizer', org: street }]);
    const b = await open(phone);
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    const item = page.locator(`[data-task-id="${taskId}"]`);
    await item.waitFor();
    await item.getByRole('link').click();
    const basis = page.getByLabel('居民推荐范围');
    await basis.waitFor();
    const options = await basis.locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['居民会议', '居民代表会议']));
    expect(options.join('')).not.toContain('村民');
    await b.shot('community-1-plan-words-phone');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
    await s.app.inject({ headers: s.admin, method: 'POST', url: `/api/v1/processes/${encodeURIComponent(id)}/cancel`, payload: { reason: '测试结束' } });
  });

  it('a secretary files the members’ recommendation of 两推一选: a wrong value, its error beside the field, then done', async () => {
    const today = shanghaiDate(Date.now());
    const village = uniqueCode('WS');
    await addOrganizations(s.sql, [
      orgRow(village, township, {
        term_years: 5,
        term_started_on: addMonths(today, -12),
        full_members: 30,
        probationary_members: 2,
        name: `石桥村党支部${village}`,
      }),
    ]);
    const id = `two-recommendations-one-election:${village}`;
    const started = await s.app.inject({
      headers: s.admin,
      method: 'POST',
      url: '/api/v1/processes/two-recommendations-one-election',
      payload: { organization: village },
    });
    expect(started.statusCode, started.body).toBe(201);
    const openTask = (step: string) =>
      eventually(`the ${step} task of ${village}`, async () => {
        const [row] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and step = ${step} and state = 'open'`;
        return row?.id;
      });
    // The township committee publishes the plan (through the API here): two seats, so each member may name two.
    const plan = await s.app.inject({
      headers: s.admin,
      method: 'POST',
      url: `/api/v1/tasks/${await openTask('selection-plan')}/complete`,
      payload: { outcome: { post: 'secretary', seats: 2, villagerBasis: 'representatives', eligibility: '本村正式党员，45 岁以下', publishedOn: today } },
    });
    expect(plan.statusCode, plan.body).toBe(200);
    const taskId = await openTask('members-recommendation');

    const secretary = await s.userWith([{ role: 'secretary', org: village }]);
    const b = await open(phone);
    const { page } = b;
    await signIn(page, secretary.username, PASSWORD);
    const item = page.locator(`[data-task-id="${taskId}"]`);
    await item.waitFor();
    await item.getByRole('link').click();
    await page.getByRole('heading', { name: '办理任务：党员推荐' }).waitFor();
    // A line without a count: refused before anything is sent, beside the votes.
    await page.getByLabel('应到人数').fill('30');
    await page.getByLabel('实到人数').fill('20');
    await page.getByLabel('得票情况').fill('张三 18\n李四');
    await page.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.locator('#f-votes-error').textContent()).toContain('请输入整数');
    // Counts that read well but break the rule the workflow applies (at least 80% of the members take part):
    // the run's rule set and seats come from the process history, the error stands beside "present".
    await page.getByLabel('得票情况').fill('张三 18\n李四 15');
    await page.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.locator('#f-present-error').textContent()).toContain('到会人数未达到规定比例');
    expect(await page.locator('#f-votes-error').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-present');
    await b.shot('tworec-1-field-errors-phone');
    expect(await a11yViolations(page)).toEqual([]);
    expect((await s.sql`select state from tasks where id = ${taskId}`)[0]!.state).toBe('open');

    await page.getByLabel('实到人数').fill('28');
    await page.getByLabel('得票情况').fill('张三 25\n李四：20');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await b.shot('tworec-2-done-phone');
    const [row] = await s.sql<{ state: string; outcome: Record<string, unknown> }[]>`select state, outcome from tasks where id = ${taskId}`;
    expect(row).toMatchObject({ state: 'done', outcome: { entitled: 30, present: 28, votes: { 张三: 25, 李四: 20 } } });
    // The workflow accepted it and went on to the villagers' round.
    await openTask('villagers-recommendation');
    expect(b.errors).toEqual([]);
  });
});
