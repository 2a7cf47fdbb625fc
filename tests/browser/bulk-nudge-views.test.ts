import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, startBareTask, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { pick } from './journeys/journey.js';

// The supervisor's list instruments in a real Chromium against the real stack, each done by a user holding only
// that role: a supervisor reassigns two overdue tasks at once, an organizer nudges an organization's overdue work
// in one click, a supervisor saves a view shared with the township that another supervisor opens.
// Screenshots: tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';

describe.skipIf('skip' in browser)(`bulk actions, nudges and saved views in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const county = uniqueCode('BK');
  const town = uniqueCode('BT');
  const [v1, v2] = [uniqueCode('BA'), uniqueCode('BB')];
  let ids: Record<string, number>;
  const open = () => sessions.open();
  /** A task of `org` due an hour ago: overdue, not escalated. */
  const overdueTask = (key: string, org: string) =>
    startBareTask(s, key, ids[org]!, { dueAt: new Date(Date.now() - 3_600_000).toISOString(), reminders: [], escalations: [] });

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      // The county at the tree's third level: its township's villages are villages (domain.md §2).
      ...countyChain(county, { name: `测试县委${county}` }).rows,
      orgRow(town, county, { type: 'committee', sector: 'regional', name: `测试镇党委${town}` }),
      orgRow(v1, town, { name: `青石村党支部${v1}` }),
      orgRow(v2, town, { name: `白沙村党支部${v2}` }),
    ]);
    ids = Object.fromEntries(
      (await s.sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${s.sql([county, town, v1, v2])}`).map((r) => [
        r.code,
        r.id,
      ]),
    );
  });

  it('a supervisor ticks two overdue tasks on the overdue page and reassigns both with one reason; each item’s result is shown', async () => {
    const a = await overdueTask('bulk-report-a', v1);
    const b2 = await overdueTask('bulk-report-b', v1);
    const secretary = await s.userWith([{ role: 'secretary', org: v1 }]);
    const sup = await s.userWith([{ role: 'supervisor', org: town }]);
    const b = await open();
    const { page } = b;
    await signIn(page, sup.username, PASSWORD);
    await page.goto('/overdue');
    await page.locator(`[data-task-id="${a}"]`).waitFor();
    await page.getByTestId(`select-${a}`).check();
    await page.getByTestId(`select-${b2}`).check();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByRole('heading', { name: '批量操作（已选 2 项）' }).waitFor();
    await bar.getByRole('button', { name: '改派' }).click();
    await pick(bar, '#bulk-person', secretary.username, secretary.username);
    await bar.getByRole('button', { name: '提交' }).click();
    // The one reason is required before anything is sent.
    await page.locator('#bulk-reason-error').waitFor();
    await bar.getByLabel('理由（适用于全部所选任务）').fill('村书记外出学习，改由本人办理');
    await b.shot('bulk-1-reassign-form');
    expect(await a11yViolations(page)).toEqual([]);
    await bar.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('bulk-results').waitFor();
    expect(await page.getByTestId('action-notice').textContent()).toContain('改派：2 项完成，0 项未办理');
    expect(await page.getByTestId('bulk-results').locator('li[data-result="done"]').count()).toBe(2);
    await b.shot('bulk-2-reassigned');
    expect(await a11yViolations(page)).toEqual([]);
    const rows = await s.sql<{ assignee_person: string }[]>`select assignee_person from tasks where id in ${s.sql([a, b2])}`;
    expect(rows.map((r) => r.assignee_person)).toEqual([secretary.username, secretary.username]);

    // Ticks belong to the page's list: one left ticked here is not carried to the work list.
    await page.getByTestId(`select-${a}`).check();
    await bar.getByRole('heading', { name: '批量操作（已选 1 项）' }).waitFor();
    await page.getByRole('link', { name: '工作清单' }).click();
    await page.getByRole('heading', { name: '工作清单' }).first().waitFor();
    await page.locator(`[data-task-id="${a}"]`).first().waitFor();
    expect(await page.getByRole('heading', { name: /批量操作（已选/ }).count()).toBe(0);
  });

  it('an organizer nudges a village’s overdue work in one click: one message to its secretary, the count on the list', async () => {
    const t1 = await overdueTask('nudge-report-a', v2);
    const t2 = await overdueTask('nudge-report-b', v2);
    const secretary = await s.userWith([{ role: 'secretary', org: v2 }]);
    const organizer = await s.userWith([{ role: 'organizer', org: town }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.goto('/overdue');
    const group = page.locator(`section[data-org="${v2}"]`);
    await group.locator(`[data-task-id="${t1}"]`).waitFor();
    await group.getByRole('button', { name: '一键催办（本组织及下级）' }).click();
    await page.getByTestId('action-notice').waitFor();
    expect(await page.getByTestId('action-notice').textContent()).toContain('已催办：2 项任务，1 人各收到一条消息');
    await group.locator(`[data-task-id="${t2}"] [data-testid="nudges"]`).waitFor();
    expect(await group.locator(`[data-task-id="${t2}"] [data-testid="nudges"]`).textContent()).toBe('已催办 1 次');
    await b.shot('nudge-1-done');
    expect(await a11yViolations(page)).toEqual([]);
    const notes = await s.sql<{ body: string }[]>`
      select n.body from notifications n join users u on u.id = n.user_id where u.username = ${secretary.username} and n.kind = 'nudge'`;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body.split('\n')).toHaveLength(2);
  });

  it('an organizer opens the yearly return’s missing filers of a township and sends one 催报: each secretary told once, the count on the list', async () => {
    const town2 = uniqueCode('RT');
    const [late, filer, noAccount] = [uniqueCode('RL'), uniqueCode('RF'), uniqueCode('RN')];
    await addOrganizations(s.sql, [
      orgRow(town2, county, { type: 'committee', sector: 'regional', name: `测试镇党委${town2}` }),
      orgRow(late, town2, { name: `东岭村党支部${late}` }),
      orgRow(filer, town2, { name: `西坡村党支部${filer}` }),
      orgRow(noAccount, town2, { name: `南湾村党支部${noAccount}` }),
    ]);
    const secLate = await s.userWith([{ role: 'secretary', org: late }]);
    const secFiler = await s.userWith([{ role: 'secretary', org: filer }]);
    const filed = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/organizations/${filer}/returns/2025`,
      headers: { authorization: secFiler.authorization },
      payload: { activistsTrained: 3, reserveCadres: 1, funding: 80000 },
    });
    expect(filed.statusCode, filed.body).toBe(200);
    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '年报催报' }).click();
    await page.waitForURL((u) => u.pathname === '/returns');
    // Narrowed to the township with the organization picker, as a person would.
    await pick(page, '#returns-org', town2, town2);
    await page.getByRole('button', { name: '查看' }).click();
    await page.waitForURL((u) => u.searchParams.get('org') === town2);
    const table = page.getByTestId('missing-returns');
    await table.waitFor();
    expect((await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-org')))).sort()).toEqual([late, noAccount].sort());
    expect(await page.getByTestId('returns-due').textContent()).toContain('2025 年度年报已于');
    expect(await table.locator(`tr[data-org="${noAccount}"]`).textContent()).toContain('无书记账号');
    await b.shot('returns-1-missing');
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByLabel('附言').fill('请本周内补报');
    await page.getByRole('button', { name: '一键催报（清单上 2 个组织）' }).click();
    const outcome = page.locator('p.notice', { hasText: '已催报：2 个组织，1 人各收到一条消息。' });
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('其中 1 个组织无书记账号');
    await table.locator(`tr[data-org="${late}"] [data-testid="nudge-count"]`).getByText('已催报 1 次').waitFor();
    await b.shot('returns-2-nudged');
    const notes = await s.sql<{ title: string; body: string }[]>`
      select n.title, n.body from notifications n join users u on u.id = n.user_id where u.username = ${secLate.username} and n.kind = 'nudge'`;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toContain('2025 年度年报');
    expect(notes[0]!.body).toContain('请本周内补报');

    // A secretary has no such page: the navigation does not offer it.
    const b2 = await open();
    await signIn(b2.page, secLate.username, PASSWORD);
    await b2.page.getByRole('navigation').first().waitFor();
    expect(await b2.page.getByRole('link', { name: '年报催报' }).count()).toBe(0);
  });

  it('a supervisor saves the filtered work list as a view shared with the township; another supervisor opens it from the list', async () => {
    const sup = await s.userWith([{ role: 'supervisor', org: town }]);
    const b = await open();
    const { page } = b;
    await signIn(page, sup.username, PASSWORD);
    await page.goto(`/work?org=${v1}&overdue=true`);
    await page.getByTestId('work-list').waitFor();
    const views = page.getByTestId('saved-views');
    await views.getByLabel('视图名称').fill('青石村逾期');
    await views.getByLabel('共享范围').selectOption(town);
    await views.getByRole('button', { name: '保存当前筛选为视图' }).click();
    await views.getByRole('link', { name: '青石村逾期' }).waitFor();
    await b.shot('view-1-saved');
    expect(await a11yViolations(page)).toEqual([]);

    const other = await s.userWith([{ role: 'supervisor', org: town }]);
    const b2 = await open();
    await signIn(b2.page, other.username, PASSWORD);
    await b2.page.goto('/work');
    const link = b2.page.getByTestId('saved-views').getByRole('link', { name: '青石村逾期' });
    await link.waitFor();
    await link.click();
    await b2.page.waitForURL((u) => u.searchParams.get('org') === v1 && u.searchParams.get('overdue') === 'true');
    await b2.page.getByTestId('work-list').waitFor();
    const shown = await b2.page.getByTestId('work-list').locator('[data-task-id]').count();
    expect(shown).toBe(2);
    await b2.shot('view-2-opened-by-colleague');
    expect(await a11yViolations(b2.page)).toEqual([]);
  });
});
