import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addOrganizations, committee, countyChain, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, type Session, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';

// 发展党员 in the browser, each step by a person holding only that step's role: the branch secretary records a
// written application of two and a half years ago (so that every half-year's wait has passed and each next task opens
// at once; each day recorded lies between the previous stage's and today, as the rules ask), links the applicant's
// sign-in, and records the branch's steps — the 入党志愿书 among them, as the paper form says it was filled in —; the
// township organizer files, pre-reviews and approves. After the
// township's approval the applicant is a 预备党员 on the branch's register; signed in on a phone with no role they read
// their own case and file their application to become full themselves. Screenshots in tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };

describe.skipIf('skip' in browser)(`发展党员 from the application to the 转正申请 in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-5);
  const chain = countyChain(uniqueCode('RK'));
  const [township, branch] = [uniqueCode('RT'), uniqueCode('RB')];
  const branchName = `青山村党支部${tag}`;
  const name = `林小雨${tag.slice(-2)}`;
  let secretary: { username: string };
  let organizer: { username: string };
  let applicant: { username: string };
  // The case's days, each after the one before and none after today.
  const today = shanghaiDate(Date.now());
  const appliedOn = addMonths(today, -30);
  const activistOn = addMonths(appliedOn, 1);
  const candidateOn = addMonths(activistOn, 12);
  const preReviewedOn = addMonths(candidateOn, 2);
  const formFilledOn = addDays(preReviewedOn, 7);
  const meetingOn = addMonths(candidateOn, 3);
  const opinion = '李三、赵四：该同志入党动机端正，表现突出，同意介绍其入党。';

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: `青山镇党委${tag}` }),
      orgRow(branch, township, { name: branchName }),
    ]);
    const admin = await s.userWith([{ role: 'organizer', org: township }]);
    // Three full members on the branch's register since 2009: the members' meeting's entitled.
    const rows = [0, 1, 2].map((i) => `老党员${i},男,${withCheckDigit(`42010219600101${tag.slice(-2)}${i}`)},2008-07-01,2009-07-01,正式党员,${branch}`);
    const imported = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: admin.authorization, 'content-type': 'text/csv' },
      payload: `姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码\n${rows.join('\n')}\n`,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    organizer = await s.userWith([{ role: 'organizer', org: township }]);
    applicant = await s.userWith([]);
  });

  /** The case's open task of `key`, once the workflow has opened it. */
  const taskOf = (key: string) =>
    eventually(`task ${key}`, async () => {
      const [row] = await s.sql<{ id: number }[]>`
        select t.id from tasks t join applicants a on a.workflow_id = t.workflow_id
        where a.name = ${name} and t.task_key = ${key} and t.state in ('open', 'claimed', 'escalated')`;
      return row?.id;
    });
  /** Fills the catalog's form by its fields' ids and submits it; the task is then done. */
  const fill = async (page: Page, outcome: Record<string, string>) => {
    const form = page.getByTestId('task-form');
    await form.waitFor();
    for (const [field, value] of Object.entries(outcome)) {
      const input = form.locator(`#f-${field}`);
      if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
  };
  const doTask = async (b: Session, key: string, outcome: Record<string, string>) => {
    await b.page.goto(`/tasks/${await taskOf(key)}`);
    await fill(b.page, outcome);
  };

  it('walks the case through the township’s approval, and the applicant files their own 转正申请', async () => {
    const sec = await sessions.open(phone);
    await signIn(sec.page, secretary.username, PASSWORD);
    await sec.page.getByRole('link', { name: '发展党员' }).click();
    await sec.page.getByRole('heading', { name: '发展党员', level: 1 }).waitFor();
    // No applicant yet: the form to record one is open.
    await sec.page.getByText('暂无入党申请人。').waitFor();
    const form = sec.page.getByTestId('record-application');
    await form.locator('#ap-name').fill(name);
    await form.locator('#ap-gender').selectOption('female');
    // Sixteen on the day of the application: refused beside the day, by the API.
    await form.locator('#ap-idNumber').fill(withCheckDigit(`42010220${String(Number(appliedOn.slice(2, 4)) - 16).padStart(2, '0')}0505002`));
    await form.locator('#ap-phone').fill('13900001234');
    await form.locator('#ap-appliedOn').fill(appliedOn);
    await form.getByRole('button', { name: '登记申请' }).click();
    await form.getByText('申请人在申请之日须年满18周岁').waitFor();
    expect(await form.locator('#ap-appliedOn').getAttribute('aria-invalid')).toBe('true');
    await sec.shot('recruitment-1-refused-phone');
    await form.locator('#ap-idNumber').fill(withCheckDigit(`420102199805050${tag.slice(-2)}`));
    await form.getByRole('button', { name: '登记申请' }).click();
    await form.getByText(`已登记${name}的入党申请`).waitFor();

    // The list: an applicant since the day of the application, waiting for the talk — due a month on, long overdue.
    const list = sec.page.getByTestId('applicant-list');
    const row = list.locator('tr', { hasText: name });
    await row.getByRole('link', { name: '与入党申请人谈话' }).waitFor();
    await row.getByText('入党申请人', { exact: true }).waitFor();
    await row.getByTestId('overdue-badge').waitFor();
    // The applicant's sign-in, linked now: theirs will be the application to become full.
    const link = sec.page.getByTestId('link-applicant');
    await link.locator('#al-applicant').selectOption({ index: 1 });
    await link.locator('#al-user').fill(applicant.username);
    await link.getByRole('button', { name: '关联' }).click();
    await link.getByText(`已将${name}关联到账号 ${applicant.username}`).waitFor();
    await row.getByText(applicant.username).waitFor();
    await sec.shot('recruitment-2-list-phone');
    expect(await a11yViolations(sec.page)).toEqual([]);

    // 申请 and 积极分子: the talk (from the list's link) and the branch committee's decision.
    await row.getByRole('link', { name: '与入党申请人谈话' }).click();
    await fill(sec.page, { talkedOn: addDays(appliedOn, 10), talkedBy: '支部书记' });
    await doTask(sec, 'activist', {
      decision: 'accept',
      decidedOn: activistOn,
      recommendedBy: 'members',
      contacts: '张一\n王二',
    });

    // The township's organizer finds it on their page, waiting for the filing, and files it.
    const org = await sessions.open();
    await signIn(org.page, organizer.username, PASSWORD);
    await org.page.goto('/recruitment');
    const theirs = org.page.getByTestId('applicant-list').locator('tr', { hasText: name });
    await theirs.getByText(branchName).waitFor();
    await theirs.getByText('入党积极分子', { exact: true }).waitFor();
    await theirs.getByRole('link', { name: '入党积极分子报上级党委备案' }).click();
    await fill(org.page, { filedOn: addDays(activistOn, 5) });

    // Two half-year reviews (each opens at once: its half-year has passed); the second proposes a 发展对象.
    await doTask(sec, 'activist-review', { reviewedOn: addMonths(activistOn, 6), summary: '学习认真，表现良好', next: 'continue' });
    await doTask(sec, 'activist-review-2', { reviewedOn: candidateOn, summary: '培养满一年，条件成熟', next: 'candidate' });
    await doTask(sec, 'candidate', { decidedOn: candidateOn, introducers: '李三\n赵四' });
    await doTask(org, 'candidate-filing', { filedOn: addDays(candidateOn, 3) });
    await doTask(sec, 'vetting', { vettedOn: addMonths(candidateOn, 1), conclusion: 'pass', trainingDays: '3' });
    await doTask(sec, 'branch-review', { reviewedOn: addDays(addMonths(candidateOn, 1), 10), decision: 'proceed' });
    await doTask(org, 'pre-review', { reviewedOn: preReviewedOn, decision: 'approve' });
    // The 入党志愿书 the pre-review issued, filled in under the two introducers' guidance: the secretary records the
    // paper form on a phone, beside the introducers and the pre-review's day; a day before the pre-review is refused
    // beside the field.
    await sec.page.goto(`/tasks/${await taskOf('application-form')}`);
    await sec.page.getByRole('heading', { name: /填写入党志愿书/, level: 1 }).waitFor();
    const decides = sec.page.getByTestId('decides-on');
    await decides.locator('[data-ctx="introducers"]').getByText('赵四').waitFor();
    await decides.locator('[data-ctx="preReviewedOn"]').waitFor();
    const formPage = sec.page.getByTestId('task-form');
    await formPage.locator('#f-filledOn').fill(addDays(preReviewedOn, -1));
    await formPage.locator('#f-introducerOpinion').fill(opinion);
    await formPage.getByRole('button', { name: '提交' }).click();
    await formPage.getByText('填写日期须在上级党委预审通过之后，且不晚于今天').waitFor();
    expect(await formPage.locator('#f-filledOn').getAttribute('aria-invalid')).toBe('true');
    await sec.shot('recruitment-application-form-phone');
    expect(await a11yViolations(sec.page)).toEqual([]);
    await formPage.locator('#f-filledOn').fill(formFilledOn);
    await formPage.getByRole('button', { name: '提交' }).click();
    await sec.page.getByTestId('task-done').waitFor();
    // The members' meeting, with the form's day before it: the register's three full members entitled, all present and for.
    await sec.page.goto(`/tasks/${await taskOf('admission-meeting')}`);
    await sec.page.getByTestId('decides-on').locator('[data-ctx="formFilledOn"]').waitFor();
    await fill(sec.page, { meetingDate: meetingOn, entitled: '3', present: '3', for: '3', against: '0', abstain: '0' });
    await doTask(org, 'admission-approval', { decidedOn: addDays(meetingOn, 20), decision: 'approve' });

    // A 预备党员 on the branch's register from the meeting's day.
    await org.page.goto(`/orgs/${branch}/members`);
    const member = org.page.getByTestId('member-register').locator('tr', { hasText: name });
    await member.getByText('预备党员').waitFor();
    await org.shot('recruitment-3-register');
    await org.page.goto(`/recruitment?org=${township}`);
    await theirs.getByText('预备党员').first().waitFor();
    await theirs.getByRole('link', { name: '组织入党宣誓' }).waitFor();
    await org.shot('recruitment-4-township-list');
    expect(await a11yViolations(org.page)).toEqual([]);

    // 预备期: the oath and the half-year's review; then the application to become full opens, the member's own.
    await doTask(sec, 'oath', { oathOn: addDays(meetingOn, 30) });
    await doTask(sec, 'probation-review', { reviewedOn: addMonths(meetingOn, 6), summary: '按期参加组织生活' });
    await taskOf('full-application');

    const me = await sessions.open(phone);
    await signIn(me.page, applicant.username, PASSWORD);
    await me.page.getByRole('link', { name: '我的入党申请' }).click();
    await me.page.getByRole('heading', { name: '我的入党申请' }).waitFor();
    await me.page.getByTestId('my-stage').getByText('预备党员').waitFor();
    await me.page.getByTestId('my-waiting').getByText('提交转正申请').waitFor();
    // Their history, in words: the application, the stages and the steps done.
    const history = me.page.getByTestId('my-history');
    await history.getByText('已提交入党申请').waitFor();
    await history
      .getByText(/上级党委谈话并审批预备党员/)
      .first()
      .waitFor();
    expect(await history.textContent()).not.toMatch(/-opened|-completed|\bhist\./);
    await me.shot('recruitment-5-my-application-phone');
    expect(await a11yViolations(me.page)).toEqual([]);
    await me.page.getByRole('link', { name: '去填写' }).click();
    await fill(me.page, { appliedOn: addMonths(meetingOn, 11), text: '本人申请按期转为中共正式党员。' });
    await me.shot('recruitment-6-applied-phone');
    await me.page.goto('/me/application');
    await me.page.getByTestId('my-waiting').getByText('支部党员大会讨论预备党员转正').waitFor();

    for (const b of [sec, org, me]) expect(b.errors).toEqual([]);
    const [done] = await s.sql<{ state: string; actor: string }[]>`
      select t.state, e.actor from tasks t join applicants a on a.workflow_id = t.workflow_id join task_events e on e.task_id = t.id and e.kind = 'completed'
      where a.name = ${name} and t.task_key = 'full-application'`;
    expect(done).toEqual({ state: 'done', actor: applicant.username });
  }, 150_000);

  it('shows a person without an application a word on how one comes about, and no nav item', async () => {
    const other = await s.userWith([]);
    const b = await sessions.open(phone);
    await signIn(b.page, other.username, PASSWORD);
    await b.page.getByRole('heading', { name: '我的待办' }).waitFor();
    expect(await b.page.getByRole('link', { name: '我的入党申请' }).count()).toBe(0);
    await b.page.goto('/me/application');
    await b.page.getByTestId('no-application').waitFor();
    expect(b.errors).toEqual([]);
  });
});
