import { describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { termDateMissing, termDateSweep } from '../../workflows/term-date-missing/workflow.js';
import { termDateRulesFor } from '../../src/domain/term-date-missing/rules.js';
import { machineActor } from '../../workflows/messages.js';
import { loadCalendar } from '../../src/tasks/holders.js';
import { shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { DUE_HOUR } from '../../src/domain/task-plan.js';

// A term missing from the register is chased until it is entered (domain.md §3), at real durations: the task's
// due date, reminders and escalations are counted in working days on the calendar the activities read.
describe('a missing term is chased (time-skipping server, real durations)', () => {
  // A server and worker per test: one test's terminated runs leave nothing behind for the next.
  const t = timeSkippingPerTest();
  const sql = t.sql;
  const actor = machineActor('organizer');
  const chain = () => {
    const [county, town, village] = [uniqueCode('K'), uniqueCode('T'), uniqueCode('M')];
    return {
      county,
      town,
      village,
      rows: [
        orgRow(county, '', { type: 'committee', sector: 'regional' }),
        orgRow(town, county, { type: 'committee', sector: 'regional' }),
        orgRow(village, town, { term_years: null, term_started_on: null }),
      ],
    };
  };
  const idOf = async (code: string) => Number((await sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id);

  it('the organizer’s task is due 10 working days after it opens and escalates 3 working days after that; the term entered ends the chase', async () => {
    const { rows, town, village } = chain();
    await addOrganizations(sql, rows);
    const workflowId = `term-date-missing:${village}`;
    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termDateMissing, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: village }] });
      const run = processDriver(handle, actor);
      await run.openTask('fill-in');
      const [row] = await sql<{ opened_at: Date }[]>`select opened_at from tasks where workflow_id = ${workflowId}`;
      const openedOn = shanghaiDate(row!.opened_at);
      const rules = termDateRulesFor(openedOn);
      const cal = await loadCalendar(sql);
      const dueOn = cal.addWorkingDays(openedOn, rules.dueWorkingDays);
      const escalationAt = shanghaiInstant(cal.addWorkingDays(dueOn, rules.escalationWorkingDays[0]), DUE_HOUR).getTime();
      const [task] = await sql<{ id: number; due_at: Date; organization_id: number; assignee_role: string }[]>`
        select id, due_at, organization_id, assignee_role from tasks where workflow_id = ${workflowId}`;
      expect(rules.dueWorkingDays).toBe(10);
      expect(task!.due_at.toISOString()).toBe(shanghaiInstant(dueOn, DUE_HOUR).toISOString());
      expect(task).toMatchObject({ organization_id: await idOf(town), assignee_role: 'organizer' });

      // A future start is refused by the validator: nothing enters history.
      expect(await refused(run.complete('fill-in', { termStartedOn: '2999-01-01', termYears: 5 }))).toMatchObject({ rule: 'term-start' });

      const escalations = () => sql`select level from escalations where task_id = ${task!.id} order by level`;
      await t.ts.env.sleep(escalationAt - (await t.ts.env.currentTimeMs()) - 60_000);
      expect(await escalations()).toEqual([]);
      await t.ts.env.sleep(120_000);
      expect(await escalations()).toEqual([{ level: 1 }]);
      const reminded = await sql`select event_key from task_events where task_id = ${task!.id} and kind = 'reminded' order by at`;
      expect(reminded.map((r) => r.event_key)).toEqual(['reminder-7wd-g0', 'reminder-1wd-g0']);

      await run.complete('fill-in', { termStartedOn: '2023-04-20', termYears: 5, secretary: '赵敏' });
      await handle.result();
      const [org] = await sql`select to_char(term_started_on, 'YYYY-MM-DD') as start, term_years, secretary_name from organizations where code = ${village}`;
      expect(org).toEqual({ start: '2023-04-20', term_years: 5, secretary_name: '赵敏' });
      expect((await run.state()).step).toBe('term-recorded');
      await recordHistory('term-date-missing', workflowId, await handle.fetchHistory());
    });
  });

  it('the daily sweep starts one chase per missing term; a term written meanwhile is noticed by the next day’s sweep, which closes the task', async () => {
    const { rows, county, village } = chain();
    const second = uniqueCode('M');
    await addOrganizations(sql, [...rows, orgRow(second, rows[1]!.code, { term_years: null, term_started_on: null })]);
    await t.worker.worker.runUntil(async () => {
      const sweep = () =>
        t.ts.env.client.workflow.execute(termDateSweep, { workflowId: `sweep-${uniqueCode('S')}`, taskQueue: t.worker.taskQueue, args: [{ under: county }] });
      expect(await sweep()).toEqual({ started: 2, nudged: 0 });
      const handle = t.ts.env.client.workflow.getHandle(`term-date-missing:${village}`);
      await processDriver(handle, actor).openTask('fill-in');
      await processDriver(t.ts.env.client.workflow.getHandle(`term-date-missing:${second}`), actor).openTask('fill-in');

      // The CLI fills the term in (no Temporal client): nothing tells the chase until the next sweep.
      await sql`update organizations set term_started_on = '2024-09-01', term_years = 3 where code = ${village}`;
      await t.ts.env.sleep('1 day');
      expect((await processDriver(handle, actor).state()).step).toBe('fill-in');
      expect(await sweep()).toEqual({ started: 0, nudged: 1 });
      await handle.result();
      const [row] = await sql`select state, reason from tasks where workflow_id = ${`term-date-missing:${village}`}`;
      expect(row!.state).toBe('cancelled');
      expect(String(row!.reason)).toContain('届期信息已录入');
      expect((await sql`select status from processes where workflow_id = ${`term-date-missing:${second}`}`)[0]).toEqual({ status: 'running' });
      await recordHistory('term-date-missing', `term-date-missing:${village}`, await handle.fetchHistory(), 'term-date-missing.recorded-elsewhere');
    });
  });
});
