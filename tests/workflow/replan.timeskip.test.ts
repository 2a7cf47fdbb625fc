import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { timeSkipping } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { taskProcess } from '../../workflows/task-process.js';
import { machineActor, replanTaskUpdate, tasksQuery } from '../../workflows/messages.js';
import { WorkingCalendar } from '../../src/domain/calendar.js';
import { addDays } from '../../src/domain/dates.js';
import { planTask, type PlanInput } from '../../src/domain/task-plan.js';

// A task planned without 2027's holidays escalates inside the National Day holiday; re-planned when the year
// is loaded, its timers move: nothing fires at the provisional instants, everything at the corrected ones.
describe('a provisional task re-planned (time-skipping server)', () => {
  const sql = testSql();
  let ts: Awaited<ReturnType<typeof timeSkipping>>;
  beforeAll(async () => {
    ts = await timeSkipping(sql);
  });
  afterAll(async () => {
    await ts?.env.teardown();
    await sql.end();
  });

  it('moves its due date, reminders and escalations to the corrected plan', async () => {
    const [township, village] = [uniqueCode('Z'), uniqueCode('V')];
    await addOrganizations(sql, [orgRow(township, '', { type: 'committee', sector: 'regional' }), orgRow(village, township)]);
    const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    const workflowId = `task:replan:${village}`;
    const at = (iso: string) => new Date(iso).getTime();
    const sleepUntil = async (iso: string) => ts.env.sleep(at(iso) + 60_000 - (await ts.env.currentTimeMs()));
    const escalations = () => sql<{ level: number; opened_at: Date }[]>`
      select e.level, e.opened_at from escalations e join tasks t on t.id = e.task_id where t.workflow_id = ${workflowId} order by e.level`;

    await ts.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(taskProcess, {
        workflowId,
        taskQueue: ts.taskQueue,
        args: [{ task: { key: 'venue', step: 'deliverable', organizationId: org!.id, assigneeRole: 'secretary', due: { on: '2027-10-01' } } }],
      });
      await ts.env.sleep('1 hour');
      const [row] = await sql<{ id: number; due_at: Date; provisional_years: number[]; plan_input: PlanInput }[]>`
        select id, due_at, provisional_years, plan_input from tasks where workflow_id = ${workflowId}`;
      expect(row).toMatchObject({ due_at: new Date('2027-10-01T10:00:00Z'), provisional_years: [2027] });

      // 2027 loaded (illustrative: 1–7 October off, 26 September and 9 October worked): the plan computed again.
      const days = new Map<string, boolean>([
        ['2027-09-26', true],
        ['2027-10-09', true],
      ]);
      for (let d = '2027-10-01'; d <= '2027-10-07'; d = addDays(d, 1)) days.set(d, false);
      const plan = planTask(new WorkingCalendar(days, [2027]), row!.plan_input);
      expect(plan.escalations.map((e) => e.at)).toEqual(['2027-10-11T10:00:00.000Z', '2027-10-20T10:00:00.000Z', '2027-11-03T10:00:00.000Z']);
      const view = await handle.executeUpdate(replanTaskUpdate, {
        args: [{ taskKey: 'venue', actor: machineActor('admin'), reason: '2027 年节假日安排已载入', plan }],
      });
      expect(view.dueAt).toBe('2027-09-30T10:00:00.000Z');
      // Only an admin re-plans.
      await expect(
        handle.executeUpdate(replanTaskUpdate, {
          args: [{ taskKey: 'venue', actor: { username: 's', grants: [{ role: 'secretary', path: '' }] }, reason: '试试看', plan }],
        }),
      ).rejects.toThrow();

      // The provisional plan's first escalation (Wednesday 6 October, inside the holiday) does not fire.
      await sleepUntil('2027-10-06T10:00:00Z');
      expect(await escalations()).toEqual([]);
      // The corrected one does, on Monday 11 October.
      await sleepUntil('2027-10-11T10:00:00Z');
      expect((await escalations()).map((e) => [e.level, e.opened_at.toISOString().slice(0, 10)])).toEqual([[1, '2027-10-11']]);
      const reminded = await sql<{ event_key: string; at: Date }[]>`
        select event_key, at from task_events where task_id = ${row!.id} and kind = 'reminded' order by at`;
      // 7 and 1 working days before Thursday 30 September (29, 28, 27, Sunday 26 worked, 24, 23, 22): 22 and 29 September, once each.
      expect(reminded.map((r) => [r.event_key, r.at.toISOString().slice(0, 10)])).toEqual([
        ['reminder-7wd-g1', '2027-09-22'],
        ['reminder-1wd-g1', '2027-09-29'],
      ]);
      // The sweep recorded the level on the task row; the workflow, not woken by it, keeps the corrected plan.
      expect((await sql<{ state: string; escalation_level: number }[]>`select state, escalation_level from tasks where id = ${row!.id}`)[0]).toEqual({
        state: 'escalated',
        escalation_level: 1,
      });
      expect((await handle.query(tasksQuery))[0]).toMatchObject({ dueAt: '2027-09-30T10:00:00.000Z' });
      // Replayed by tests/workflow/replay.test.ts: the replanTask Update's path must stay deterministic.
      await recordHistory('task-replanned', workflowId, await handle.fetchHistory());
      await handle.terminate('end of test');
    });
  }, 120_000);
});
