import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { taskProcess } from '../../workflows/task-process.js';
import { browser, webUi, webUiTitle, PASSWORD } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('overdue work and escalations, as a supervisor acts on them'), () => {
  const ui = webUi();
  const { root, township, v3, v4, open, electionTask } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('a supervisor sees an overdue task, acts on it and reads its history', async () => {
    const taskId = await electionTask(v3);
    // Time passes: the request is now two weeks late.
    await s.sql`update tasks set due_at = now() - interval '14 days' where id = ${taskId}`;
    const supervisor = await s.userWith([{ role: 'supervisor', org: root }]);
    // The new holder: the township's organizer, who may do the step for the village (a task goes only to someone
    // whose role may do its step there).
    const newHolder = await s.userWith([{ role: 'organizer', org: township }]);
    const b = await open();
    const { page } = b;
    await signIn(page, supervisor.username, PASSWORD);
    await expect.poll(() => page.url()).toMatch(/\/overdue$/); // a supervisor's home
    const item = page.locator(`[data-task-id="${taskId}"]`);
    await item.waitFor();
    expect(await item.getByTestId('overdue-badge').textContent()).toContain('已逾期');
    expect(await item.textContent()).toContain('逾期 14 天');
    expect(await page.locator(`[data-org="${v3}"]`).textContent()).toContain(`南塘村党支部${v3}`);
    await b.shot('supervisor-1-overdue');

    // Reassign, with a reason (required: the form says so next to the field and sends nothing).
    const actions = page.getByTestId(`actions-${taskId}`);
    await actions.getByRole('button', { name: '改派' }).click();
    await actions.getByRole('button', { name: '提交' }).click();
    await actions.locator(`#act-${taskId}-reason-error`).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`act-${taskId}-assignee`);
    await actions.locator(`#act-${taskId}-assignee`).fill(newHolder.username);
    await actions.getByLabel('理由').fill('原书记调离，由镇组织委员代办');
    await actions.getByRole('button', { name: '提交' }).click();
    // The confirmation is the page's: the reloaded list may no longer hold the task once it has a new holder.
    const notice = page.getByTestId('action-notice');
    await expect.poll(() => notice.textContent(), { timeout: 60_000 }).toBe('改派：操作已完成。');
    // Keyboard and screen-reader users continue from the confirmation, not from a row that may be gone.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('action-notice');
    const [ev] = await s.sql<
      { kind: string; actor: string; reason: string }[]
    >`select kind, actor, reason from task_events where task_id = ${taskId} order by id desc limit 1`;
    expect(ev).toMatchObject({ kind: expect.stringMatching(/reassign/), actor: supervisor.username, reason: '原书记调离，由镇组织委员代办' });
    expect((await s.sql`select assignee_person from tasks where id = ${taskId}`)[0]!.assignee_person).toBe(newHolder.username);
    await b.shot('supervisor-2-reassign');
    expect(await a11yViolations(page)).toEqual([]);

    // A reassigned task may leave the overdue list (the new assignee gets a deadline of their own): open it directly,
    // by an old link that still names its process (?p=, ignored). A supervisor steers above the village: the
    // request's form is there for them too, as the API's actions say.
    const [row] = await s.sql<{ workflow_id: string }[]>`select workflow_id from tasks where id = ${taskId}`;
    await page.goto(`/tasks/${taskId}?p=${encodeURIComponent(row!.workflow_id)}`);
    await page.getByTestId('history').getByText('换届请示 · 下达任务').waitFor();
    await page.getByTestId('task-form').waitFor();
    expect(await page.textContent('main')).not.toContain('election-request');
    await b.shot('supervisor-3-task-history');
    expect(b.errors).toEqual([]);
  });

  it('a supervisor acknowledges and closes an escalation and claims the escalated task', async () => {
    // A report task at v4 two hours late whose escalations fall due at once: level 1 (the village secretary)
    // and level 2 (the township's supervisors).
    const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${v4}`;
    const workflowId = `task:report:${v4}`;
    const now = Date.now();
    await s.client.workflow.start(taskProcess, {
      workflowId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [
        {
          task: {
            key: 'report',
            step: 'report',
            organizationId: org!.id,
            assigneeRole: 'secretary',
            due: { workingDays: 5 },
            plan: {
              dueAt: new Date(now - 2 * 3_600_000).toISOString(),
              reminders: [],
              escalations: [
                { level: 1, workingDaysAfter: 3, at: new Date(now + 500).toISOString() },
                { level: 2, workingDaysAfter: 10, at: new Date(now + 1_500).toISOString() },
                { level: 3, workingDaysAfter: 20, at: new Date(now + 400 * 86_400_000).toISOString() },
              ],
            },
          },
        },
      ],
    });
    const escs = await eventually('two escalations', async () => {
      const r = await s.sql<{ id: number; level: number }[]>`
        select e.id, e.level from escalations e join tasks t on t.id = e.task_id where t.workflow_id = ${workflowId} order by e.level`;
      return r.length === 2 ? r : null;
    });
    const [, l2] = escs as unknown as [{ id: number }, { id: number }];
    const [task] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId}`;

    const supervisor = await s.userWith([{ role: 'supervisor', org: root }]);
    const b = await open();
    const { page } = b;
    await signIn(page, supervisor.username, PASSWORD);
    const esc = page.locator(`[data-escalation-id="${l2.id}"]`);
    await esc.waitFor();
    expect(await esc.getByTestId('escalation-state').textContent()).toBe('待处理');
    expect(await esc.textContent()).toContain('第 2 级');
    // The escalated task is listed under its organization at level 2.
    const item = page.locator(`[data-org="${v4}"] [data-task-id="${task!.id}"]`);
    await item.waitFor();
    expect(await page.locator(`[data-org="${v4}"] tr[data-level="2"]`).textContent()).toContain('1');
    await b.shot('supervisor-4-escalations');
    expect(await a11yViolations(page)).toEqual([]);

    await esc.getByRole('button', { name: '已知悉' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('已知悉：操作已完成。');
    await expect.poll(() => esc.getByTestId('escalation-state').textContent()).toBe('已知悉');
    expect((await s.sql`select state from escalations where id = ${l2.id}`)[0]!.state).toBe('acknowledged');

    // Closing needs a reason: refused next to the field, then done; the closed escalation leaves the list.
    await esc.getByRole('button', { name: '关闭督办' }).click();
    await esc.getByRole('button', { name: '提交' }).click();
    await esc.locator(`#esc-${l2.id}-reason-error`).waitFor();
    await esc.getByLabel('理由').fill('已电话督促，本周内报送');
    await esc.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('关闭督办：操作已完成。');
    await expect.poll(() => esc.count()).toBe(0);
    expect((await s.sql`select state from escalations where id = ${l2.id}`)[0]!.state).toBe('closed');

    // The supervisor takes the task on.
    await item.getByRole('button', { name: '认领' }).click();
    await expect.poll(() => page.getByTestId('action-notice').textContent(), { timeout: 60_000 }).toBe('认领：操作已完成。');
    expect((await s.sql`select claimed_by from tasks where id = ${task!.id}`)[0]!.claimed_by).toBe(supervisor.username);
    await expect.poll(() => item.textContent()).toContain(`${supervisor.username} 已认领`);
    await b.shot('supervisor-5-escalation-closed');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
