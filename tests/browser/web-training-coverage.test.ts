import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { browser, webUi, webUiTitle, PASSWORD } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('rotation training: bulk enrolment, coverage and 一键催办'), () => {
  const ui = webUi();
  const { root, township, v1, v2, v3, open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('an organizer enrols secretaries in bulk and reads training coverage per county as a chart', async () => {
    for (const v of [v1, v2, v3]) {
      const r = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/rotation-training', payload: { organization: v } });
      expect(r.statusCode, r.body).toBe(201);
    }
    for (const v of [v1, v2, v3]) {
      await eventually(`${v}'s training task`, async () => {
        const [row] = await s.sql`
          select 1 from tasks t join training_cycles c on c.workflow_id = t.workflow_id and c.state = 'open'
          where t.workflow_id = ${`rotation-training:${v}`} and t.step = 'training' and t.state = 'open'`;
        return row;
      });
    }
    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '工作看板' }).click();
    // The county: three secretaries in a cycle, none trained yet.
    const bar = page.getByTestId('training-coverage').locator(`tr[data-county="${root}"]`);
    await bar.waitFor();
    expect(await bar.textContent()).toContain(`测试县委${root}`);
    expect(await bar.textContent()).toContain('0%');
    expect(await bar.textContent()).toContain('0/3 名书记');

    // A session with two seats, created here; enrolling three secretaries enrols two and says why not the third.
    const bulk = page.getByTestId('bulk-enrol');
    const session = uniqueCode('S');
    await bulk.getByRole('button', { name: '新建培训班' }).click();
    await bulk.getByRole('button', { name: '创建培训班' }).click();
    await bulk.locator('#ns-code-error').waitFor();
    await bulk.getByLabel(/^培训班编码/).fill(session);
    await bulk.getByLabel('培训班名称').fill('村党组织书记轮训班');
    await bulk.locator('#ns-organization').fill(township);
    // Begun today: its attendance is recorded below (on or after a session's first day).
    await bulk.getByLabel('开班日期').fill(shanghaiDate(Date.now()));
    await bulk.getByLabel('结业日期').fill(addDays(shanghaiDate(Date.now()), 4));
    await bulk.getByLabel('名额（可不填）').fill('2');
    await bulk.getByRole('button', { name: '创建培训班' }).click();
    await bulk.getByText(`已创建培训班 ${session}`).waitFor();
    // The picker shows the session just created (its text follows the value on the next render).
    await expect.poll(() => bulk.locator('#enrol-session').inputValue()).toBe(session);
    await bulk.getByRole('button', { name: '为所选书记报名' }).click();
    await bulk.locator('#enrol-pick-error').waitFor();
    for (const name of [`东湾村党支部${v1}`, `西岭村党支部${v2}`, `南塘村党支部${v3}`]) await bulk.getByLabel(name).check();
    await bulk.getByRole('button', { name: '为所选书记报名' }).click();
    const result = bulk.getByTestId('bulk-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('已报名 2 个，未能报名 1 个');
    expect(await result.locator('[data-refused]').textContent()).toMatch(/full/);
    const enrolled = await s.sql<{ code: string }[]>`
      select o.code from training_enrolments e join training_sessions t on t.id = e.session_id
      join organizations o on o.id = e.organization_id where t.code = ${session} order by o.code`;
    expect(enrolled.length).toBe(2);
    await b.shot('organizer-3-bulk-enrol');
    expect(await a11yViolations(page)).toEqual([]);

    // Attendance recorded for one of them: the chart shows a third of the county trained.
    const [first] = enrolled;
    const att = await s.app.inject({
      headers: s.admin,
      method: 'POST',
      url: `/api/v1/training-sessions/${session}/attendance`,
      payload: { organizations: [first!.code] },
    });
    expect(att.json().done).toEqual([first!.code]);
    await expect
      .poll(
        async () => {
          await page.reload();
          await bar.waitFor();
          return bar.textContent();
        },
        { timeout: 60_000 },
      )
      .toContain('33.3%');
    expect(await bar.textContent()).toContain('1/3 名书记');
    await b.shot('organizer-4-training-coverage');
    expect(await a11yViolations(page)).toEqual([]);

    // 一键催办 from the chart: the two secretaries whose training is still open get one message each.
    const secretaries = await Promise.all([v1, v2, v3].map((v) => s.userWith([{ role: 'secretary', org: v }])));
    const nudgeCard = page.getByTestId('nudge-rotation-training');
    await nudgeCard.getByRole('button', { name: '一键催办（未办结的本项任务）' }).click();
    await nudgeCard.getByRole('status').waitFor();
    expect(await nudgeCard.getByRole('status').textContent()).toContain('已催办：2 项任务，2 人各收到一条消息');
    const nudged = await s.sql<{ username: string }[]>`
      select u.username from notifications n join users u on u.id = n.user_id
      where n.kind = 'nudge' and u.username in ${s.sql(secretaries.map((x) => x.username))} order by u.username`;
    const untrained = await s.sql<{ code: string }[]>`
      select o.code from tasks t join organizations o on o.id = t.organization_id
      where t.workflow_id in ${s.sql([v1, v2, v3].map((v) => `rotation-training:${v}`))} and t.step = 'training' and t.state = 'open'`;
    expect(nudged.length).toBe(2);
    expect(untrained.map((r) => r.code).sort()).not.toContain(first!.code);
    await b.shot('organizer-4b-training-nudged');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
