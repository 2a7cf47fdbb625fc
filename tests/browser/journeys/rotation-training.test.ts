import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, uniqueCode } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { addDays, shanghaiDate } from '../../../src/domain/dates.js';
import { startJourney, type Journey, pick } from './journey.js';

// 轮训 (domain.md §4.3), in Chromium, each step by its own role: the county organizer starts both village
// secretaries' first cycles from the dashboard (发起流程: 书记轮训, the village picked by name), creates a session and
// enrols them; the first village's secretary finds the training on a phone but does not certify their own attendance:
// the organizer, who holds the session, records it on the task's page, which closes the cycle (the next one is
// registered to start when this one ends); the organizer records the second village's new secretary on its
// organization page (书记变更), which closes its cycle and opens a new one at once, and the new secretary finds the
// new cycle's training in "my tasks" on a phone.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: rotation training${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const [county, township, va, vb] = [uniqueCode('RK'), uniqueCode('RT'), uniqueCode('RA'), uniqueCode('RB')];
  const names = { [va]: `东湾村党支部${va}`, [vb]: `西岭村党支部${vb}` };
  const session = uniqueCode('S');
  const today = shanghaiDate(Date.now());

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'training');
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(va, township, { name: names[va], secretary_name: '王芳' }),
      orgRow(vb, township, { name: names[vb], secretary_name: '赵刚' }),
    ]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('enrols, records attendance, closes the cycle, and a new secretary opens a new one', async () => {
    const organizer = await j.person('organizer', county);
    const op = organizer.page;
    // The organizer starts each secretary's first cycle from the dashboard: 书记轮训, the village picked by name.
    await op.getByRole('link', { name: '工作看板' }).click();
    const start = op.getByTestId('start-process');
    await start.getByLabel('流程', { exact: true }).selectOption({ label: '书记轮训' });
    for (const v of [va, vb]) {
      await pick(start, '#start-org', names[v]!.slice(0, 3), v);
      await start.getByRole('button', { name: '发起', exact: true }).click();
      await start.getByText(`已发起：rotation-training:${v}`).waitFor();
    }
    await j.screen(organizer, '00-organizer-starts-training');
    const taskA = await j.openTask(`rotation-training:${va}`, 'training');
    const taskB1 = await j.openTask(`rotation-training:${vb}`, 'training');

    // Enrolment: the organizer creates the session and enrols both secretaries from the dashboard.
    const bulk = op.getByTestId('bulk-enrol');
    await bulk.getByRole('button', { name: '新建培训班' }).click();
    await bulk.getByLabel(/^培训班编码/).fill(session);
    await bulk.getByLabel('培训班名称').fill('村党组织书记轮训班');
    await pick(bulk, '#ns-organization', '清河县委', county);
    await bulk.getByLabel('开班日期').fill(today);
    await bulk.getByLabel('结业日期').fill(addDays(today, 4));
    await bulk.getByRole('button', { name: '创建培训班' }).click();
    await bulk.getByText(`已创建培训班 ${session}`).waitFor();
    for (const v of [va, vb]) await bulk.getByLabel(names[v]!).check();
    await j.screen(organizer, '01-organizer-enrols');
    await bulk.getByRole('button', { name: '为所选书记报名' }).click();
    const result = bulk.getByTestId('bulk-result');
    await expect.poll(() => result.textContent(), { timeout: 60_000 }).toContain('2');
    await j.screen(organizer, '02-organizer-enrolled');
    expect(
      (await j.s.sql`select count(*)::int as n from training_enrolments e join training_sessions s on s.id = e.session_id where s.code = ${session}`)[0]!.n,
    ).toBe(2);

    // Village A's secretary, on a phone, finds the training in "my tasks" with the session on the page, and no form:
    // a trainee does not certify their own attendance (domain.md §4.3).
    const secretaryA = await j.person('secretary', va);
    await secretaryA.page.goto('/tasks');
    await secretaryA.page.getByRole('heading', { name: '我的待办' }).waitFor();
    await secretaryA.page.locator(`[data-task-id="${taskA}"]`).getByRole('link').first().click();
    await expect.poll(() => secretaryA.page.getByTestId('decides-on').textContent(), { timeout: 30_000 }).toContain(session);
    expect(await secretaryA.page.getByTestId('task-form').count()).toBe(0);
    await j.screen(secretaryA, '03-secretary-training');
    // The organizer of the county holding the session records the attendance on the task's page (the session began today).
    await op.goto(`/tasks/${taskA}`);
    await op.getByTestId('task-form').waitFor();
    await j.fill(organizer, 'rotation-training', 'training', { session, attended: 'true' });
    await j.screen(organizer, '03-organizer-attendance');
    await j.submit(organizer);
    const [doneA] = await j.s.sql<{ actor: string }[]>`select actor from task_events where task_id = ${taskA} and kind = 'completed'`;
    expect(doneA?.actor).toBe(organizer.username);
    await op.getByRole('link', { name: '工作看板' }).click();
    // The cycle closed as trained; the next one waits for this one's end (no task yet).
    await expect
      .poll(
        async () => (await j.s.sql<{ step: string }[]>`select current_step as step from processes where workflow_id = ${`rotation-training:${va}`}`)[0]?.step,
        { timeout: 60_000 },
      )
      .toBe('cycle-waiting');
    await secretaryA.page.goto('/tasks');
    await secretaryA.page.getByRole('heading', { name: '我的待办' }).waitFor();
    await secretaryA.page.getByText('没有待办事项。').waitFor();
    await j.screen(secretaryA, '04-secretary-cycle-closed');

    // Training coverage on the dashboard counts village A as trained.
    await op.reload();
    const coverage = op.getByTestId('training-coverage');
    await coverage.waitFor();
    await j.screen(organizer, '05-organizer-coverage');

    // Village B gets a new secretary: the organizer finds the village by name and records it on its page (书记变更),
    // which closes its cycle and opens a new one. The page offers no second start of the running training.
    await op.getByRole('link', { name: '组织架构' }).click();
    await op.getByLabel('搜索党组织').fill('西岭村');
    await op.getByRole('button', { name: '搜索', exact: true }).click();
    await op
      .getByRole('search')
      .getByRole('link', { name: new RegExp(names[vb]!) })
      .click();
    const processes = op.getByTestId('org-processes');
    await processes.getByText(/书记轮训进行中/).waitFor();
    expect(await processes.getByRole('button', { name: '发起书记轮训' }).count()).toBe(0);
    const form = op.getByTestId('secretary-change');
    await form.getByLabel(/^新任书记/).fill('孙丽');
    await form.getByLabel('变更原因').fill('原书记调任');
    await j.screen(organizer, '05-organizer-secretary-change');
    await form.getByRole('button', { name: '登记书记变更' }).click();
    await form.getByText(/^已登记新任书记 孙丽：第 1 期轮训已结束，新一期轮训已开始。$/).waitFor();
    // The register on the same page now names the new secretary.
    await op.getByTestId('org-details').getByText('孙丽', { exact: true }).waitFor();
    await j.screen(organizer, '05-organizer-secretary-changed');
    await eventually(
      'the first cycle’s task closed',
      async () => (await j.s.sql<{ state: string }[]>`select state from tasks where id = ${taskB1}`)[0]?.state === 'cancelled',
      60_000,
    );
    const taskB2 = await eventually(
      'the new cycle’s training task',
      async () =>
        (
          await j.s.sql<
            { id: number }[]
          >`select id from tasks where workflow_id = ${`rotation-training:${vb}`} and step = 'training' and state = 'open' and id <> ${taskB1}`
        )[0]?.id,
      60_000,
    );
    const secretaryB = await j.person('secretary', vb);
    // In "my tasks" (the training is theirs to attend; its attendance is the organizer's to record: no form).
    await secretaryB.page.goto('/tasks');
    await secretaryB.page.getByRole('heading', { name: '我的待办' }).waitFor();
    const itemB = secretaryB.page.locator(`[data-task-id="${taskB2}"]`);
    await expect
      .poll(
        async () => {
          if ((await itemB.count()) > 0) return true;
          await secretaryB.page.reload();
          return false;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
    await j.screen(secretaryB, '06-new-secretary-new-cycle-inbox');
    await itemB.getByRole('link').first().click();
    await expect.poll(() => secretaryB.page.getByTestId('decides-on').textContent(), { timeout: 30_000 }).toContain('孙丽');
    expect(await secretaryB.page.getByTestId('task-form').count()).toBe(0);
    await j.screen(secretaryB, '06-new-secretary-task');
  });
});
