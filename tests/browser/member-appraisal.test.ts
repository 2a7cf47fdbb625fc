import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, uniqueCode, type Stack, importRoster } from '../helpers/context.js';
import { join } from 'node:path';
import { a11yViolations, artifacts, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { memberAppraisalId } from '../../workflows/member-appraisal/workflow.js';

// 民主评议党员 in Chromium: the county's organizer issues the year's plan (through the API) for a branch of four; the
// talks and the 组织生活会 are recorded through the API; the secretary, on a phone, files the 民主测评's result from the
// inbox — four took part, one member picked from the register by name and rated 不合格, everyone else 合格 — and,
// once the township approves it, reads the grade and the time to improve on the member's page. Screenshots in
// tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };

describe.skipIf('skip' in browser)(`member appraisal (民主评议党员) in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-4);
  const chain = countyChain(uniqueCode('MK'));
  const [township, branch] = [uniqueCode('MT'), uniqueCode('MB')];
  // Names of nobody else in the suite's database: the picker searches the branch's register by name.
  const names = ['卫东升', '蒋玉梅', '沈志刚', '韩秀英'].map((n) => `${n}${tag}`);
  const today = shanghaiDate(Date.now());
  const year = Number(today.slice(0, 4));
  const workflowId = () => memberAppraisalId(branch, year);
  let secretary: { username: string; authorization: string };
  let townshipOrganizer: { authorization: string };

  const taskOf = (taskKey: string) =>
    eventually(`the task ${taskKey}`, async () => {
      const [t] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId()} and task_key = ${taskKey}`;
      return t?.id;
    });
  const complete = async (who: { authorization: string }, id: number, outcome: object) => {
    const r = await s.app.inject({ method: 'POST', url: `/api/v1/tasks/${id}/complete`, headers: { authorization: who.authorization }, payload: { outcome } });
    expect(r.statusCode, r.body).toBe(200);
  };

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: `清河镇党委${tag}` }),
      orgRow(branch, township, { name: `柳林村党支部${tag}` }),
    ]);
    const seq = 100 + Math.floor(Math.random() * 800);
    const rows = names.map(
      (n, i) =>
        `${n},${i % 2 ? '女' : '男'},${withCheckDigit(`420107${1965 + i}0606${String(seq + i).padStart(3, '0')}`)},2001-07-01,2002-07-01,正式党员,${branch}`,
    );
    await importRoster(s, rows);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    townshipOrganizer = await s.userWith([{ role: 'organizer', org: township }]);
    const organizer = await s.userWith([{ role: 'organizer', org: chain.county }]);
    const plan = await s.app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${chain.county}/member-appraisals`,
      headers: { authorization: organizer.authorization },
      payload: { year, reportBy: addDays(today, 30) },
    });
    expect(plan.statusCode, plan.body).toBe(202);
    expect(plan.json()).toEqual({ started: 1, running: 0 });
  });

  it("the secretary files the result on a phone, rating one member 不合格, and reads the grade on the member's page", async () => {
    await complete(secretary, await taskOf('talks'), { talksOn: today, note: '书记与四名党员逐一谈心谈话' });
    await complete(secretary, await taskOf('life-meeting'), { lifeMeetingOn: today, topic: '对照党章党规找差距', minutes: '党员逐一开展批评与自我批评。' });
    const resultTask = await taskOf('appraisal');

    const sec = await sessions.open(phone);
    const { page } = sec;
    await signIn(page, secretary.username, PASSWORD);
    await page.goto('/tasks');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    await page.locator(`[data-task-id="${resultTask}"]`).getByRole('link').first().click();
    const form = page.getByTestId('task-form');
    await form.waitFor();
    await form.locator('#f-voters').fill('4');
    await form.getByRole('button', { name: '添加一名党员' }).click();
    await form.locator('#f-rated-0-member').fill(names[1]!.slice(0, 3));
    const [ratedId] = (await s.sql<{ id: string }[]>`select id from members where name = ${names[1]!}`).map((m) => Number(m.id));
    await form.locator(`[role="option"][data-value="${ratedId}"]`).click();
    await form.locator('[name="rated-0-reason"]').selectOption({ label: '不合格' });
    await sec.shot('member-appraisal-1-result-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    expect(await a11yViolations(page)).toEqual([]);
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();

    // The township approves: every member's grade kept, the 不合格 member's time to improve opened.
    await complete(townshipOrganizer, await taskOf('appraisal-review'), { decision: 'approve' });
    await taskOf(`improvement-${ratedId}`);
    const grades = await s.sql<{ name: string; rating: string }[]>`
      select m.name, a.rating from member_appraisals a join members m on m.id = a.member_id where a.workflow_id = ${workflowId()} order by m.name`;
    expect(Object.fromEntries(grades.map((g) => [g.name, g.rating]))).toEqual(
      Object.fromEntries(names.map((n) => [n, n === names[1] ? 'unqualified' : 'qualified'])),
    );

    await page.goto(`/members/${ratedId}`);
    const grade = page.getByTestId('member-appraisal');
    await grade.waitFor();
    expect(await grade.getAttribute('data-rating')).toBe('unqualified');
    const text = (await grade.textContent()) ?? '';
    expect(text).toContain(`${year}年度`);
    expect(text).toContain('不合格');
    expect(text).toContain('限期改正至');
    await grade.screenshot({ path: join(artifacts, 'member-appraisal-2-member-page-phone.png') });
    await sec.shot('member-appraisal-3-member-page-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    expect(await a11yViolations(page)).toEqual([]);
    expect(sec.errors).toEqual([]);
  });
});
