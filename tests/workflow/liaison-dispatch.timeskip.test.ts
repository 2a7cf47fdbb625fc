import { describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { timeSkippingSuite } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { liaisonDispatch, officersMeetingId } from '../../workflows/liaison-dispatch/workflow.js';
import { calendarPeriodOf } from '../../src/domain/liaison-dispatch/rules.js';
import { completeTaskUpdate, machineActor, processStateQuery } from '../../workflows/messages.js';
import { addDays, addMonths, shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';

/** The last day of the calendar quarter after the one ending on `end`. */
const quarterAfter = (end: string) => addDays(addMonths(addDays(end, 1), 3), -1);
const quarterEnd = /-(03-31|06-30|09-30|12-31)$/;

describe('liaison dispatch at real durations (time-skipping server)', () => {
  const suite = timeSkippingSuite();
  const sql = suite.sql;

  it('the county assigns and is escalated to, visit reports fall due by the calendar quarter, the founding meeting dates the first term', async () => {
    const { county, rows } = countyChain();
    const township = uniqueCode('T');
    const unit = uniqueCode('F');
    await addOrganizations(sql, [
      ...rows,
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(unit, township, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null, full_members: 1, probationary_members: 0 }),
    ]);
    const ids = new Map(
      (await sql<{ id: number; code: string }[]>`select id, code from organizations where code in ${sql([county, township])}`).map((r) => [
        r.code,
        Number(r.id),
      ]),
    );
    const workflowId = `liaison-dispatch:${unit}`;
    const actor = machineActor('organizer');
    const env = suite.ts.env;
    const envDay = async () => shanghaiDate(await env.currentTimeMs());
    /** Sleeps the server's clock to 10:00 (Asia/Shanghai) of `day`. */
    const sleepTo = async (day: string) => env.sleep(shanghaiInstant(day, 10).getTime() - (await env.currentTimeMs()));

    await suite.ts.worker.runUntil(async () => {
      const handle = await env.client.workflow.start(liaisonDispatch, { workflowId, taskQueue: suite.ts.taskQueue, args: [{ organization: unit }] });
      const complete = async (step: string, outcome: Record<string, unknown> = {}) => {
        for (let i = 0; i < 200; i++) {
          const st = await handle.query(processStateQuery);
          const t = st.tasks.find((x) => x.step === step && x.state !== 'done' && x.state !== 'cancelled');
          if (st.step === step && t) return handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: t.taskKey, actor, outcome }] });
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no open ${step} task`);
      };
      const stepIs = async (want: string) => {
        for (let i = 0; i < 200; i++) {
          if ((await handle.query(processStateQuery)).step === want) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`not at ${want}: ${(await handle.query(processStateQuery)).step}`);
      };
      const task = async (key: string, wf = workflowId) => {
        for (let i = 0; i < 200; i++) {
          const [t] = await sql<{ id: number; organization_id: number; due_on: string | null }[]>`
            select id, organization_id, plan_input->'due'->>'on' as due_on from tasks where workflow_id = ${wf} and task_key = ${key}`;
          if (t) return t;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no task ${key}`);
      };

      // The county organization department assigns the officer (domain.md §4.4), not the township the unit is under.
      await stepIs('assign-officer');
      expect(Number((await task('a1:assign-officer')).organization_id)).toBe(ids.get(county));
      await complete('assign-officer', { officer: 'officer-li' });
      await stepIs('acknowledge');
      // The officer does not acknowledge: +3 working days to the dispatching organizer (the county that assigned),
      // then the supervising committee (the township), then the county organization department.
      await env.sleep('45 days');
      const ack = await task('a1:acknowledge');
      const esc = await sql<
        { level: number; role: string; organization_id: number }[]
      >`select level, role, organization_id from escalations where task_id = ${ack.id} order by level`;
      expect(esc.map((e) => [e.level, e.role, Number(e.organization_id)])).toEqual([
        [1, 'organizer', ids.get(county)],
        [2, 'supervisor', ids.get(township)],
        [3, 'organizer', ids.get(county)],
      ]);
      await complete('acknowledge');
      await complete('training');

      // The first report is the calendar quarter's, due on its last day, reminded at the defaults of domain.md §3
      // (7 and 1 working days before) — the 2012 rule set names none of its own.
      await stepIs('visit-report');
      const first = await task('a1:visit-report-1');
      expect(first.due_on).toMatch(quarterEnd);
      expect(first.due_on! >= (await envDay())).toBe(true);
      expect(first.due_on! <= addMonths(await envDay(), 3)).toBe(true);
      const reminders = await sql<
        { reminder_key: string }[]
      >`select key as reminder_key from task_deadlines where task_id = ${first.id} and kind = 'reminder' order by at`;
      expect(reminders.map((r) => r.reminder_key)).toEqual(['reminder-7wd', 'reminder-1wd']);

      // The county meets its officers every half-year (domain.md §4.4): with this officer in post, a task for the
      // county's organizers, due on the half-year's last day.
      const half = calendarPeriodOf(first.due_on!, 6);
      const meeting = await task('officers-meeting', officersMeetingId(county, half.from));
      expect({ org: Number(meeting.organization_id), due: meeting.due_on }).toEqual({ org: ids.get(county), due: half.to });
      const held = await envDay();
      await env.client.workflow
        .getHandle(officersMeetingId(county, half.from))
        .executeUpdate(completeTaskUpdate, { args: [{ taskKey: 'officers-meeting', actor, outcome: { meetingDate: held, note: '半年工作座谈' } }] });
      const [met] = await sql<{ state: string }[]>`select state from tasks where id = ${meeting.id}`;
      expect(met!.state).toBe('done');

      // Filed 20 days late: the next quarter's report is open at once, due by that quarter's end — the lateness
      // moves no later visit.
      await sleepTo(addDays(first.due_on!, 20));
      await complete('visit-report', { visitedOn: addDays(first.due_on!, 15), fullMembers: 2 });
      const second = await task('a1:visit-report-2');
      expect(second.due_on).toBe(quarterAfter(first.due_on!));

      // Filed early: the third opens when its quarter begins, not a quarter after the report.
      await complete('visit-report', { visitedOn: await envDay(), fullMembers: 2 });
      await stepIs('visiting');
      const next = addDays(second.due_on!, 1);
      expect((await handle.query(processStateQuery)).nextDeadline).toBe(shanghaiInstant(next, 9).toISOString());
      await sleepTo(addDays(next, -1));
      expect((await handle.query(processStateQuery)).step).toBe('visiting');
      await sleepTo(next);
      expect((await task('a1:visit-report-3')).due_on).toBe(quarterAfter(second.due_on!));
      await complete('visit-report', { visitedOn: await envDay(), fullMembers: 3 });

      await stepIs('establishment-request');
      // One meeting per half-year in which the officer visited, however many of its quarters.
      const halves = [...new Set([first.due_on!, second.due_on!, quarterAfter(second.due_on!)].map((d) => calendarPeriodOf(d, 6).from))];
      const meetings = await sql<
        { workflow_id: string }[]
      >`select workflow_id from tasks where step = 'officers-meeting' and workflow_id like ${`%:officers-meeting:${county}:%`} order by workflow_id`;
      expect(meetings.map((m) => m.workflow_id)).toEqual(halves.map((h) => officersMeetingId(county, h)));
      const reports = await sql`select task_key from tasks where workflow_id = ${workflowId} and step = 'visit-report' order by id`;
      expect(reports.map((r) => r.task_key)).toEqual(['a1:visit-report-1', 'a1:visit-report-2', 'a1:visit-report-3']);
      const [d] = await sql`select state, full_members from liaison_dispatches where workflow_id = ${workflowId}`;
      expect(d).toMatchObject({ state: 'establishing', full_members: 3 });

      // The founding meeting is entered ten days after it was held: the first term starts on the meeting's day.
      await complete('establishment-request', { note: '申请成立党支部' });
      await complete('establishment-approval', { decision: 'agree' });
      await stepIs('founding-meeting');
      const approvedOn = await envDay();
      const meetingDate = addDays(approvedOn, 2);
      await sleepTo(addDays(approvedOn, 12));
      await complete('founding-meeting', { meetingDate, secretary: '陈明', fullMembers: 3 });
      await stepIs('established');
      const [org] = await sql<{ type: string; term_started_on: Date }[]>`select type, term_started_on from organizations where code = ${unit}`;
      expect(org!.type).toBe('branch');
      expect(shanghaiDate(org!.term_started_on)).toBe(meetingDate);

      await recordHistory('liaison-dispatch', workflowId, await handle.fetchHistory());
    });
  }, 300_000);
});
