import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { browser, webUi, webUiTitle, PASSWORD, phone } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('the election request: a secretary files it, a township approves it, an organizer starts one'), () => {
  const ui = webUi();
  const { root, township, v1, v2, v3, open, electionTask } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('a secretary completes the election request on a phone: field errors first, then done', async () => {
    const taskId = await electionTask(v1);
    const secretary = await s.userWith([{ role: 'secretary', org: v1 }]);
    const b = await open(phone);
    const { page } = b;

    await signIn(page, secretary.username, PASSWORD);
    await expect.poll(() => page.url()).toMatch(/\/tasks$/);
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const item = page.locator(`[data-task-id="${taskId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('换届请示');
    expect(await item.textContent()).toContain(`东湾村党支部${v1}`);
    await b.shot('secretary-1-tasks-phone');
    expect(await a11yViolations(page)).toEqual([]);

    await item.getByRole('link').click();
    await page.getByRole('heading', { name: /办理任务/ }).waitFor();
    // Seats and months the workflow's schema refuses (the form reads its bounds from that schema: 1 to 99 seats,
    // postponed 1 to 120 months): each says so next to its field, and nothing is sent.
    await page.getByLabel('委员职数').fill('0');
    await page.getByLabel('申请延期').fill('0');
    await page.getByRole('button', { name: '提交' }).click();
    await page.locator('#f-seats-error').waitFor();
    expect(await page.locator('#f-seats-error').textContent()).toContain('不能小于 1');
    expect(await page.locator('#f-postponeMonths-error').textContent()).toContain('不能小于 1');
    // Focus goes to the first wrong field, for keyboard users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-seats');
    await page.getByLabel('申请延期').fill('');
    await page.getByLabel('委员职数').fill('100');
    await page.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.locator('#f-seats-error').textContent()).toContain('不能大于 99');
    await b.shot('secretary-2-field-errors-phone');
    expect(await a11yViolations(page)).toEqual([]);
    expect((await s.sql`select state from tasks where id = ${taskId}`)[0]!.state).toBe('open');

    const electionDate = addMonths(shanghaiDate(Date.now()), 2);
    await page.getByLabel('拟选举日期').fill(electionDate);
    await page.getByLabel('委员职数').fill('5');
    await page.getByLabel('候选人推荐方式').selectOption('combined');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await page.getByTestId('history').getByText('换届请示 · 已提交').first().waitFor(); // the history shows the filed request, in words
    await b.shot('secretary-3-done-phone');

    const [row] = await s.sql<{ state: string; outcome: Record<string, unknown> }[]>`select state, outcome from tasks where id = ${taskId}`;
    expect(row).toMatchObject({ state: 'done', outcome: { electionDate, seats: 5, nominationMethod: 'combined' } });
    const [audit] = await s.sql<{ actor: string }[]>`select actor from task_events where task_id = ${taskId} and kind = 'completed'`;
    expect(audit?.actor).toBe(secretary.username);
    expect(b.errors).toEqual([]);
  });

  it('a township supervisor (and nothing else) approves a village’s election request at /tasks/{id}, reading the request', async () => {
    const today = shanghaiDate(Date.now());
    const village = uniqueCode('WR');
    await addOrganizations(s.sql, [orgRow(village, township, { term_years: 5, term_started_on: addMonths(today, -56), name: `柳溪村党支部${village}` })]);
    const requestId = await electionTask(village);
    const electionDate = addMonths(today, 2);
    const filed = await s.app.inject({
      headers: s.admin,
      method: 'POST',
      url: `/api/v1/tasks/${requestId}/complete`,
      payload: { outcome: { electionDate, seats: 5, nominationMethod: 'combined', note: '村“两委”同步换届' } },
    });
    expect(filed.statusCode, filed.body).toBe(200);
    const replyId = await eventually('the election-reply task', async () => {
      const [row] = await s.sql<{ id: number }[]>`
        select t.id from tasks t where t.workflow_id = ${`term-election:${village}`} and t.step = 'election-reply' and t.state = 'open'`;
      return row?.id;
    });

    const supervisor = await s.userWith([{ role: 'supervisor', org: township }]);
    const b = await open();
    const { page } = b;
    await signIn(page, supervisor.username, PASSWORD);
    await page.goto(`/tasks/${replyId}`);
    await page.getByRole('heading', { name: '办理任务：换届请示批复' }).waitFor();
    // The reply is the township's task about the village's election.
    expect(await page.textContent('main')).toContain(`柳溪村党支部${village}`);
    // What is being decided on: the request, in words (its date, seats, nomination method and note).
    const decides = page.getByTestId('decides-on');
    await decides.getByText('所批复的请示').waitFor();
    const request = (await decides.textContent()) ?? '';
    expect(request).toContain('拟选举日期');
    expect(request).toContain('5');
    expect(request).toContain('党员推荐与组织推荐相结合');
    expect(request).toContain('村“两委”同步换届');
    expect(request).not.toContain('nominationMethod');
    // The buttons are the API's: a supervisor steers (claim, reassign, extend, cancel) and may reply.
    await page.getByTestId('task-form').waitFor();
    await page.getByTestId(`actions-${replyId}`).getByRole('button', { name: '认领' }).waitFor();
    await b.shot('reply-1-request');
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByLabel('决定').selectOption('approve');
    await page.getByLabel('意见').fill('同意按期换届');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await page.getByTestId('history').getByText('换届请示批复 · 同意').waitFor();
    const history = (await page.getByTestId('history').textContent()) ?? '';
    expect(history).toContain('换届请示 · 已提交');
    expect(history).not.toMatch(/election-|-opened|-filed/);
    await b.shot('reply-2-approved');
    expect(await a11yViolations(page)).toEqual([]);
    // In English too: the step and the history in the catalog's and the dictionary's words.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Task: Reply to the request' }).waitFor();
    await page.getByTestId('history').getByText('Reply to the request · approved').waitFor();
    expect(await page.getByTestId('decides-on').textContent()).toContain('Members and organization combined');
    await b.shot('reply-3-english');
    await page.getByRole('button', { name: '中文' }).click();

    const [row] = await s.sql<{ state: string; outcome: Record<string, unknown> }[]>`select state, outcome from tasks where id = ${replyId}`;
    expect(row).toMatchObject({ state: 'done', outcome: { decision: 'approve', comments: '同意按期换届' } });
    const [audit] = await s.sql<{ actor: string }[]>`select actor from task_events where task_id = ${replyId} and kind = 'completed'`;
    expect(audit?.actor).toBe(supervisor.username);
    expect(b.errors).toEqual([]);
  });

  it('an organizer starts a term election from the dashboard and sees it there; browses the tree', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '工作看板' }).click();
    await page.getByRole('heading', { name: '工作看板' }).waitFor();

    await page.locator('#start-org').fill(v2);
    // The start answers with the process's first task: the page shows it without reading the process again.
    const reads: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'GET' && r.url().includes('/api/v1/processes/')) reads.push(r.url());
    });
    await page.getByRole('button', { name: '发起', exact: true }).click();
    await page.getByText(`已发起：term-election:${v2}`).waitFor();
    const row = page.locator(`[data-process="term-election:${v2}"]`);
    expect(await row.textContent()).toContain('换届请示');
    const [task] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${`term-election:${v2}`} and step = 'election-request'`;
    expect(await row.getByRole('link', { name: '查看' }).getAttribute('href')).toBe(`/tasks/${task!.id}`);
    expect(reads).toEqual([]);
    // Terms ending within 6 months lists the village, and the step counts include its request.
    await page.getByRole('button', { name: '发起', exact: true }).focus();
    await page.reload();
    await page.getByTestId('terms').getByText(`西岭村党支部${v2}`).waitFor();
    expect(await page.getByTestId('by-step').textContent()).toContain('换届请示');
    await b.shot('organizer-1-dashboard');
    expect(await a11yViolations(page)).toEqual([]);

    const [proc] = await s.sql<{ status: string }[]>`select status from processes where workflow_id = ${`term-election:${v2}`}`;
    expect(proc?.status).toBe('running');

    // Starting it twice says so, next to the field.
    await page.locator('#start-org').fill(v2);
    await page.getByRole('button', { name: '发起', exact: true }).click();
    await page.locator('#start-org-error').waitFor();
    expect(await page.locator('#start-org-error').textContent()).toContain('已有进行中的换届选举');

    // The organization tree: the county, drilled down by keyboard to its villages.
    await page.getByRole('link', { name: '组织架构' }).click();
    await page.getByRole('button', { name: `展开 测试镇党委${township}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: `南塘村党支部${v3}` }).click();
    await page.getByTestId('org-details').getByText('党支部').first().waitFor();
    expect(await page.getByTestId('org-details').textContent()).toContain('张伟');
    // The township's details list the open work below it: the election request just started for v2.
    await page.getByRole('link', { name: `测试镇党委${township}` }).click();
    await page.getByTestId('org-details').getByText(`换届请示 · 西岭村党支部${v2}`).waitFor();
    await b.shot('organizer-2-org-tree');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
