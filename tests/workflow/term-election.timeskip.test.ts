import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { timeSkipping } from '../helpers/time-skipping.js';
import { termElection } from '../../workflows/term-election.js';
import { completeTaskUpdate, machineActor, processStateQuery } from '../../workflows/messages.js';
import { addMonths, shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { WorkingCalendar } from '../../src/domain/calendar.js';

describe('term register at real durations (time-skipping server)', () => {
  const sql = testSql();
  let ts: Awaited<ReturnType<typeof timeSkipping>>;
  beforeAll(async () => {
    ts = await timeSkipping(sql);
  });
  afterAll(async () => {
    await ts?.env.teardown();
    await sql.end();
  });

  it('sleeps until six months before the term ends, opens the request task, reminds at three months', async () => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    const today = shanghaiDate(Date.now());
    // A five-year term that started four years ago ends in a year.
    await addOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_years: 5, term_started_on: addMonths(today, -48) }),
    ]);
    const termEndsOn = addMonths(today, 12);
    const workflowId = `term-election:${code}`;
    const tasksOf = () => sql<{ id: number; state: string; opened_at: Date; due_at: Date }[]>`
      select id, state, opened_at, due_at from tasks where workflow_id = ${workflowId}`;

    await ts.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(termElection, {
        workflowId,
        taskQueue: ts.taskQueue,
        args: [{ organization: code }],
      });
      await ts.env.sleep('150 days');
      expect(await tasksOf()).toEqual([]);
      expect((await handle.query(processStateQuery)).step).toBe('term-register');

      // Past the six-month reminder: the task is open, opened on the workflow's clock at the reminder date.
      await ts.env.sleep('60 days');
      const [task] = await tasksOf();
      expect(task).toBeDefined();
      expect(task!.state).toBe('open');
      expect(task!.opened_at.getTime()).toBeGreaterThanOrEqual(shanghaiInstant(addMonths(termEndsOn, -6)).getTime());
      expect(task!.opened_at.getTime()).toBeLessThan(shanghaiInstant(addMonths(termEndsOn, -6)).getTime() + 60_000);
      const dueOn = new WorkingCalendar().workdayOnOrBefore(addMonths(termEndsOn, -2));
      expect(task!.due_at.toISOString()).toBe(shanghaiInstant(dueOn, 18).toISOString());
      const state = await handle.query(processStateQuery);
      expect(state).toMatchObject({ step: 'election-request', tasks: [{ taskKey: 'election-request', state: 'open' }] });

      // Past the three-month term reminder, before the task's own working-day reminders (weeks before it is due;
      // tests/workflow/human-task.timeskip.test.ts walks those).
      await ts.env.sleep('75 days');
      const reminders = await sql`select event_key, at from task_events where task_id = ${task!.id} and kind = 'reminded' order by at`;
      expect(reminders.map((r) => r.event_key)).toEqual(['reminder-3m']);

      // A wrong task key is refused by the validator; the right one completes the run.
      await expect(
        handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: 'no-such-task', actor: machineActor('sec') }] }),
      ).rejects.toThrow();
      const view = await handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: 'election-request', actor: machineActor('sec') }] });
      expect(view.state).toBe('done');
      await handle.result();
      const [proc] = await sql`select status, current_step from processes where workflow_id = ${workflowId}`;
      expect(proc).toMatchObject({ status: 'completed', current_step: 'election-requested' });
      const history = await sql`select event_key from process_events where workflow_id = ${workflowId} order by at, event_key`;
      expect(history.map((h) => h.event_key)).toEqual(['registered', 'request-opened', 'request-filed']);
    });
  });
});
