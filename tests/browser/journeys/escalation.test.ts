import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, uniqueCode } from '../../helpers/context.js';
import type { Locator } from 'playwright-core';
import { prepareBrowser } from '../../helpers/browser.js';
import { addDays, addMonths, shanghaiDate } from '../../../src/domain/dates.js';
import { startJourney, type Journey, pick } from './journey.js';

// A supervisor acts on escalations in the overdue page (domain.md §3): two villages whose election requests were
// due three weeks ago (due dates set from the term register, not shortened timers) and have escalated to the
// township (level 2). The township's supervisor acknowledges one escalation,
// closes it with a reason (refused without one), reassigns that village's overdue request to its new secretary,
// who files it on a phone, and extends the other village's request with a reason; both leave the overdue page.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: escalation${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const [county, township, va, vb] = [uniqueCode('EK'), uniqueCode('ET'), uniqueCode('EA'), uniqueCode('EB')];
  const names = { [va]: `东湾村党支部${va}`, [vb]: `西岭村党支部${vb}` };
  const today = shanghaiDate(Date.now());

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'escalation');
    // Terms ending in two months less three weeks: the request (due two months before the end) is three weeks late,
    // past the township's escalation (10 working days), short of the county's (20).
    const ended = { term_years: 5, term_started_on: addDays(addMonths(today, -58), -21) };
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(va, township, { ...ended, name: names[va] }),
      orgRow(vb, township, { ...ended, name: names[vb] }),
    ]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('acknowledges, closes, reassigns and extends: the escalated work leaves the overdue page', async () => {
    // The county organizer starts both elections from the term register (terms already over).
    const organizer = await j.person('organizer', county);
    const op = organizer.page;
    await op.getByRole('link', { name: '工作看板' }).click();
    for (const v of [va, vb]) {
      await pick(op, '#start-org', names[v]!, v);
      await op.getByRole('button', { name: '发起', exact: true }).click();
      await op.getByText(`已发起：term-election:${v}`).waitFor();
    }
    const taskA = await j.openTask(`term-election:${va}`, 'election-request');
    const taskB = await j.openTask(`term-election:${vb}`, 'election-request');
    // Three weeks late when it opens: escalated straight to the township (level 2).
    const l2 = async (task: number) =>
      eventually(
        `the level-2 escalation of task ${task}`,
        async () => (await j.s.sql<{ id: number }[]>`select id from escalations where task_id = ${task} and level = 2`)[0]?.id,
        60_000,
      );
    const [escA, escB] = [await l2(taskA), await l2(taskB)];

    /** An organization's overdue tasks, shown (a button shows them when many organizations are listed). */
    const showTasks = (group: Locator, item: Locator) =>
      expect
        .poll(
          async () => {
            if (await item.count()) return true;
            const more = group.getByRole('button', { name: '显示任务' });
            if (await more.count()) await more.click();
            return false;
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);

    const supervisor = await j.person('supervisor', township);
    const page = supervisor.page;
    await page.getByRole('link', { name: '逾期督办' }).click();
    await page.getByRole('heading', { name: '逾期督办' }).waitFor();
    const esc = page.locator(`[data-escalation-id="${escA}"]`);
    await esc.waitFor();
    await page.locator(`[data-escalation-id="${escB}"]`).waitFor();
    expect(await esc.getByTestId('escalation-state').textContent()).toBe('待处理');
    expect(await esc.textContent()).toContain('第 2 级');
    const groupA = page.locator(`[data-org="${va}"]`);
    const groupB = page.locator(`[data-org="${vb}"]`);
    await groupA.waitFor();
    await groupB.waitFor();
    await j.screen(supervisor, '01-supervisor-overdue');

    // Acknowledge, then close with a reason (refused without one, beside the field).
    await esc.getByRole('button', { name: '已知悉' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('已知悉：操作已完成。');
    await expect.poll(() => esc.getByTestId('escalation-state').textContent()).toBe('已知悉');
    await esc.getByRole('button', { name: '关闭督办' }).click();
    await esc.getByRole('button', { name: '提交' }).click();
    await esc.locator(`#esc-${escA}-reason-error`).waitFor();
    await j.screen(supervisor, '02-supervisor-close-needs-reason');
    await esc.getByLabel('理由').fill('已约谈村党支部书记，本周内报送换届请示');
    await esc.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('关闭督办：操作已完成。');
    await expect.poll(() => esc.count()).toBe(0);
    expect((await j.s.sql`select state from escalations where id = ${escA}`)[0]!.state).toBe('closed');

    // Reassign village A's overdue request to its new secretary.
    const newSecretary = await j.person('secretary', va);
    const itemA = page.locator(`[data-task-id="${taskA}"]`);
    await showTasks(groupA, itemA);
    const actionsA = page.getByTestId(`actions-${taskA}`);
    await actionsA.getByRole('button', { name: '改派' }).click();
    await pick(actionsA, `#act-${taskA}-assignee`, newSecretary.username, newSecretary.username);
    await actionsA.getByLabel('理由').fill('原书记调离，由新任书记报送');
    await j.screen(supervisor, '03-supervisor-reassign');
    await actionsA.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('改派：操作已完成。');
    expect((await j.s.sql`select assignee_person from tasks where id = ${taskA}`)[0]!.assignee_person).toBe(newSecretary.username);

    // Extend village B's request with a reason: no longer overdue, its escalations closed.
    const itemB = page.locator(`[data-task-id="${taskB}"]`);
    await showTasks(groupB, itemB);
    const actionsB = page.getByTestId(`actions-${taskB}`);
    await actionsB.getByRole('button', { name: '延期' }).click();
    await actionsB.getByLabel('新的截止日期').fill(addDays(today, 30));
    await actionsB.getByRole('button', { name: '提交' }).click();
    await actionsB.locator('[id$="reason-error"]').waitFor(); // a reason is required
    await actionsB.getByLabel('理由').fill('村“两委”班子调整中，经研究延期一个月报送');
    await j.screen(supervisor, '04-supervisor-extend');
    await actionsB.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('延期：操作已完成。');
    await expect
      .poll(async () => (await j.s.sql<{ state: string }[]>`select state from escalations where task_id = ${taskB}`).map((r) => r.state))
      .not.toContain('open');
    const [audit] = await j.s.sql<{ actor: string; reason: string }[]>`select actor, reason from task_events where task_id = ${taskB} and kind = 'extended'`;
    expect(audit?.actor).toBe(supervisor.username);
    expect(audit?.reason).toContain('延期一个月报送');

    // The new secretary files A's request on a phone.
    await j.complete(newSecretary, taskA, { electionDate: addMonths(today, 1), seats: '5', nominationMethod: 'combined' }, '05-new-secretary-files');

    // Back on the overdue page: neither village is overdue, and no escalation of theirs waits.
    await page.reload();
    await page.getByRole('heading', { name: '逾期督办' }).waitFor();
    await page.getByTestId('escalations').waitFor();
    await expect.poll(() => groupA.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => groupB.count()).toBe(0);
    expect(await page.locator(`[data-escalation-id="${escB}"]`).count()).toBe(0);
    await j.screen(supervisor, '06-supervisor-overdue-cleared');
  });
});
