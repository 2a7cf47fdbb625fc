import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { shanghaiInstant } from '../../src/domain/dates.js';
import { taskProcess } from '../../workflows/task-process.js';
import { tasksQuery } from '../../workflows/messages.js';

// The working-day calendar as people see it: the deadlines feed read by a third-party iCalendar parser (ical.js,
// not the ical-generator that writes it), and holiday data loaded by an admin for the years the package lacks.
describe('calendar', () => {
  let s: Stack;
  const [root, village] = [uniqueCode('CR'), uniqueCode('CV')];
  let orgId: number;

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(root, '', committee), orgRow(village, root)]);
    orgId = (await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`)[0]!.id;
    // The suite's files share one database: start from 2027 without holiday data, as the package leaves it.
    await s.sql`delete from calendar_days where day between '2027-01-01' and '2027-12-31'`;
    await s.sql`delete from calendar_years where year = 2027`;
  });
  afterAll(async () => {
    // The suite's files share one database: leave 2027 without holiday data, as the package leaves it.
    if (!s) return;
    await s.sql`delete from calendar_days where day between '2027-09-26' and '2027-10-09'`;
    await s.sql`delete from calendar_years where year = 2027`;
    await s.close();
  });

  it('puts each deadline in the feed at its instant: a third-party parser reads the event’s end as the task’s due time, whatever the host’s zone', async () => {
    const secretary = await s.userWith([{ role: 'secretary', org: village }]);
    // Due 18:00 Beijing time (10:00 UTC), and one due at 00:30 Beijing time (the previous day in UTC).
    const due = [shanghaiInstant('2026-12-15', 18), shanghaiInstant('2027-03-02', 0, 30)];
    const ids: number[] = [];
    for (const [i, d] of due.entries()) {
      const [row] = await s.sql<{ id: number }[]>`
        insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
        values (${`feed:${village}`}, ${`t${i}`}, 'term-election', 'election-request', ${orgId}, 'secretary', 'open', now(), ${d}) returning id`;
      ids.push(row!.id);
    }
    const { url } = (await s.app.inject({ method: 'POST', url: '/api/v1/calendar/token', headers: { authorization: secretary.authorization } })).json();
    const hostZone = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Asia/Shanghai', 'America/New_York']) {
        process.env.TZ = zone; // the zone of the host that writes the feed
        const feed = await s.app.inject({ url });
        expect(feed.statusCode, feed.body).toBe(200);
        const events = new ICAL.Component(ICAL.parse(feed.body)).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
        const ends = Object.fromEntries(events.map((e) => [e.uid, e.endDate.toJSDate().toISOString()]));
        expect(ends, zone).toEqual({ [`task-${ids[0]}@orglife`]: due[0]!.toISOString(), [`task-${ids[1]}@orglife`]: due[1]!.toISOString() });
        // Neither floating (no Z, no TZID) nor the UTC clock read as local time.
        for (const e of events) expect(e.endDate.zone?.tzid, zone).toBe('UTC');
      }
    } finally {
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }
  });

  // Years without holiday data: chinese-days 1.5.7 ends with 2026. A deliverable due on Friday 1 October 2027 is planned with every
  // Monday to Friday of 2027 a workday: provisional, shown so, and planned again when an admin loads 2027.
  // The 2027 arrangement below is illustrative (the notice is not out): 1–7 October off, Sunday 26 September and
  // Saturday 9 October worked.
  const notice2027 = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//holidays//CN',
    'BEGIN:VEVENT',
    'UID:nd-2027',
    'DTSTAMP:20261120T000000Z',
    'DTSTART;VALUE=DATE:20271001',
    'DTEND;VALUE=DATE:20271008',
    'SUMMARY:国庆节(休)',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:nd-2027-w1',
    'DTSTAMP:20261120T000000Z',
    'DTSTART;VALUE=DATE:20270926',
    'DTEND;VALUE=DATE:20270927',
    'SUMMARY:国庆节(班)',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:nd-2027-w2',
    'DTSTAMP:20261120T000000Z',
    'DTSTART;VALUE=DATE:20271009',
    'SUMMARY:国庆节(班)',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

  it('marks a plan reaching into a year without holiday data provisional, and re-plans it when an admin loads the year', async () => {
    const workflowId = `task:deliverable:${village}`;
    await s.client.workflow.start(taskProcess, {
      workflowId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [
        {
          task: {
            key: 'venue',
            step: 'deliverable',
            organizationId: orgId,
            assigneeRole: 'secretary',
            due: { on: '2027-10-01' },
            reminderWorkingDays: [5, 1],
            escalationWorkingDays: [3, 10, 20],
          },
        },
      ],
    });
    const row = await eventually('the deliverable task', async () => {
      const [r] = await s.sql<
        { id: number; due_at: Date; provisional_years: number[] }[]
      >`select id, due_at, provisional_years from tasks where workflow_id = ${workflowId}`;
      return r;
    });
    // Planned as a workday: due on 1 October, the first escalation three "workdays" later, inside the holiday.
    expect(row.due_at.toISOString()).toBe(shanghaiInstant('2027-10-01', 18).toISOString());
    expect(row.provisional_years).toEqual([2027]);
    const admin = { authorization: s.admin.authorization };
    const listed = await s.app.inject({ url: `/api/v1/tasks?org=${village}&process=task`, headers: admin });
    expect(listed.json().items).toEqual([expect.objectContaining({ id: row.id, provisional: true, provisionalYears: [2027] })]);
    const years = await s.app.inject({ url: '/api/v1/calendar/years', headers: admin });
    expect(years.statusCode, years.body).toBe(200);
    expect(years.json().missing).toContain(2027);
    expect(years.json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ year: 2027, hasHolidayData: false, source: null }),
        expect.objectContaining({ year: 2026, hasHolidayData: true, source: 'package' }),
      ]),
    );
    expect(years.json().items.find((y: { year: number }) => y.year === 2027).provisionalTasks).toBeGreaterThanOrEqual(1);

    // Bad input is refused whole, by row and column; nothing of it is written.
    const upload = (body: string, type: string, headers: Record<string, string> = admin) =>
      s.app.inject({ method: 'POST', url: '/api/v1/calendar/years/2027/import', headers: { ...headers, 'content-type': type }, payload: body });
    const badRows = await s.app.inject({
      method: 'PUT',
      url: '/api/v1/calendar/years/2027',
      headers: admin,
      payload: {
        days: [
          { day: '2027-10-01', isWorkday: false },
          { day: '2028-01-01', isWorkday: false },
          { day: '2027-10-01', isWorkday: false },
          { day: '2027-02-30', isWorkday: false },
        ],
      },
    });
    expect(badRows.statusCode, badRows.body).toBe(422);
    expect(badRows.json().error.details).toEqual([
      expect.objectContaining({ row: 4, column: 'day', message: expect.stringMatching(/not a date/) }),
      expect.objectContaining({ row: 2, column: 'day', message: expect.stringMatching(/not in 2027/) }),
      expect.objectContaining({ row: 3, column: 'day', message: expect.stringMatching(/listed twice/) }),
    ]);
    const badIcs = await upload(
      notice2027.replace('SUMMARY:国庆节(休)', 'SUMMARY:国庆节').replace('DTSTART;VALUE=DATE:20271009', 'DTSTART;VALUE=DATE:20281009'),
      'text/calendar',
    );
    expect(badIcs.statusCode, badIcs.body).toBe(422);
    expect(badIcs.json().error.details).toEqual([
      expect.objectContaining({ row: 1, column: 'SUMMARY' }),
      expect.objectContaining({ row: 3, column: 'DTSTART', message: expect.stringMatching(/2028-10-09 is not in 2027/) }),
    ]);
    const badCsv = await upload('日期,类型\n2027-10-01,休\n2027-10-02,放风\n2027/13/01,休\n', 'text/csv');
    expect(badCsv.statusCode, badCsv.body).toBe(422);
    expect(badCsv.json().error.details).toEqual([expect.objectContaining({ row: 3, column: '类型' }), expect.objectContaining({ row: 4, column: '日期' })]);
    expect((await upload('day,what\n2027-10-01,休\n', 'text/csv')).statusCode).toBe(400);
    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    expect((await upload(notice2027, 'text/calendar', { authorization: organizer.authorization })).statusCode).toBe(403);
    expect(await s.sql`select 1 from calendar_years where year = 2027`).toHaveLength(0);
    expect(await s.sql`select 1 from calendar_days where day between '2027-01-01' and '2027-12-31'`).toHaveLength(0);

    // The suite's files share one database and one Temporal server: the tasks other files left open into 2027 have
    // no worker any more (each re-plan would wait out the Update deadline), and a re-plan of 2027 another file's stack
    // started would never run again; neither is this test's.
    await s.sql`update tasks set provisional_years = '{}' where 2027 = any(provisional_years) and workflow_id <> ${workflowId}`;
    await s.client.workflow
      .getHandle('calendar-replan:2027')
      .terminate('another stack’s run')
      .catch(() => undefined);
    // The State Council's notice, loaded by an admin: the answer comes at once with the tasks queued; the re-plan,
    // through each task's workflow, runs in the background (workflow calendar-replan:2027).
    const loaded = await upload(notice2027, 'text/calendar');
    expect(loaded.statusCode, loaded.body).toBe(200);
    expect(loaded.json()).toMatchObject({ year: 2027, days: 9, holidays: 7, workdays: 2, failed: [], replanWorkflowId: 'calendar-replan:2027' });
    expect(loaded.json().replanned).toBeGreaterThanOrEqual(1);
    const run = await s.client.workflow.getHandle('calendar-replan:2027').result();
    expect(run).toMatchObject({ year: 2027, failed: 0 });
    expect(run.replanned).toBeGreaterThanOrEqual(1);
    const [after] = await s.sql<{ due_at: Date; provisional_years: number[] }[]>`select due_at, provisional_years from tasks where id = ${row.id}`;
    // 1 October is a holiday: due the last workday before it, Thursday 30 September; final now.
    expect(after!.due_at.toISOString()).toBe(shanghaiInstant('2027-09-30', 18).toISOString());
    expect(after!.provisional_years).toEqual([]);
    // The workflow carries the new plan (its timers follow it): its view and the projected reminders agree.
    const view = await s.client.workflow.getHandle(workflowId).query(tasksQuery);
    expect(view[0]!.dueAt).toBe(shanghaiInstant('2027-09-30', 18).toISOString());
    const reminders = await s.sql<{ reminder_key: string; at: Date }[]>`
      select key as reminder_key, at from task_deadlines where task_id = ${row.id} and kind = 'reminder' and generation = 1 order by at`;
    // 5 working days before 30 September: 24, 26 (Sunday, worked), 27, 28, 29 → Friday 24 September; 1 before: 29th.
    expect(reminders.map((r) => [r.reminder_key, r.at.toISOString()])).toEqual([
      ['reminder-5wd', shanghaiInstant('2027-09-24', 9).toISOString()],
      ['reminder-1wd', shanghaiInstant('2027-09-29', 9).toISOString()],
    ]);
    const audit = await s.sql<
      { kind: string; actor: string; after: { dueAt: string } }[]
    >`select kind, actor, after from task_events where task_id = ${row.id} and kind = 'replanned'`;
    expect(audit).toEqual([
      expect.objectContaining({ kind: 'replanned', after: expect.objectContaining({ dueAt: shanghaiInstant('2027-09-30', 18).toISOString() }) }),
    ]);
    const listedAfter = await s.app.inject({ url: `/api/v1/tasks?org=${village}&process=task`, headers: admin });
    expect(listedAfter.json().items).toEqual([expect.objectContaining({ id: row.id, provisional: false, provisionalYears: [] })]);
    const yearsAfter = (await s.app.inject({ url: '/api/v1/calendar/years', headers: admin })).json();
    expect(yearsAfter.missing).not.toContain(2027);
    expect(yearsAfter.items.find((y: { year: number }) => y.year === 2027)).toMatchObject({
      hasHolidayData: true,
      source: 'loaded',
      days: 9,
      provisionalTasks: 0,
      replanRunning: false,
    });
    // A task opened now for the same date is final at once, and due the same day.
    const laterId = `task:deliverable-2:${village}`;
    await s.client.workflow.start(taskProcess, {
      workflowId: laterId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ task: { key: 'venue', step: 'deliverable', organizationId: orgId, assigneeRole: 'secretary', due: { on: '2027-10-01' } } }],
    });
    const later = await eventually(
      'the second task',
      async () => (await s.sql<{ due_at: Date; provisional_years: number[] }[]>`select due_at, provisional_years from tasks where workflow_id = ${laterId}`)[0],
    );
    expect(later).toEqual({ due_at: shanghaiInstant('2027-09-30', 18), provisional_years: [] });
    for (const id of [workflowId, laterId]) await s.client.workflow.getHandle(id).terminate('end of test');
  });

  // One re-plan per year: a load while the year's run goes on reaches that run, which walks the provisional tasks
  // again. A task whose workflow does not answer (here: one no worker polls) keeps it running for the Update's
  // deadline, long enough to see the progress; it fails, stays provisional, and the second walk sends it again.
  it('re-plans in the background with its progress shown, and folds a second load into the running re-plan', async () => {
    const year = 2033; // no other file plans into it
    const days = { days: [{ day: '2033-09-30', isWorkday: false, note: 'test' }] };
    const liveId = `task:replan-live:${village}`;
    await s.client.workflow.start(taskProcess, {
      workflowId: liveId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ task: { key: 'venue', step: 'deliverable', organizationId: orgId, assigneeRole: 'secretary', due: { on: '2033-10-03' } } }],
    });
    const live = await eventually(
      'the live task',
      async () =>
        (
          await s.sql<
            { id: number; plan_input: unknown; provisional_years: number[] }[]
          >`select id, plan_input, provisional_years from tasks where workflow_id = ${liveId}`
        )[0],
    );
    expect(live.provisional_years).toEqual([year]);
    // A task whose workflow no worker runs: its Update waits out the deadline.
    const stuckId = `task:replan-stuck:${village}`;
    await s.client.workflow.start(taskProcess, {
      workflowId: stuckId,
      taskQueue: `nobody-${uniqueCode('Q')}`,
      args: [{ task: { key: 'venue', step: 'deliverable', organizationId: orgId, assigneeRole: 'secretary', due: { on: '2033-10-03' } } }],
    });
    const [stuck] = await s.sql<{ id: number }[]>`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at, provisional_years, plan_input)
      values (${stuckId}, 'venue', 'task', 'deliverable', ${orgId}, 'secretary', 'open', now(), ${shanghaiInstant('2033-10-03', 18)}, ${[year]}, ${s.sql.json(live.plan_input as never)}) returning id`;
    const admin = { authorization: s.admin.authorization };
    const load = () => s.app.inject({ method: 'PUT', url: `/api/v1/calendar/years/${year}`, headers: admin, payload: days });
    const yearRow = async () =>
      (
        (await s.app.inject({ url: '/api/v1/calendar/years', headers: admin })).json().items as {
          year: number;
          provisionalTasks: number;
          replanRunning: boolean;
        }[]
      ).find((y) => y.year === year);
    try {
      const first = await load();
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ year, replanned: 2, failed: [], replanWorkflowId: `calendar-replan:${year}` });
      const handle = s.client.workflow.getHandle(`calendar-replan:${year}`);
      const { runId } = await handle.describe();
      // Progress: the live task re-planned, the stuck one still provisional, the run still going.
      expect(
        await eventually('the live task re-planned while the run goes on', async () => {
          const y = await yearRow();
          return y?.replanRunning && y.provisionalTasks === 1 ? y : undefined;
        }),
      ).toMatchObject({ provisionalTasks: 1, replanRunning: true });
      // Loaded again while it runs: the same run, told to walk again.
      const second = await load();
      expect(second.statusCode, second.body).toBe(200);
      expect(second.json()).toMatchObject({ replanned: 1, replanWorkflowId: `calendar-replan:${year}` });
      expect((await handle.describe()).runId).toBe(runId);
      // The stuck task was sent twice (both walks) and stays provisional, for the next load; the live one once.
      expect(await handle.result()).toEqual({ year, replanned: 1, failed: 1 });
      const rows = await s.sql<
        { id: number; provisional_years: number[] }[]
      >`select id, provisional_years from tasks where id in (${live.id}, ${stuck!.id}) order by id`;
      expect(Object.fromEntries(rows.map((r) => [r.id, r.provisional_years]))).toEqual({ [live.id]: [], [stuck!.id]: [year] });
      expect(await s.sql`select 1 from task_events where task_id = ${live.id} and kind = 'replanned'`).toHaveLength(1);
      expect(await yearRow()).toMatchObject({ provisionalTasks: 1, replanRunning: false });
    } finally {
      await s.sql`update tasks set provisional_years = '{}', state = 'cancelled' where id = ${stuck!.id}`;
      await s.sql`delete from calendar_days where day between '2033-01-01' and '2033-12-31'`;
      await s.sql`delete from calendar_years where year = ${year}`;
      for (const id of [liveId, stuckId])
        await s.client.workflow
          .getHandle(id)
          .terminate('end of test')
          .catch(() => undefined);
    }
  });
});
